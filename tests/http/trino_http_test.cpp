// The Trino protocol end to end (tests/http/http_gateway.h): paging, marks on suppressed
// cells, errors and introspection, metadata tables, other users' queries, cancel, rate limits.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "audit/audit_log.h"
#include "tests/http/http_gateway.h"

namespace fedgate::testing {
namespace {

// A Trino client's statement protocol, driven with curl: POST, then GET each nextUri.
struct TrinoRun {
  nlohmann::json first;
  std::vector<nlohmann::json> pages;
  std::vector<nlohmann::json> rows;
  nlohmann::json columns;
  std::string state;
  nlohmann::json error;
};

std::string Headers(const std::string& catalog = "symphony-test",
                    const std::string& purpose = "cost-analysis") {
  std::string h = "-H 'X-Trino-User: ana' -H 'X-Trino-Source: fedgate-tests'";
  if (!catalog.empty()) h += " -H 'X-Trino-Catalog: " + catalog + "' -H 'X-Trino-Schema: gp'";
  if (!purpose.empty()) h += " -H 'X-Trino-Session: purpose=" + purpose + "'";
  return h;
}

std::string SqlFile(const std::string& sql) {
  std::string path =
      (std::filesystem::temp_directory_path() / ("fedgate-sql-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(std::hash<std::string>{}(sql))))
          .string();
  std::ofstream(path) << sql;
  return path;
}

CurlResult CurlUrl(const std::string& url, const std::string& args) {
  std::string prefix = "http://127.0.0.1:" + std::to_string(Gateway().port);
  return Curl(url.substr(url.find('/', 8)), args);
}

TrinoRun Trino(const std::string& sql, const std::string& headers = Headers()) {
  TrinoRun run;
  auto post =
      Curl("/v1/statement", Auth("ana") + " " + headers + " --data-binary @'" + SqlFile(sql) + "'");
  EXPECT_EQ(post.status, 200) << post.body;
  run.first = nlohmann::json::parse(post.body);
  EXPECT_FALSE(run.first.contains("data")) << "the POST answer must carry no rows";
  std::string next = run.first.value("nextUri", "");
  for (int i = 0; i < 200 && !next.empty(); ++i) {
    auto page = CurlUrl(next, Auth("ana"));
    EXPECT_EQ(page.status, 200) << page.body;
    auto j = nlohmann::json::parse(page.body);
    EXPECT_TRUE(j.contains("id") && j.contains("stats") && j.contains("infoUri")) << page.body;
    if (j.contains("columns")) run.columns = j["columns"];
    if (j.contains("data")) {
      EXPECT_TRUE(j.contains("columns")) << "a page with data carries columns";
      for (const auto& row : j["data"]) run.rows.push_back(row);
    }
    if (j.contains("error")) run.error = j["error"];
    run.state = j["stats"]["state"];
    run.pages.push_back(j);
    next = j.value("nextUri", "");
  }
  return run;
}

TEST_F(HttpTest, TrinoQueryPagesThroughResults) {
  auto run = Trino("SELECT practice_code, count(*) AS n FROM gp.patients GROUP BY practice_code");
  EXPECT_EQ(run.state, "FINISHED");
  EXPECT_EQ(run.rows.size(), 17u);
  EXPECT_GE(run.pages.size(), 5u) << "17 rows at 4 per page";
  ASSERT_EQ(run.columns.size(), 2u);
  EXPECT_EQ(run.columns[1]["type"], "bigint");
  EXPECT_EQ(run.columns[1]["typeSignature"]["rawType"], "bigint");
  EXPECT_EQ(run.columns[0]["typeSignature"]["arguments"][0]["kind"], "LONG");
  for (const auto& row : run.rows) EXPECT_EQ(row[1].get<int64_t>() % 5, 0) << "counts are rounded";
}

TEST_F(HttpTest, TrinoSuppressedCellsAreNullAndMarked) {
  auto run = Trino(
      "SELECT p.care_home, d.condition, count(*) AS n FROM gp.diagnoses d JOIN gp.patients p USING "
      "(person_id) WHERE "
      "p.practice_code = 'SSP05' GROUP BY p.care_home, d.condition");
  EXPECT_EQ(run.state, "FINISHED");
  int nulls = 0, marked = 0;
  for (const auto& row : run.rows) nulls += row[2].is_null();
  for (const auto& page : run.pages) {
    if (page.contains("fedgateDisclosure")) {
      for (const auto& cell : page["fedgateDisclosure"]["cells"]) marked += cell[2] == "threshold";
    }
  }
  EXPECT_GT(nulls, 0);
  EXPECT_EQ(marked, nulls) << "every NULL count is marked as withheld";
}

TEST_F(HttpTest, TrinoErrorsAndIntrospection) {
  auto syntax = Trino("SELECT count(*)\nFORM gp.patients");
  EXPECT_EQ(syntax.state, "FAILED");
  EXPECT_EQ(syntax.error["errorName"], "SYNTAX_ERROR");
  EXPECT_EQ(syntax.error["errorType"], "USER_ERROR");
  EXPECT_EQ(syntax.error["errorLocation"]["lineNumber"], 2);
  auto refused = Trino("SELECT max(cost) FROM acute.admissions");
  EXPECT_EQ(refused.error["errorName"], "PERMISSION_DENIED");
  auto no_purpose = Trino("SELECT count(*) FROM gp.patients", Headers("symphony-test", ""));
  EXPECT_NE(no_purpose.error["message"].get<std::string>().find("purpose"), std::string::npos);

  auto catalogs = Trino("SHOW CATALOGS");
  std::set<std::string> names;
  for (const auto& row : catalogs.rows) names.insert(row[0]);
  EXPECT_TRUE(names.count("symphony-test"));
  EXPECT_FALSE(names.count("records-test")) << "ana is not a recipient of records-test";
  auto schemas = Trino("SHOW SCHEMAS FROM \"symphony-test\"");
  EXPECT_EQ(schemas.rows.size(), 3u);
  auto tables = Trino("SHOW TABLES FROM gp LIKE 'p%'");
  ASSERT_EQ(tables.rows.size(), 1u);
  EXPECT_EQ(tables.rows[0][0], "patients");
  auto columns = Trino("DESCRIBE gp.patients");
  std::set<std::string> cols;
  for (const auto& row : columns.rows) cols.insert(row[0]);
  EXPECT_TRUE(cols.count("person_id"));
  EXPECT_FALSE(cols.count("lsoa_code")) << "not shared under the DSA";
  EXPECT_FALSE(cols.count("nhs_number"));
  auto version = Trino("SELECT version()");
  ASSERT_EQ(version.rows.size(), 1u);
  auto probe = Trino("EXECUTE IMMEDIATE 'SELECT 1'");
  ASSERT_EQ(probe.rows.size(), 1u);
  EXPECT_EQ(probe.rows[0][0], 1);
  auto info = Curl("/v1/info", "");
  EXPECT_EQ(nlohmann::json::parse(info.body)["coordinator"], true);
}

TEST_F(HttpTest, TrinoMetadataTablesAndQualifiedNames) {
  // What SQLAlchemy's trino dialect (Superset) sends.
  auto tables = Trino(
      "SELECT \"table_name\" FROM \"information_schema\".\"tables\" WHERE \"table_schema\" = 'gp' "
      "AND \"table_type\" = 'BASE TABLE' ORDER BY 1");
  ASSERT_EQ(tables.state, "FINISHED") << tables.error.dump();
  std::vector<std::string> names;
  for (const auto& row : tables.rows) names.push_back(row[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"consultations", "diagnoses", "patients"}))
      << "observations is configured but not shared under symphony-test";
  auto columns = Trino(
      "SELECT column_name, data_type, UPPER(is_nullable) AS is_nullable FROM "
      "\"symphony-test\".information_schema.columns WHERE table_schema = 'gp' AND table_name = "
      "'patients' ORDER BY ordinal_position");
  std::set<std::string> cols;
  for (const auto& row : columns.rows) cols.insert(row[0]);
  EXPECT_TRUE(cols.count("person_id") && cols.count("care_home"));
  EXPECT_FALSE(cols.count("lsoa_code")) << "not shared under the DSA";
  EXPECT_FALSE(cols.count("nhs_number"));
  // What the Trino JDBC driver (DBeaver, Metabase's JDBC path) sends.
  auto jdbc = Trino(
      "SELECT TABLE_CAT, TABLE_SCHEM, TABLE_NAME, TABLE_TYPE, REMARKS FROM system.jdbc.tables "
      "WHERE TABLE_CAT = 'symphony-test' AND TABLE_SCHEM LIKE 'acute' ESCAPE '\\' AND TABLE_NAME "
      "LIKE '%' ESCAPE '\\' AND TABLE_TYPE IN ('TABLE', 'VIEW') ORDER BY TABLE_TYPE, TABLE_CAT, "
      "TABLE_SCHEM, TABLE_NAME");
  ASSERT_EQ(jdbc.state, "FINISHED") << jdbc.error.dump();
  ASSERT_EQ(jdbc.rows.size(), 2u);
  EXPECT_EQ(jdbc.rows[0][2], "admissions");
  EXPECT_EQ(jdbc.columns[0]["name"], "table_cat");
  auto catalogs = Trino("SELECT table_cat FROM system.jdbc.catalogs ORDER BY 1", Headers("", ""));
  std::set<std::string> cats;
  for (const auto& row : catalogs.rows) cats.insert(row[0]);
  EXPECT_TRUE(cats.count("symphony-test"));
  EXPECT_FALSE(cats.count("records-test")) << "ana is not a recipient of records-test";
  auto types = Trino(
      "SELECT data_type, type_name FROM system.jdbc.columns WHERE table_cat = 'symphony-test' AND "
      "table_schem = 'acute' AND table_name = 'admissions' AND column_name = 'admission_date'");
  ASSERT_EQ(types.rows.size(), 1u);
  EXPECT_EQ(types.rows[0][0], 91) << "java.sql.Types.DATE";
  auto mixed = Trino("SELECT count(*) FROM information_schema.tables t, gp.patients p");
  EXPECT_EQ(mixed.state, "FAILED");
  EXPECT_EQ(mixed.error["errorLocation"]["columnNumber"], 51) << "at gp.patients";

  // Tables as catalog.schema.table, and bare names in the session's schema (X-Trino-Schema: gp).
  auto qualified = Trino(
      "SELECT count(*) AS n FROM \"symphony-test\".gp.patients p JOIN patients q USING "
      "(person_id)");
  ASSERT_EQ(qualified.state, "FINISHED") << qualified.error.dump();
  EXPECT_GT(qualified.rows.at(0)[0].get<int64_t>(), 1000);
  auto other = Trino("SELECT count(*) FROM \"records-test\".gp.patients");
  EXPECT_EQ(other.state, "FAILED");
  EXPECT_NE(other.error["message"].get<std::string>().find("runs under symphony-test"),
            std::string::npos);
}

TEST_F(HttpTest, TrinoRefusesOtherUsersAndEmptyStatements) {
  auto wrong_user =
      Curl("/v1/statement", Auth("ana") + " -H 'X-Trino-User: eve' --data-binary 'SELECT 1'");
  EXPECT_EQ(wrong_user.status, 403);
  auto empty = Curl("/v1/statement", Auth("ana") + " -H 'X-Trino-User: ana' -X POST");
  EXPECT_EQ(empty.status, 400);
  auto unknown = Curl("/v1/query/nope", Auth("ana"));
  EXPECT_EQ(unknown.status, 404);
  auto anonymous = Curl("/v1/statement", "-H 'X-Trino-User: ana' --data-binary 'SELECT 1'");
  EXPECT_EQ(anonymous.status, 401);
}

TEST_F(HttpTest, TrinoCancelStopsTheSourceQuery) {
  auto post = Curl("/v1/statement", Auth("ana") + " " + Headers() + " --data-binary @'" +
                                        SqlFile("SELECT count(*) FROM gp.consultations a JOIN "
                                                "gp.consultations b ON a.cost > b.cost * 1.5 + "
                                                "0.125") +
                                        "'");
  ASSERT_EQ(post.status, 200);
  auto first = nlohmann::json::parse(post.body);
  std::string next = first["nextUri"];
  auto running = nlohmann::json::parse(CurlUrl(next, Auth("ana")).body);
  EXPECT_EQ(running["stats"]["state"], "RUNNING");
  EXPECT_EQ(CurlUrl(next, Auth("ana") + " -X DELETE").status, 204);
  nlohmann::json last = running;
  for (int i = 0; i < 20 && last["stats"]["state"] == "RUNNING"; ++i)
    last = nlohmann::json::parse(CurlUrl(next, Auth("ana")).body);
  EXPECT_EQ(last["stats"]["state"], "FAILED");
  EXPECT_EQ(last["error"]["errorName"], "USER_CANCELED") << last.dump();
  int64_t active = -1;
  for (int i = 0; i < 50 && active != 0; ++i) {
    PgRows("postgres",
           "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fedgate' AND state = "
           "'active' AND query "
           "LIKE '%0.125%' AND query LIKE '%consultations%'",
           [&](const connectors::odbc::TextRow& row) { active = std::stoll(*row[0]); });
    if (active != 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(active, 0) << "the source's query is still running";
  auto info =
      nlohmann::json::parse(Curl("/v1/query/" + first["id"].get<std::string>(), Auth("ana")).body);
  EXPECT_EQ(info["state"], "FAILED");
}

TEST_F(HttpTest, FailedLoginsAreRateLimited) {
  // Locks loopback out for a minute: ctest runs each test in its own process (own server), and
  // it is the last test of the file when the binary runs them all.
  int limited = 0;
  for (int i = 0; i < 14; ++i) limited += Curl("/api/v1/dsas", Auth("ana", "wrong")).status == 429;
  EXPECT_GE(limited, 3);
  EXPECT_EQ(Curl("/api/v1/dsas", Auth("ana")).status, 429)
      << "even the right password waits out the lock";
}

}  // namespace
}  // namespace fedgate::testing
