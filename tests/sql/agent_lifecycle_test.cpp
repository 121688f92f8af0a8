// A source agent's life, with an agent of the test's own (fedgate-agent): cancel reaching the
// database, the manifest's column list, an agent killed mid-query and restarted.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>

#include "FedgateAgent.h"
#include "common/error.h"
#include "common/pseudonymiser.h"
#include "config/config.h"
#include "connectors/agent/agent_connector.h"
#include "connectors/agent/wire_batch.h"
#include "engine/query_engine.h"
#include "fedgate_agent_constants.h"
#include "planner/value.h"
#include "tests/integration/harness_env.h"
#include "tests/sql/agent_test_env.h"

namespace fedgate::testing {
namespace {

// ---------------------------------------------------------------- an agent's life

// A mental_health agent of the test's own (the harness's are shared), on a port of its own.
class PrivateAgent {
 public:
  // `contacts_manifest`: replaces the contacts table's line of the manifest ("" keeps it).
  explicit PrivateAgent(const std::string& contacts_manifest = "") {
    const std::string dir = AgentEnv().at("FEDGATE_AGENT_DIR");
    std::ifstream in(dir + "/mental_health.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string yaml = ss.str();
    port_ = Port("mental_health") + 1;
    while (!PortFree(port_)) ++port_;
    yaml = std::regex_replace(yaml, std::regex("listen: 127\\.0\\.0\\.1:[0-9]+"),
                              "listen: 127.0.0.1:" + std::to_string(port_));
    yaml = std::regex_replace(yaml, std::regex("audit_log: .*"), "audit_log: audit-private.log");
    if (!contacts_manifest.empty())
      yaml = std::regex_replace(yaml, std::regex("      contacts: .*"),
                                "      contacts: " + contacts_manifest);
    config_ = dir + "/private-agent.yaml";
    std::ofstream(config_) << yaml;
  }
  ~PrivateAgent() { Kill(); }

  void Start() {
    // What its configuration reads from the environment (the harness agents' own had it from
    // tests/harness/agents).
    const auto& env = HarnessEnv::Get();
    for (const char* key : {"FEDGATE_PG_HOST", "FEDGATE_PG_PORT", "FEDGATE_PG_READER_PASSWORD"})
      ::setenv(key, env.Value(key).c_str(), 1);
    ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execl(FEDGATE_AGENT_BINARY, "fedgate-agent", "--config", config_.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    agent::AgentConnector probe("mental_health", "localhost", port_, GatewayTls());
    for (int i = 0; i < 100; ++i) {
      try {
        probe.About();
        return;
      } catch (const Error&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    FAIL() << "the private agent did not start";
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int port() const { return port_; }

 private:
  static bool PortFree(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return free;
  }

  std::string config_;
  int port_ = 0;
  pid_t pid_ = -1;
};

std::unique_ptr<engine::QueryEngine> EngineWith(int mental_health_port) {
  const std::string certs = Certs();
  const std::string tls = "    tls:\n      ca: " + certs + "ca.pem\n      certificate: " + certs +
                          "gateway.pem\n      key: " + certs + "gateway-key.pem\n";
  const std::string yaml =
      "min_persons: 1\ndsa: somerset-test\nsources:\n"
      "  gp:\n    kind: agent\n    endpoint: localhost:" +
      std::to_string(Port("gp")) + "\n" + tls +
      "    tables: {patients: }\n"
      "  mental_health:\n    kind: agent\n    endpoint: localhost:" +
      std::to_string(mental_health_port) + "\n" + tls + "    tables: {contacts: }\n";
  return std::make_unique<engine::QueryEngine>(config::ParseConfig(yaml, "agent_test.yaml"));
}

constexpr const char* kSlowQuery =
    "SELECT count(*) FROM mental_health.contacts a JOIN mental_health.contacts b "
    "ON a.cost * 3 > b.cost * 2 + 7 AND a.contact_type = b.contact_type";

int RunningSourceQueries() {
  int n = -1;
  PgRows("postgres",
         "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%* 3) >%' AND "
         "pid <> pg_backend_pid()",
         [&](const connectors::odbc::TextRow& r) { n = std::stoi(r[0].value_or("-1")); });
  return n;
}

TEST_F(AgentTest, CancelReachesTheDatabase) {
  auto engine = EngineWith(Port("mental_health"));
  std::atomic<bool> cancel{false};
  engine::QueryOptions options;
  options.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    engine->Run(kSlowQuery, options);
    ADD_FAILURE() << "the query was not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCancelled) << e.what();
  }
  canceller.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
  int running = -1;
  for (int i = 0; i < 50 && running != 0; ++i) {
    running = RunningSourceQueries();
    if (running != 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(running, 0) << "PostgreSQL still runs the cancelled fragment";
}

TEST_F(AgentTest, ManifestColumnListLimitsWhatIsExported) {
  PrivateAgent agent("{identifier: nhs_number, columns: [person_id, contact_date, team]}");
  agent.Start();
  {
    FragmentBuilder b;  // a column the source has but the manifest leaves out
    b.Get("contacts", {{"person_id", TypeId::kPseudonym}, {"cost", TypeId::kDecimal}});
    agent::AgentConnector c("mental_health", "localhost", agent.port(), GatewayTls());
    try {
      c.Connect(30000)->client().open_scan("somerset-test", "agent_test", "q3", b.f, 10);
      ADD_FAILURE() << "contacts.cost was read";
    } catch (const wire::AgentError& e) {
      EXPECT_EQ(e.kind, wire::ErrorKind::REFUSED);
      EXPECT_NE(e.message.find("column contacts.cost is not exported"), std::string::npos)
          << e.message;
    }
  }
  // Through the gateway: the table has only the exported columns.
  auto engine = EngineWith(agent.port());
  EXPECT_GT(
      engine->Run("SELECT team, count(*) FROM mental_health.contacts GROUP BY team").rows.rows, 0u);
  try {
    engine->Run("SELECT sum(cost) FROM mental_health.contacts");
    ADD_FAILURE() << "cost is visible";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cost"), std::string::npos) << e.what();
  }
}

TEST_F(AgentTest, AgentKilledMidQueryThenRestarted) {
  PrivateAgent agent;
  agent.Start();
  auto engine = EngineWith(agent.port());
  EXPECT_GT(engine->Run("SELECT count(*) FROM mental_health.contacts").rows.columns[0].i64[0], 0);
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    agent.Kill();
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    engine->Run(kSlowQuery);
    ADD_FAILURE() << "the query outlived its agent";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSource) << e.what();
    EXPECT_NE(std::string(e.what()).find("source 'mental_health' (agent at localhost:"),
              std::string::npos)
        << e.what();
  }
  killer.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 20);
  // The orphaned fragment goes on at the database until told; stop it.
  PgRows("postgres",
         "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%* 3) >%' "
         "AND pid <> pg_backend_pid()",
         [](const connectors::odbc::TextRow&) {});
  // Other sources keep answering; the dead one says so.
  EXPECT_GT(engine->Run("SELECT count(*) FROM gp.patients").rows.columns[0].i64[0], 0);
  EXPECT_THROW(engine->Run("SELECT count(*) FROM mental_health.contacts"), Error);
  // Restarted, the same engine reaches it again.
  agent.Start();
  EXPECT_GT(engine->Run("SELECT count(*) FROM mental_health.contacts").rows.columns[0].i64[0], 0);
}

}  // namespace
}  // namespace fedgate::testing
