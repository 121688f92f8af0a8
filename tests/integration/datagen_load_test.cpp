// fedgate datagen against the real servers: determinism (same seed, same data, table by
// table), reuse of an earlier identical load, and clear errors for unreachable targets.
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <sstream>

#include "common/error.h"
#include "datagen/datagen.h"
#include "tests/integration/harness_env.h"

namespace fedgate {
namespace {

using datagen::AllTables;
using datagen::DatagenOptions;
using datagen::Provider;
using datagen::ProviderName;
using datagen::Targets;
using testing::HarnessEnv;

Targets HarnessTargets(const std::string& suffix) {
  const auto& env = HarnessEnv::Get();
  return Targets{env.PgConninfo(),
                 "Driver={MariaDB Unicode};Server=" + env.Value("FEDGATE_MARIADB_HOST") +
                     ";Port=" + env.Value("FEDGATE_MARIADB_PORT") +
                     ";Uid=" + env.Value("FEDGATE_MARIADB_ADMIN_USER") +
                     ";Pwd=" + env.Value("FEDGATE_MARIADB_ADMIN_PASSWORD") + ";",
                 env.Value("FEDGATE_SQLITE_DIR"), suffix};
}

// SHA-256 over every row of a table in primary-key order, values as text.
std::string TableChecksum(const datagen::TableDef& table, const std::string& suffix) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  int64_t rows = 0;
  auto hash_row = [&](const connectors::odbc::TextRow& row) {
    ++rows;
    for (const auto& v : row) {
      std::string cell = v ? "v" + *v : "null";
      cell.push_back('\x1f');
      EVP_DigestUpdate(ctx.get(), cell.data(), cell.size());
    }
    EVP_DigestUpdate(ctx.get(), "\x1e", 1);
  };
  std::string sql =
      "SELECT * FROM " + std::string(table.name) + " ORDER BY " + std::string(table.primary_key);
  std::string db = std::string(ProviderName(table.provider)) + suffix;
  switch (table.provider) {
    case Provider::kSocialCare:
      testing::MariaDbRows(db, sql, hash_row);
      break;
    case Provider::kCommunity:
      testing::SqliteRows(db + ".db", sql, hash_row);
      break;
    default:
      testing::PgRows(db, sql, hash_row);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  std::ostringstream hex;
  for (unsigned int i = 0; i < length; ++i) hex << std::hex << (digest[i] >> 4) << (digest[i] & 15);
  return hex.str() + "/" + std::to_string(rows);
}

DatagenOptions Small(uint64_t seed) {
  DatagenOptions o;
  o.seed = seed;
  o.persons = 3000;
  o.force = true;
  o.progress = false;
  return o;
}

TEST(DatagenLoad, SameSeedGivesTheSameDataTableByTable) {
  FEDGATE_REQUIRE_HARNESS();
  std::ostringstream log;
  datagen::RunDatagen(Small(7), HarnessTargets("_det_a"), log);
  datagen::RunDatagen(Small(7), HarnessTargets("_det_b"), log);
  datagen::RunDatagen(Small(8), HarnessTargets("_det_c"), log);
  int differing = 0;
  for (const auto& table : AllTables()) {
    std::string a = TableChecksum(table, "_det_a"), b = TableChecksum(table, "_det_b");
    EXPECT_EQ(a, b) << ProviderName(table.provider) << "." << table.name;
    EXPECT_NE(a.substr(a.find('/')), "/0") << table.name << " is empty";
    differing += a != TableChecksum(table, "_det_c");
  }
  // Another seed gives other data everywhere.
  EXPECT_EQ(differing, static_cast<int>(AllTables().size()));
}

TEST(DatagenLoad, ReusesAnIdenticalEarlierLoad) {
  FEDGATE_REQUIRE_HARNESS();
  std::ostringstream log;
  auto first = datagen::RunDatagen(Small(9), HarnessTargets("_reuse"), log);
  for (const auto& p : first.providers) EXPECT_FALSE(p.reused);
  auto options = Small(9);
  options.force = false;
  auto second = datagen::RunDatagen(options, HarnessTargets("_reuse"), log);
  ASSERT_EQ(second.providers.size(), first.providers.size());
  for (size_t i = 0; i < second.providers.size(); ++i) {
    EXPECT_TRUE(second.providers[i].reused) << ProviderName(second.providers[i].provider);
    ASSERT_EQ(second.providers[i].tables.size(), first.providers[i].tables.size());
    for (size_t t = 0; t < first.providers[i].tables.size(); ++t) {
      EXPECT_EQ(second.providers[i].tables[t].rows, first.providers[i].tables[t].rows);
    }
    EXPECT_EQ(second.providers[i].persons, first.providers[i].persons);
  }
  // A different size is not the same data: it is loaded again.
  options.persons = 3001;
  auto third = datagen::RunDatagen(options, HarnessTargets("_reuse"), log);
  for (const auto& p : third.providers) EXPECT_FALSE(p.reused);
}

void ExpectSourceError(const std::function<void()>& run, const std::string& source,
                       const std::string& fragment) {
  try {
    run();
    ADD_FAILURE() << "expected an error from " << source;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSource);
    std::string message = e.what();
    EXPECT_NE(message.find("source '" + source + "'"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(DatagenLoad, UnreachableTargetsAreNamedInTheError) {
  FEDGATE_REQUIRE_HARNESS();
  std::ostringstream log;
  auto options = Small(7);
  options.providers = {Provider::kGp};
  auto targets = HarnessTargets("_err");
  targets.postgres = "host=127.0.0.1 port=1 user=postgres";
  ExpectSourceError([&] { datagen::RunDatagen(options, targets, log); }, "gp",
                    "cannot connect to PostgreSQL");
  targets.postgres = HarnessEnv::Get().PgConninfo() + " password=wrong-password";
  ExpectSourceError([&] { datagen::RunDatagen(options, targets, log); }, "gp",
                    "password authentication failed");

  options.providers = {Provider::kSocialCare};
  targets = HarnessTargets("_err");
  auto pwd = targets.mariadb.find("Pwd=");
  targets.mariadb = targets.mariadb.substr(0, pwd) + "Pwd=wrong-password;";
  ExpectSourceError([&] { datagen::RunDatagen(options, targets, log); }, "social_care",
                    "SQLSTATE 28000");

  options.providers = {Provider::kCommunity};
  targets = HarnessTargets("_err");
  targets.sqlite_dir = "/proc/fedgate-cannot-write-here";
  ExpectSourceError([&] { datagen::RunDatagen(options, targets, log); }, "community",
                    "cannot create");
}

}  // namespace
}  // namespace fedgate
