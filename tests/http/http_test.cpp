// The JSON API end to end (tests/http/http_gateway.h): health, queries with protected cells,
// CSV, errors, logins and tokens, catalogs, DSA owners' pages, TLS, malformed HTTP, load.

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
#include "common/nhs_number.h"
#include "tests/http/http_gateway.h"

namespace fedgate::testing {
namespace {

TEST_F(HttpTest, HealthAndReadiness) {
  auto h = Curl("/healthz", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  auto r = Curl("/readyz", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["sources"]["gp"], "ok");
}

TEST_F(HttpTest, AccessLogHasOneJsonLinePerRequest) {
  Curl("/api/v1/dsas?probe=access-log", Auth("ana"));
  Curl("/api/v1/dsas?probe=access-log-401", Auth("ana", "wrong password"));
  std::ifstream in(Gateway().access_log);
  std::string line;
  bool ok = false, refused = false;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);  // every line is JSON
    EXPECT_TRUE(j.contains("time") && j.contains("remote") && j.contains("ms")) << line;
    if (j["target"] == "/api/v1/dsas?probe=access-log") {
      ok = j["status"] == 200 && j["user"] == "ana" && j["method"] == "GET";
    }
    if (j["target"] == "/api/v1/dsas?probe=access-log-401") {
      refused = j["status"] == 401 && !j.contains("user");
    }
  }
  EXPECT_TRUE(ok && refused);
}

TEST_F(HttpTest, MetricsCountQueriesRowsAndRules) {
  Curl("/api/v1/query",
       Auth("ana") + " " + QueryBody("SELECT sex, count(*) FROM gp.patients GROUP BY sex"));
  Curl("/api/v1/query", Auth("ana") + " " + QueryBody("SELECT max(cost) FROM acute.admissions"));
  auto m = Curl("/metrics", "");
  ASSERT_EQ(m.status, 200);
  auto value = [&](const std::string& series) {
    auto at = m.body.find(series + " ");
    return at == std::string::npos ? -1 : std::stoll(m.body.substr(at + series.size() + 1));
  };
  EXPECT_GE(value("fedgate_queries_total{outcome=\"released\"}"), 1) << m.body;
  EXPECT_GE(value("fedgate_queries_total{outcome=\"refused\"}"), 1) << m.body;
  EXPECT_GE(value("fedgate_source_rows_total{source=\"gp\"}"), 2) << m.body;
  EXPECT_GE(value("fedgate_disclosure_cells_total{rule=\"rounded\"}"), 1) << m.body;
  EXPECT_GE(value("fedgate_query_seconds_count"), 2) << m.body;
}

TEST_F(HttpTest, CrossSourceQueryWithProtectedCells) {
  auto r =
      Curl("/api/v1/query",
           Auth("ana") + " " +
               QueryBody(
                   "SELECT p.care_home, count(*) AS n, sum(a.cost) AS cost FROM gp.patients p JOIN "
                   "acute.admissions a USING (person_id) WHERE p.date_of_birth < DATE '1930-01-01' "
                   "GROUP BY "
                   "p.care_home"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["columns"].size(), 3u);
  EXPECT_EQ(j["columns"][1]["type"], "bigint");
  EXPECT_EQ(j["disclosure"]["min_persons"], 10);
  EXPECT_EQ(j["disclosure"]["counts_rounded"], "base 5");
  // The evidence: per aggregate cell, each rule checked and its verdict, no values.
  const auto& evidence = j["disclosure"]["evidence"];
  ASSERT_EQ(evidence.size(), 2 * j["rows"].size()) << j["disclosure"].dump();
  for (const auto& cell : evidence) {
    ASSERT_FALSE(cell["checks"].empty());
    EXPECT_EQ(cell["checks"][0]["rule"], "threshold");
    const std::string verdict = cell["checks"][0]["verdict"];
    EXPECT_TRUE(verdict == "pass" || verdict == "changed") << verdict;
    const size_t row = cell["row"], column = cell["column"];
    const auto& value = j["rows"][row][column];
    if (!value.is_null() && value.is_number()) {
      EXPECT_EQ(cell.dump().find(value.dump()), std::string::npos) << "a value in the evidence";
    }
  }
  ASSERT_EQ(j["sources"].size(), 2u);
  for (const auto& row : j["rows"]) {
    if (!row[1].is_null()) {
      EXPECT_EQ(row[1].get<int64_t>() % 5, 0) << row.dump();
    }
  }
}

TEST_F(HttpTest, MarksSurviveUnionAll) {
  // Each branch is protected on its own; the marks of both reach the response.
  auto r = Curl("/api/v1/query",
                Auth("ana") + " " +
                    QueryBody("SELECT 'admissions' AS t, count(*) AS n FROM acute.admissions "
                              "UNION ALL SELECT 'outpatients', count(*) FROM acute.outpatients "
                              "ORDER BY 1"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["rows"].size(), 2u);
  for (int row = 0; row < 2; ++row) EXPECT_EQ(j["rows"][row][1].get<int64_t>() % 5, 0);
  // The generated data is fixed: neither raw count is a multiple of 5, so both are marked.
  std::set<std::pair<int, int>> marked;
  for (const auto& cell : j["disclosure"]["cells"]) {
    marked.insert({cell[0].get<int>(), cell[1].get<int>()});
    EXPECT_EQ(cell[2], "rounded");
  }
  EXPECT_EQ(marked, (std::set<std::pair<int, int>>{{0, 1}, {1, 1}})) << r.body;
}

TEST_F(HttpTest, CsvOnRequest) {
  const std::string headers = (std::filesystem::temp_directory_path() /
                               ("fedgate-csv-headers-" + std::to_string(::getpid())))
                                  .string();
  auto r =
      Curl("/api/v1/query",
           Auth("ana") + " -H 'Accept: text/csv' -D '" + headers + "' " +
               QueryBody("SELECT sex, count(*) AS n FROM gp.patients GROUP BY sex ORDER BY sex"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::ifstream in(headers);
  std::stringstream h;
  h << in.rdbuf();
  std::filesystem::remove(headers);
  EXPECT_NE(h.str().find("text/csv"), std::string::npos) << h.str();
  EXPECT_NE(h.str().find("X-Fedgate-Disclosure: 0:1:rounded"), std::string::npos) << h.str();
  EXPECT_EQ(r.body.rfind("sex,n\r\nF,", 0), 0u) << r.body;
}

TEST_F(HttpTest, SyntaxErrorHasLocation) {
  auto r =
      Curl("/api/v1/query", Auth("ana") + " " + QueryBody("SELECT count(*)\nFORM gp.patients"));
  EXPECT_EQ(r.status, 400);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(j["error"]["location"]["line"], 2);
  EXPECT_EQ(j["error"]["location"]["column"], 6);
}

TEST_F(HttpTest, WrongPasswordIs401) {
  auto r = Curl("/api/v1/query", Auth("ana", "not the password") + " " + QueryBody("SELECT 1"));
  EXPECT_EQ(r.status, 401);
  auto none = Curl("/api/v1/query", QueryBody("SELECT 1"));
  EXPECT_EQ(none.status, 401);
  auto unknown = Curl("/api/v1/query", Auth("nobody") + " " + QueryBody("SELECT 1"));
  EXPECT_EQ(unknown.status, 401);
}

TEST_F(HttpTest, NonRecipientIsRefusedAndAudited) {
  auto r = Curl("/api/v1/query", Auth("eve") + " " + QueryBody("SELECT count(*) FROM gp.patients"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("is not a recipient"), std::string::npos) << r.body;
  bool audited = false;
  std::ifstream in(Gateway().audit);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    audited |= j.value("user", "") == "eve" && j.value("outcome", "") == "refused";
  }
  EXPECT_TRUE(audited);
  EXPECT_TRUE(audit::VerifyAuditLog(Gateway().audit).ok);
}

std::string BodyFile(const std::string& text) {
  std::string path =
      (std::filesystem::temp_directory_path() / ("fedgate-put-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(std::hash<std::string>{}(text))))
          .string();
  std::ofstream(path) << text;
  return "--data-binary @'" + path + "'";
}

TEST_F(HttpTest, BearerTokensAndDefaultPurpose) {
  auto issued = Curl("/api/v1/tokens", Auth("bea") + " -X POST");
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string token = nlohmann::json::parse(issued.body)["token"];
  const std::string bearer = "-H 'Authorization: Bearer " + token + "'";
  // No purpose in the body: bea's default (cost-analysis) applies.
  auto r = Curl("/api/v1/query", bearer + " -H 'Content-Type: application/json' " +
                                     BodyFile(R"({"sql": "SELECT count(*) AS n FROM gp.patients",
                                                  "dsa": "symphony-test"})"));
  EXPECT_EQ(r.status, 200) << r.body;
  // ana has no default purpose.
  auto no_default =
      Curl("/api/v1/query", Auth("ana") + " -H 'Content-Type: application/json' " +
                                BodyFile(R"({"sql": "SELECT 1", "dsa": "symphony-test"})"));
  EXPECT_EQ(no_default.status, 400) << no_default.body;
  // A token changed by one character is refused.
  std::string forged = token;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Curl("/api/v1/dsas", "-H 'Authorization: Bearer " + forged + "'").status, 401);
  EXPECT_EQ(Curl("/api/v1/dsas", "-H 'Authorization: Bearer nonsense'").status, 401);
  EXPECT_EQ(Curl("/api/v1/dsas", bearer).status, 200);
}

TEST_F(HttpTest, CatalogOfADsa) {
  auto r = Curl("/api/v1/catalog?dsa=symphony-test", Auth("ana"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  bool patients = false;
  for (const auto& t : j["tables"]) {
    if (t["table"] != "gp.patients") continue;
    patients = true;
    std::set<std::string> cols;
    for (const auto& c : t["columns"]) cols.insert(c["name"]);
    EXPECT_TRUE(cols.count("person_id") && cols.count("practice_code"));
    EXPECT_FALSE(cols.count("lsoa_code")) << "not shared";
  }
  EXPECT_TRUE(patients);
  EXPECT_EQ(Curl("/api/v1/catalog?dsa=symphony-test", Auth("eve")).status, 403);
  EXPECT_EQ(Curl("/api/v1/catalog", Auth("ana")).status, 400);
}

// The linkage report: per shared table, records and linkable records as an analyst's counts
// would be released (rounded to 5 under symphony-test), checked against the provider.
TEST_F(HttpTest, LinkageReportOfADsa) {
  auto r = Curl("/api/v1/linkage?dsa=symphony-test&purpose=cost-analysis", Auth("ana"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  int64_t records = 0, linkable = 0;
  PgRows("acute", "SELECT nhs_number FROM admissions", [&](const connectors::odbc::TextRow& row) {
    ++records;
    if (row[0] && NormaliseNhsNumber(*row[0])) ++linkable;
  });
  ASSERT_GT(records, linkable) << "the harness has unlinkable admissions";
  std::set<std::string> tables;
  for (const auto& t : j["tables"]) {
    tables.insert(t["source"].get<std::string>() + "." + t["table"].get<std::string>());
    ASSERT_TRUE(t["records"].is_number()) << t.dump();
    EXPECT_EQ(t["records"].get<int64_t>() % 5, 0) << "rounded to 5: " << t.dump();
    EXPECT_EQ(t["linkable"].get<int64_t>() % 5, 0) << t.dump();
    EXPECT_GE(t["linked_pct"].get<double>(), 0.0);
    EXPECT_LE(t["linked_pct"].get<double>(), 100.0);
    if (t["table"] != "admissions") continue;
    EXPECT_LE(std::llabs(t["records"].get<int64_t>() - records), 2) << t.dump();
    EXPECT_LE(std::llabs(t["linkable"].get<int64_t>() - linkable), 2) << t.dump();
  }
  EXPECT_TRUE(tables.count("acute.admissions") && tables.count("gp.patients") &&
              tables.count("mental_health.contacts"))
      << r.body;
  // Only recipients, and a purpose is needed.
  EXPECT_EQ(Curl("/api/v1/linkage?dsa=symphony-test&purpose=cost-analysis", Auth("eve")).status,
            403);
  EXPECT_EQ(Curl("/api/v1/linkage?dsa=symphony-test", Auth("ana")).status, 400);
}

TEST_F(HttpTest, DsaOwnersValidateReplaceAndReadTheAudit) {
  const std::string yaml = "-H 'Content-Type: application/yaml' ";
  // Validation: owners and admins only; errors with their line.
  EXPECT_EQ(Curl("/api/v1/dsas/validate", Auth("ana") + " " + yaml + BodyFile("dsa: x")).status,
            403);
  auto bad = Curl("/api/v1/dsas/validate",
                  Auth("olive") + " " + yaml + BodyFile("dsa: x\nowner: somerset-icb\nbogus: 1\n"));
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto bad_json = nlohmann::json::parse(bad.body);
  EXPECT_FALSE(bad_json["valid"]);
  EXPECT_EQ(bad_json["errors"][0]["location"]["line"], 3) << bad.body;

  auto current = Curl("/api/v1/dsas/perturbed-test", Auth("olive"));
  ASSERT_EQ(current.status, 200) << current.body;
  auto cur = nlohmann::json::parse(current.body);
  std::string text = cur["yaml"];
  const std::string old_sha = cur["sha256"];
  const std::string changed =
      std::regex_replace(text, std::regex("min_persons: 10"), "min_persons: 15");
  ASSERT_NE(changed, text);
  auto good = Curl("/api/v1/dsas/validate", Auth("olive") + " " + yaml + BodyFile(changed));
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_NE(good.body.find("min_persons 15"), std::string::npos) << good.body;

  // Replacement: not by another organisation's owner, not over a changed version, not with
  // a file for another id; then by the owner, versioned and audited.
  EXPECT_EQ(
      Curl("/api/v1/dsas/perturbed-test", Auth("otto") + " -X PUT " + yaml + BodyFile(changed))
          .status,
      403);
  EXPECT_EQ(Curl("/api/v1/dsas/perturbed-test",
                 Auth("olive") + " -X PUT -H 'If-Match: \"0000\"' " + yaml + BodyFile(changed))
                .status,
            412);
  EXPECT_EQ(
      Curl("/api/v1/dsas/other-id", Auth("olive") + " -X PUT " + yaml + BodyFile(changed)).status,
      422);
  EXPECT_EQ(Curl("/api/v1/dsas/..%2Fescape", Auth("olive") + " -X PUT " + yaml + BodyFile(changed))
                .status,
            400);
  auto put = Curl("/api/v1/dsas/perturbed-test", Auth("olive") + " -X PUT -H 'If-Match: \"" +
                                                     old_sha + "\"' " + yaml + BodyFile(changed));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(nlohmann::json::parse(put.body)["version"], 2) << "v1 keeps the file it replaced";
  const auto history = std::filesystem::path(Gateway().dsa_dir) / "history" / "perturbed-test";
  EXPECT_TRUE(std::filesystem::exists(history / "v1.yaml"));
  EXPECT_TRUE(std::filesystem::exists(history / "v2.yaml"));
  auto after = nlohmann::json::parse(Curl("/api/v1/dsas/perturbed-test", Auth("olive")).body);
  EXPECT_NE(after["sha256"], old_sha);
  EXPECT_EQ(after["version"], 2);
  // The rule is in force at once: a practice of 10-14 persons is now withheld.
  auto rules = Curl("/api/v1/dsas", Auth("ana"));
  EXPECT_NE(rules.body.find("min_persons 15"), std::string::npos) << rules.body;

  // The audit trail: the owner reads their DSA's; others may not; the admin reads all.
  auto trail = Curl("/api/v1/audit?dsa=perturbed-test&from=2000-01-01", Auth("olive"));
  ASSERT_EQ(trail.status, 200) << trail.body;
  bool put_recorded = false;
  const auto trail_json = nlohmann::json::parse(trail.body);
  for (const auto& rec : trail_json["records"]) {
    EXPECT_TRUE(rec.value("dsa", "") == "perturbed-test" || rec.contains("loaded"));
    put_recorded |= rec.value("event", "") == "dsa_put" && rec.value("user", "") == "olive" &&
                    rec.value("version", 0) == 2;
  }
  EXPECT_TRUE(put_recorded) << trail.body;
  EXPECT_EQ(Curl("/api/v1/audit?dsa=perturbed-test", Auth("otto")).status, 403);
  EXPECT_EQ(Curl("/api/v1/audit?dsa=perturbed-test", Auth("ana")).status, 403);
  EXPECT_EQ(Curl("/api/v1/audit", Auth("olive")).status, 400) << "an owner names the DSA";
  auto all = Curl("/api/v1/audit?to=2999-12-31&limit=2", Auth("ada"));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(nlohmann::json::parse(all.body)["records"].size(), 2u);
  auto none = Curl("/api/v1/audit?to=2000-01-01", Auth("ada"));
  EXPECT_TRUE(nlohmann::json::parse(none.body)["records"].empty());
  EXPECT_TRUE(audit::VerifyAuditLog(Gateway().audit).ok);
}

TEST_F(HttpTest, BadRequestsGet4xx) {
  EXPECT_EQ(Curl("/api/v1/query", Auth("ana") + " --data-binary '{not json'").status, 400);
  EXPECT_EQ(Curl("/api/v1/query", Auth("ana") + " --data-binary '{\"sql\": 5}'").status, 400);
  EXPECT_EQ(Curl("/api/v1/query", Auth("ana") + " --data-binary '[1,2]'").status, 400);
  EXPECT_EQ(Curl("/api/v1/query", Auth("ana")).status, 405);  // GET
  EXPECT_EQ(Curl("/nowhere", Auth("ana")).status, 404);
  // A body over the limit (64 KiB here).
  std::string big = (std::filesystem::temp_directory_path() / "fedgate-big-body").string();
  std::ofstream(big) << std::string(200 << 10, 'x');
  EXPECT_EQ(Curl("/api/v1/query", Auth("ana") + " --data-binary @'" + big + "'").status, 413);
  std::filesystem::remove(big);
}

TEST_F(HttpTest, MalformedHttpAndSlowClientsAreClosed) {
  std::string garbage = Raw("GARBAGE\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  std::string bad_header = Raw("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: a\r\n\r\n");
  EXPECT_EQ(bad_header.rfind("HTTP/1.1 400", 0), 0u) << bad_header;
  std::string huge_header =
      Raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40 << 10, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge_header.rfind("HTTP/1.1 431", 0), 0u) << huge_header.substr(0, 100);
  // Header injection: a bare LF or CR inside a header, a NUL byte, and a Host that would
  // redirect a Trino client (and its credentials) elsewhere are all refused.
  for (const std::string& bad :
       {std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\nX-Injected: b\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rX-Injected: b\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 49)}) {
    std::string reply = Raw(bad);
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  }
  const std::string basic =
      "Authorization: Basic " + std::string("YW5hOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ==");
  for (const char* host : {"evil.example/steal?", "user@evil.example", "a b"}) {
    std::string reply = Raw("POST /v1/statement HTTP/1.1\r\nHost: " + std::string(host) + "\r\n" +
                            basic + "\r\nX-Trino-User: ana\r\nContent-Length: 8\r\n\r\nSELECT 1");
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << host << ": " << reply;
    EXPECT_EQ(reply.find("evil"), std::string::npos) << reply;
  }
  // A client that sends half a request and stalls is cut off after the read timeout (2 s).
  auto start = std::chrono::steady_clock::now();
  std::string slow = Raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(slow.empty()) << slow;
  EXPECT_LT(waited, 4.5);
  // The server is still fine.
  EXPECT_EQ(Curl("/healthz", "").status, 200);
}

std::string Shell(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 256> buf{};
  while (p && std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  if (p) ::pclose(p);
  return out;
}

TEST_F(HttpTest, Https) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("fedgate-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  Shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + key + "' -out '" + cert +
        "' -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null");
  ASSERT_TRUE(std::filesystem::exists(cert)) << "openssl could not make a certificate";
  gateway::HttpServer::Options options;
  options.port = 0;
  options.read_timeout_seconds = 2;
  options.tls_certificate_file = cert;
  options.tls_key_file = key;
  gateway::HttpServer server(
      options, [](const gateway::HttpRequest& r) { return Gateway().api->Handle(r); });
  const uint16_t port = server.Start();
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/api/v1/dsas";
  EXPECT_EQ(Shell("curl -s -o /dev/null -w '%{http_code}' --cacert '" + cert + "' " + Auth("ana") +
                  " '" + url + "'"),
            "200");
  // Trino clients follow https:// URIs from an HTTPS server.
  const std::string posted =
      Shell("curl -s --cacert '" + cert + "' " + Auth("ana") +
            " -H 'X-Trino-User: ana' --data-binary 'SELECT 1' 'https://127.0.0.1:" +
            std::to_string(port) + "/v1/statement'");
  EXPECT_EQ(
      nlohmann::json::parse(posted)["nextUri"].get<std::string>().rfind("https://127.0.0.1:", 0),
      0u)
      << posted;
  EXPECT_EQ(Shell("curl -s -o /dev/null -w '%{http_code}' " + Auth("ana") + " '" + url + "'"),
            "000")
      << "curl must not trust a certificate it was not given";
  // Plain HTTP to the HTTPS port: no HTTP answer, the connection is closed.
  std::string plain = Raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, port);
  EXPECT_EQ(plain.find("HTTP/1.1 200"), std::string::npos) << plain;
  // A client that connects and never starts the handshake is dropped after the read timeout.
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(Raw("", 0, port).empty());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 4.5);
  EXPECT_EQ(Shell("curl -s -o /dev/null -w '%{http_code}' --cacert '" + cert + "' '" +
                  "https://127.0.0.1:" + std::to_string(port) + "/healthz'"),
            "200");
  server.Stop(1);

  // A key that does not belong to the certificate is refused at start.
  Shell("openssl genrsa -out '" + (dir / "other.pem").string() + "' 2048 2>/dev/null");
  options.tls_key_file = (dir / "other.pem").string();
  gateway::HttpServer mismatched(
      options, [](const gateway::HttpRequest&) { return gateway::HttpResponse{}; });
  EXPECT_THROW(mismatched.Start(), Error);
  std::filesystem::remove_all(dir);
}

TEST_F(HttpTest, ManyConcurrentRequests) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto r =
          Curl("/api/v1/query",
               Auth("ana") + " " +
                   QueryBody("SELECT sex, count(*) FROM gp.patients WHERE practice_code = 'SSP0" +
                             std::to_string(1 + i % 9) + "' GROUP BY sex"));
      ok += r.status == 200;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 16);
}

}  // namespace
}  // namespace fedgate::testing
