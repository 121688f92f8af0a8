// The ODBC connector against the harness's real MariaDB (social_care) and SQLite (community)
// providers: what fedgate reads equals what the DBMS holds, and failures name the source while
// the engine keeps serving.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/nhs_number.h"
#include "connectors/odbc/odbc_connection.h"
#include "planner/config.h"
#include "planner/query_engine.h"
#include "planner/value.h"
#include "tests/integration/harness_env.h"

namespace fedgate::testing {
namespace {

std::string MariaDbConnection(const HarnessEnv& env, const std::string& password,
                              const std::string& driver = "MariaDB Unicode") {
  return "Driver={" + driver + "};Server=" + env.Value("FEDGATE_MARIADB_HOST") +
         ";Port=" + env.Value("FEDGATE_MARIADB_PORT") +
         ";Database=social_care;Uid=social_care_reader;Pwd=" + password +
         ";CHARSET=utf8mb4;NO_CACHE=1";
}

std::string SqliteConnection(const HarnessEnv& env) {
  return "Driver={SQLite3};Database=" + env.Value("FEDGATE_SQLITE_DIR") + "/community.db";
}

// An engine over gp (PostgreSQL), social_care (MariaDB) and community (SQLite).
std::unique_ptr<planner::QueryEngine> MakeEngine(const std::string& maria_connection = "",
                                                 const std::string& extra_tables = "") {
  const auto& env = HarnessEnv::Get();
  ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
  const std::string yaml =
      "linkage_secret: {env: FEDGATE_TEST_LINKAGE_SECRET}\ndsa: odbc-test\nmin_persons: 1\n"
      "sources:\n"
      "  gp:\n"
      "    kind: postgres\n"
      "    connection: host=" +
      env.Value("FEDGATE_PG_HOST") + " port=" + env.Value("FEDGATE_PG_PORT") +
      " dbname=gp user=gp_reader password=" + env.Value("FEDGATE_PG_READER_PASSWORD") +
      "\n"
      "    tables: {patients: {identifier: nhs_number}}\n"
      "  social_care:\n"
      "    kind: odbc\n"
      "    dialect: mariadb\n"
      "    connection: \"" +
      (maria_connection.empty()
           ? MariaDbConnection(env, env.Value("FEDGATE_MARIADB_READER_PASSWORD"))
           : maria_connection) +
      "\"\n"
      "    tables: {clients: {identifier: nhs_number}" +
      extra_tables +
      "}\n"
      "  community:\n"
      "    kind: odbc\n"
      "    dialect: sqlite\n"
      "    connection: \"" +
      SqliteConnection(env) +
      "\"\n"
      "    tables: {contacts: {identifier: nhs_number}}\n";
  return std::make_unique<planner::QueryEngine>(planner::ParseConfig(yaml, "odbc_test.yaml"));
}

// Runs `sql` directly on a source through ODBC and returns the first value of the first row.
std::string Direct(const std::string& connection, const std::string& sql) {
  connectors::odbc::OdbcConnection conn("direct", connection);
  auto rows = conn.QueryText(sql);
  return rows.at(0).at(0).value_or("NULL");
}

std::string ValueText(const planner::QueryResult& r, size_t row, size_t col) {
  return planner::GetValue(r.rows.columns[col], row).ToString();
}

class OdbcTest : public ::testing::Test {
 protected:
  void SetUp() override { FEDGATE_REQUIRE_HARNESS(); }
};

TEST_F(OdbcTest, ReadsWhatTheDbmsHolds) {
  const auto& env = HarnessEnv::Get();
  auto engine = MakeEngine();
  const std::string maria = MariaDbConnection(env, env.Value("FEDGATE_MARIADB_READER_PASSWORD"));
  const std::string sqlite = SqliteConnection(env);
  // Row counts, and a filter the SQLite dialect pushes down.
  auto contacts = engine->Run("SELECT count(*) FROM community.contacts");
  EXPECT_EQ(ValueText(contacts, 0, 0), Direct(sqlite, "SELECT count(*) FROM contacts"));
  auto long_ones = engine->Run("SELECT count(*) FROM community.contacts WHERE duration_min > 30");
  EXPECT_EQ(ValueText(long_ones, 0, 0),
            Direct(sqlite, "SELECT count(*) FROM contacts WHERE duration_min > 30"));
  // Text groups: SQLite compares text as fedgate does, so the grouping may run there.
  auto by_setting = engine->Run(
      "SELECT setting, count(*) AS n FROM community.contacts GROUP BY setting ORDER BY setting");
  ASSERT_GT(by_setting.rows.rows, 0u);
  for (size_t r = 0; r < by_setting.rows.rows; ++r) {
    const std::string setting = ValueText(by_setting, r, 0);
    EXPECT_EQ(ValueText(by_setting, r, 1),
              Direct(sqlite, "SELECT count(*) FROM contacts WHERE setting = '" + setting + "'"))
        << setting;
  }
  // MariaDB: counts, a decimal-free numeric filter, and the distinct valid NHS numbers.
  auto clients = engine->Run("SELECT count(*), count(person_id) FROM social_care.clients");
  EXPECT_EQ(ValueText(clients, 0, 0), Direct(maria, "SELECT count(*) FROM clients"));
  std::set<std::string> valid;
  connectors::odbc::OdbcConnection conn("direct", maria);
  int64_t with_valid = 0;
  conn.ForEachRow("SELECT nhs_number FROM clients", [&](const connectors::odbc::TextRow& row) {
    if (!row[0]) return;
    if (auto n = NormaliseNhsNumber(*row[0])) {
      valid.insert(*n);
      ++with_valid;
    }
  });
  EXPECT_EQ(ValueText(clients, 0, 1), std::to_string(with_valid))
      << "person_id is NULL exactly where the NHS number is missing or invalid";
  auto persons = engine->Run("SELECT count(DISTINCT person_id) FROM social_care.clients");
  EXPECT_EQ(ValueText(persons, 0, 0), std::to_string(valid.size()));
  // MariaDB's collation ignores case: text groups are formed in the gateway, bytewise.
  auto reasons = engine->Run(
      "SELECT primary_support_reason, count(*) FROM social_care.clients GROUP BY 1 ORDER BY 1");
  int64_t total = 0;
  for (size_t r = 0; r < reasons.rows.rows; ++r) total += reasons.rows.columns[1].i64[r];
  EXPECT_EQ(std::to_string(total), Direct(maria, "SELECT count(*) FROM clients"));
  auto plan = engine->Explain(
      "SELECT primary_support_reason, count(*) FROM social_care.clients GROUP BY 1");
  for (const auto& f : plan.fragments)
    EXPECT_EQ(f.sql.find("GROUP BY"), std::string::npos) << "text grouping pushed to MariaDB";
}

TEST_F(OdbcTest, JoinsAllKindsOfSources) {
  auto engine = MakeEngine();
  // Persons known to the GP, the council and community services at once.
  auto r = engine->Run(
      "SELECT count(DISTINCT p.person_id) FROM gp.patients p "
      "JOIN social_care.clients s ON s.person_id = p.person_id "
      "JOIN community.contacts c ON c.person_id = p.person_id");
  const int64_t linked = r.rows.columns[0].i64[0];
  auto clients = engine->Run("SELECT count(DISTINCT person_id) FROM social_care.clients");
  EXPECT_GT(linked, 0);
  EXPECT_LE(linked, clients.rows.columns[0].i64[0]);
}

TEST_F(OdbcTest, FailuresNameTheSourceAndTheEngineKeepsServing) {
  const auto& env = HarnessEnv::Get();
  auto wrong_password = MakeEngine(MariaDbConnection(env, "not-the-password"));
  try {
    wrong_password->Run("SELECT count(*) FROM social_care.clients");
    ADD_FAILURE() << "a wrong password must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSource);
    EXPECT_NE(std::string(e.what()).find("social_care"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SQLSTATE"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Access denied"), std::string::npos) << e.what();
  }
  // The other sources still answer through the same engine.
  auto gp = wrong_password->Run("SELECT count(*) FROM gp.patients");
  EXPECT_GT(gp.rows.columns[0].i64[0], 0);

  auto wrong_driver = MakeEngine(
      MariaDbConnection(env, env.Value("FEDGATE_MARIADB_READER_PASSWORD"), "No Such Driver"));
  try {
    wrong_driver->Run("SELECT count(*) FROM social_care.clients");
    ADD_FAILURE() << "a wrong driver must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSource);
    EXPECT_NE(std::string(e.what()).find("social_care"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No Such Driver"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SQLSTATE"), std::string::npos) << e.what();
  }

  auto missing_table = MakeEngine("", ", no_such_table: {identifier: nhs_number}");
  try {
    missing_table->Run("SELECT count(*) FROM social_care.no_such_table");
    ADD_FAILURE() << "a missing table must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("social_care"), std::string::npos) << e.what();
  }
  auto fine = missing_table->Run("SELECT count(*) FROM social_care.clients");
  EXPECT_GT(fine.rows.columns[0].i64[0], 0);
}

TEST_F(OdbcTest, CancelStopsTheMariaDbQuery) {
  const auto& env = HarnessEnv::Get();
  auto engine = MakeEngine();
  std::atomic<bool> cancel{false};
  planner::QueryOptions options;
  options.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    // A three-way non-equi self-join the MariaDB dialect pushes whole: a nested loop over
    // every triple of clients at the source (tens of seconds), hardly any rows out.
    engine->Run(
        "SELECT count(*) FROM social_care.clients a JOIN social_care.clients b "
        "ON a.client_id * 3 > b.client_id * 2 + 7 JOIN social_care.clients c "
        "ON b.client_id * 5 = c.client_id * 7 + a.client_id * 11 + 123456789",
        options);
    ADD_FAILURE() << "the query should have been cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCancelled) << e.what();
  }
  canceller.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
  // The server's own process list no longer shows it.
  const std::string admin = "Driver={MariaDB Unicode};Server=" + env.Value("FEDGATE_MARIADB_HOST") +
                            ";Port=" + env.Value("FEDGATE_MARIADB_PORT") +
                            ";Uid=" + env.Value("FEDGATE_MARIADB_ADMIN_USER") +
                            ";Pwd=" + env.Value("FEDGATE_MARIADB_ADMIN_PASSWORD") + ";";
  std::string running = "?";
  for (int i = 0; i < 50 && running != "0"; ++i) {
    running = Direct(admin,
                     "SELECT count(*) FROM information_schema.processlist WHERE info LIKE "
                     "'%* 3) > %' AND info NOT LIKE '%processlist%'");
    if (running != "0") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(running, "0") << "MariaDB is still running the cancelled query";
}

}  // namespace
}  // namespace fedgate::testing
