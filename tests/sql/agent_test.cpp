// The source agent's trust boundary, against the agents of tests/harness/agents (one per
// provider of the test harness): what the manifest and the fragment rules refuse, who the TLS
// handshake refuses, that no raw NHS number reaches the gateway and that a gateway whose
// sources are all agents holds no linkage secret anywhere, and what happens when an agent dies.

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

TEST_F(AgentTest, RefusesWhatTheManifestDoesNotExport) {
  {
    FragmentBuilder b;  // the raw identifier, by its own name
    b.Get("referrals", {{"nhs_number", TypeId::kText}});
    EXPECT_NE(RefusalOf(b.f).find("column referrals.nhs_number is not exported"),
              std::string::npos);
  }
  {
    FragmentBuilder b;  // a table the source has but the manifest does not list
    b.Get("pg_user", {{"usename", TypeId::kText}});
    EXPECT_NE(RefusalOf(b.f).find("table pg_user is not exported"), std::string::npos);
  }
  {
    FragmentBuilder b;  // a computation that would reveal the identifier
    const int get = b.Get("referrals", {{"person_id", TypeId::kPseudonym}});
    const int len = b.Call("length", TypeId::kInt64, {b.Column(0, TypeId::kPseudonym)});
    b.ProjectRoot(get, {{len, TypeId::kInt64}});
    EXPECT_NE(RefusalOf(b.f).find("function length applied to a person key"), std::string::npos);
  }
  {
    FragmentBuilder b;  // the person key passed off as text, to skip pseudonymisation
    const int get = b.Get("referrals", {{"person_id", TypeId::kPseudonym}});
    b.ProjectRoot(get, {{b.Column(0, TypeId::kText), TypeId::kText}});
    EXPECT_NE(RefusalOf(b.f).find("is pseudonym"), std::string::npos) << RefusalOf(b.f);
  }
}

TEST_F(AgentTest, RefusesAnotherProtocolVersion) {
  using apache::thrift::protocol::TBinaryProtocol;
  using apache::thrift::transport::TBufferedTransport;
  auto socket = agent::ClientTlsFactory(GatewayTls())->createSocket("localhost", Port("gp"));
  auto transport = std::make_shared<TBufferedTransport>(socket);
  transport->open();
  wire::FedgateAgentClient client(std::make_shared<TBinaryProtocol>(transport));
  wire::Hello hello;
  try {
    client.hello(hello, wire::g_fedgate_agent_constants.PROTOCOL_VERSION + 1);
    FAIL() << "a newer protocol was accepted";
  } catch (const wire::AgentError& e) {
    EXPECT_EQ(e.kind, wire::ErrorKind::VERSION);
    EXPECT_NE(e.message.find("protocol version 1"), std::string::npos) << e.message;
  }
}

// ---------------------------------------------------------------- TLS

// Runs openssl s_client as the given client; returns its output and whether it exited 0.
std::pair<bool, std::string> SClient(int port, const std::string& cert) {
  const std::string out = Certs() + "s_client.out";
  std::string cmd = "timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                    " -CAfile " + Certs() + "ca.pem";
  if (!cert.empty()) cmd += " -cert " + Certs() + cert + ".pem -key " + Certs() + cert + "-key.pem";
  cmd += " </dev/null >" + out + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  return {rc == 0, ss.str()};
}

TEST_F(AgentTest, TlsHandshakeRefusesUnknownClients) {
  const int port = Port("mental_health");
  auto none = SClient(port, "");
  EXPECT_FALSE(none.first);
  EXPECT_NE(none.second.find("alert handshake failure"), std::string::npos) << none.second;
  auto foreign = SClient(port, "foreign");  // right name, another CA
  EXPECT_FALSE(foreign.first);
  EXPECT_NE(foreign.second.find("alert unknown ca"), std::string::npos) << foreign.second;
  auto intruder = SClient(port, "intruder");  // right CA, unlisted subject
  EXPECT_FALSE(intruder.first);
  EXPECT_NE(intruder.second.find("alert handshake failure"), std::string::npos) << intruder.second;
  auto gateway = SClient(port, "gateway");
  EXPECT_TRUE(gateway.first) << gateway.second;
  EXPECT_NE(gateway.second.find("Verify return code: 0 (ok)"), std::string::npos);

  // The gateway's own client, with each identity.
  for (const std::string who : {"intruder", "foreign"}) {
    agent::AgentConnector c("mental_health", "localhost", port, GatewayTls(who));
    try {
      c.Describe("referrals");
      ADD_FAILURE() << who << " was let in";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kSource);
      EXPECT_NE(std::string(e.what()).find("source 'mental_health' (agent at localhost:"),
                std::string::npos)
          << e.what();
    }
  }
  {
    // No client certificate at all.
    auto factory = std::make_shared<apache::thrift::transport::TSSLSocketFactory>(
        apache::thrift::transport::SSLProtocol::TLSv1_2);
    factory->authenticate(true);
    factory->loadTrustedCertificates((Certs() + "ca.pem").c_str());
    auto socket = factory->createSocket("localhost", port);
    apache::thrift::transport::TBufferedTransport transport(socket);
    transport.open();
    wire::FedgateAgentClient client(std::make_shared<apache::thrift::protocol::TBinaryProtocol>(
        std::shared_ptr<apache::thrift::transport::TTransport>(
            &transport, [](apache::thrift::transport::TTransport*) {})));
    wire::Hello hello;
    EXPECT_ANY_THROW(client.hello(hello, 1));
  }
  // And the gateway refuses an agent whose certificate is not from its CA.
  agent::AgentConnector wrong_ca(
      "mental_health", "localhost", port,
      {Certs() + "other-ca.pem", Certs() + "gateway.pem", Certs() + "gateway-key.pem"});
  EXPECT_THROW(wrong_ca.Describe("referrals"), Error);
  agent::AgentConnector ok("mental_health", "localhost", port, GatewayTls());
  EXPECT_FALSE(ok.Describe("referrals").empty());
}

