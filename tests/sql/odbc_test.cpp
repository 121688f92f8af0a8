// The ODBC connector against the harness's real MariaDB (social_care) and SQLite (community)
// providers: what fedgate reads equals what the DBMS holds, and failures name the source while
// the engine keeps serving.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/nhs_number.h"
#include "config/config.h"
#include "connectors/odbc/odbc_connection.h"
#include "engine/query_engine.h"
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
std::unique_ptr<engine::QueryEngine> MakeEngine(const std::string& maria_connection = "",
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
  return std::make_unique<engine::QueryEngine>(config::ParseConfig(yaml, "odbc_test.yaml"));
}

// Runs `sql` directly on a source through ODBC and returns the first value of the first row.
std::string Direct(const std::string& connection, const std::string& sql) {
  connectors::odbc::OdbcConnection conn("direct", connection);
  auto rows = conn.QueryText(sql);
  return rows.at(0).at(0).value_or("NULL");
}

std::string ValueText(const engine::QueryResult& r, size_t row, size_t col) {
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
  engine::QueryOptions options;
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

// A MariaDB server of the test's own (the harness's is shared with other tests, so it is not
// the one to kill): initialised in a temporary directory, started and SIGKILLed at will.
class PrivateMariaDb {
 public:
  PrivateMariaDb() {
    char tmpl[] = "/tmp/fedgate-mariadb-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = FreePort();
    Shell("mariadb-install-db --no-defaults --user=root --datadir=" + dir_ +
          "/data --auth-root-authentication-method=normal --skip-test-db >" + dir_ +
          "/install.log 2>&1");
  }
  ~PrivateMariaDb() {
    Kill();
    std::filesystem::remove_all(dir_);
  }

  void Start() {
    Shell("mariadbd --no-defaults --user=root --datadir=" + dir_ + "/data --socket=" + dir_ +
          "/sock --port=" + std::to_string(port_) +
          " --bind-address=127.0.0.1 --skip-log-bin --skip-grant-tables --pid-file=" + dir_ +
          "/pid --log-error=" + dir_ +
          "/err.log --innodb-buffer-pool-size=16M"
          " </dev/null >/dev/null 2>&1 &");
    for (int i = 0; i < 300; ++i) {
      if (std::system(("mariadb-admin --no-defaults --socket=" + dir_ +
                       "/sock -uroot --connect-timeout=1 ping >/dev/null 2>&1")
                          .c_str()) == 0)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("the private MariaDB did not start; see " + dir_ + "/err.log");
  }

  // SIGKILL: no shutdown, connections drop mid-statement.
  void Kill() {
    std::ifstream in(dir_ + "/pid");
    pid_t pid = 0;
    if (!(in >> pid) || pid <= 0) return;
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::filesystem::remove(dir_ + "/pid");
  }

  void Sql(const std::string& sql) {
    std::ofstream(dir_ + "/setup.sql") << sql;
    Shell("mariadb --no-defaults --socket=" + dir_ + "/sock -uroot <" + dir_ + "/setup.sql");
  }

  std::string Connection() const {
    return "Driver={MariaDB Unicode};Server=127.0.0.1;Port=" + std::to_string(port_) +
           ";Database=k;Uid=fedgate;Pwd=;";
  }

 private:
  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  static void Shell(const std::string& command) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }

  std::string dir_;
  int port_ = 0;
};

TEST_F(OdbcTest, ServerKilledMidQueryNamesTheSourceAndRestartRecovers) {
  PrivateMariaDb server;
  server.Start();
  // A view that takes 1,000 seconds to produce (SLEEP per row, materialised first).
  server.Sql(
      "CREATE DATABASE k; USE k; "
      "CREATE ALGORITHM=TEMPTABLE VIEW slow AS SELECT seq AS n, '9434765919' AS nhs_number, "
      "SLEEP(0.01) AS pause FROM seq_1_to_100000; "
      "CREATE TABLE quick (n int, nhs_number varchar(12)); "
      "INSERT INTO quick VALUES (1, '9434765919'), (2, '4010232137');");
  const auto& env = HarnessEnv::Get();
  ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
  auto engine = std::make_unique<engine::QueryEngine>(config::ParseConfig(
      "linkage_secret: {env: FEDGATE_TEST_LINKAGE_SECRET}\ndsa: odbc-test\nmin_persons: 1\n"
      "sources:\n"
      "  gp:\n"
      "    kind: postgres\n"
      "    connection: host=" +
          env.Value("FEDGATE_PG_HOST") + " port=" + env.Value("FEDGATE_PG_PORT") +
          " dbname=gp user=gp_reader password=" + env.Value("FEDGATE_PG_READER_PASSWORD") +
          "\n"
          "    tables: {patients: {identifier: nhs_number}}\n"
          "  council:\n"
          "    kind: odbc\n"
          "    dialect: mariadb\n"
          "    connection: \"" +
          server.Connection() +
          "\"\n"
          "    tables: {slow: {identifier: nhs_number}, quick: {identifier: nhs_number}}\n",
      "kill_test.yaml"));
  // Described (and a pooled connection left idle) before the kill.
  EXPECT_EQ(ValueText(engine->Run("SELECT count(*) FROM council.quick"), 0, 0), "2");

  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    server.Kill();
  });
  const auto start = std::chrono::steady_clock::now();
  std::string message;
  try {
    engine->Run("SELECT sum(n + pause) FROM council.slow");
    ADD_FAILURE() << "the query outlived its server";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSource) << e.what();
    message = e.what();
  }
  killer.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 20) << "the failure took " << seconds << " s to surface";
  EXPECT_NE(message.find("council"), std::string::npos) << message;
  EXPECT_NE(message.find("SQLSTATE"), std::string::npos) << message;

  // The gateway keeps serving the other sources meanwhile.
  EXPECT_GT(engine->Run("SELECT count(*) FROM gp.patients").rows.columns[0].i64[0], 0);
  try {
    engine->Run("SELECT count(*) FROM council.quick");
    ADD_FAILURE() << "a query to a dead server cannot succeed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSource) << e.what();
    EXPECT_NE(std::string(e.what()).find("council"), std::string::npos) << e.what();
  }

  // Restarted, the next query works without a new engine: stale pooled connections are
  // noticed and replaced.
  server.Start();
  EXPECT_EQ(ValueText(engine->Run("SELECT count(*) FROM council.quick"), 0, 0), "2");
  // That query's connection is pooled now; the server goes away and comes back while it idles.
  server.Kill();
  server.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(ValueText(engine->Run("SELECT count(*) FROM council.quick"), 0, 0), "2");
}

}  // namespace
}  // namespace fedgate::testing