// ---------------------------------------------------------------- no identifiers, no secret

TEST_F(AgentTest, BatchesCarryPseudonymsNeverNhsNumbers) {
  // Every raw NHS number the provider holds, and what each becomes under the test DSA.
  std::set<std::string> raw;
  PgRows("mental_health", "SELECT nhs_number FROM referrals UNION SELECT nhs_number FROM contacts",
         [&](const connectors::odbc::TextRow& r) {
           if (r[0]) raw.insert(*r[0]);
         });
  ASSERT_GT(raw.size(), 100u);
  Pseudonymiser key(FEDGATE_TEST_SECRET_VALUE, "somerset-test");
  std::set<std::string> expected;
  for (const auto& r : raw)
    if (auto p = key.FromRaw(r)) expected.insert(std::string(p->bytes.begin(), p->bytes.end()));

  FragmentBuilder b;
  b.Get("contacts", {{"person_id", TypeId::kPseudonym},
                     {"contact_date", TypeId::kDate},
                     {"team", TypeId::kText},
                     {"contact_type", TypeId::kText}});
  agent::AgentConnector connector("mental_health", "localhost", Port("mental_health"),
                                  GatewayTls());
  auto link = connector.Connect(30000);
  const int64_t scan = link->client().open_scan("somerset-test", "agent_test", "q2", b.f, 60);
  size_t rows = 0, pseudonyms = 0;
  const std::regex ten_digits("[0-9]{10}");
  for (;;) {
    wire::Batch w;
    link->client().fetch(w, scan);
    // The bytes as received: no raw number anywhere in them.
    for (const auto& c : w.columns) {
      for (const auto& r : raw) {
        std::string digits;
        for (char ch : r)
          if (ch >= '0' && ch <= '9') digits += ch;
        ASSERT_EQ(c.data.find(r), std::string::npos);
        ASSERT_EQ(c.data.find(digits), std::string::npos);
      }
    }
    Batch batch = agent::DecodeBatch(
        w, {DataType::Pseudonym(), DataType::Date(), DataType::Text(), DataType::Text()},
        "mental_health");
    ASSERT_EQ(batch.columns[0].type.id, TypeId::kPseudonym);
    for (size_t i = 0; i < batch.rows; ++i) {
      if (batch.columns[0].IsNull(i)) continue;
      const auto& p = batch.columns[0].pseudo[i];
      EXPECT_TRUE(expected.count(std::string(p.bytes.begin(), p.bytes.end())));
      ++pseudonyms;
    }
    for (size_t col = 2; col < 4; ++col)
      for (const auto& s : batch.columns[col].str) EXPECT_FALSE(std::regex_search(s, ten_digits));
    rows += batch.rows;
    if (w.last) break;
  }
  EXPECT_GT(rows, 1000u);
  EXPECT_GT(pseudonyms, rows * 9 / 10);
}

TEST_F(AgentTest, GatewayOfAgentsHoldsNoLinkageSecret) {
  const std::string secret = FEDGATE_TEST_SECRET_VALUE;
  const std::string config = std::string(FEDGATE_SQL_TEST_DIR) + "/fedgate_all_agents_test.yaml";
  {
    std::ifstream in(config);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find(secret), std::string::npos);
    EXPECT_EQ(ss.str().find("linkage_secret"), std::string::npos);
  }
  // The gateway in a process of its own, without the secret in its environment, running a
  // query that keeps the agent busy while its memory is searched.
  std::vector<std::string> env_strings = {"FEDGATE_TEST_DSA=somerset-test"};
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    if (kv.find("LINKAGE_SECRET") == std::string::npos && kv.rfind("FEDGATE_TEST_DSA=", 0) != 0)
      env_strings.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& kv : env_strings) envp.push_back(kv.data());
  envp.push_back(nullptr);
  const std::string sql =
      "SELECT count(*) FROM mental_health.contacts a JOIN mental_health.contacts b "
      "ON a.cost * 3 > b.cost * 2 + 7 AND a.contact_type = b.contact_type";
  std::vector<std::string> argv_strings = {"fedgate", "query", "--config", config, "--sql", sql};
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int devnull = ::open("/dev/null", O_WRONLY);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(devnull, 1);
    ::execve(FEDGATE_BINARY, argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(devnull);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "the gateway exited before the search";
  {
    std::ifstream env("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    std::stringstream ss;
    ss << env.rdbuf();
    EXPECT_EQ(ss.str().find(secret), std::string::npos) << "the secret is in its environment";
  }
  const bool found = MemoryHolds(pid, secret);
  // The search itself works: the agent serving the same query does hold it.
  std::ifstream agent_pid(AgentEnv().at("FEDGATE_AGENT_DIR") + "/mental_health.pid");
  pid_t agent = 0;
  agent_pid >> agent;
  const bool agent_found = agent > 0 && MemoryHolds(agent, secret);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  // Stop the orphaned source query.
  PgRows("postgres",
         "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%* 3) >%' "
         "AND pid <> pg_backend_pid()",
         [](const connectors::odbc::TextRow&) {});
  EXPECT_FALSE(found) << "the linkage secret is in the gateway's memory";
  EXPECT_TRUE(agent_found) << "the memory search does not find what is there";
}

}  // namespace
}  // namespace fedgate::testing
