// Re-identification for direct care, end to end on the harness with agents: a gateway process
// (fedgate serve) in front of the gp and acute agents, the DSA tests/sql/reidentify/
// somerset-direct-care.yaml, and clients that make their own X25519 keys. Checked against the
// provider databases: each practice's clinician gets exactly the cohort members registered
// with that practice; nobody else gets anything; the limits hold; both audit logs verify and
// hold each request and its reason; and the gateway's memory and files hold no NHS number.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/nhs_number.h"
#include "common/sealed_box.h"
#include "common/signature.h"
#include "config/config.h"
#include "connectors/agent/agent_connector.h"
#include "connectors/agent/reidentify_request.h"
#include "gateway/api.h"
#include "tests/integration/harness_env.h"
#include "tests/sql/agent_test_env.h"

namespace fedgate::testing {
namespace {

const std::string kPw = "direct-care-test-pw";
const std::string kDsa = "somerset-direct-care";

// The care-home cohort as the providers hold it: care-home residents with an emergency
// admission, each with the practice they are registered with and their local patient id.
struct Member {
  std::string practice;
  std::string patient_id;
};
std::map<std::string, Member> ExpectedCohort() {
  std::map<std::string, Member> residents;
  PgRows("gp", "SELECT nhs_number, practice_code, patient_id FROM patients WHERE care_home",
         [&](const connectors::odbc::TextRow& r) {
           if (r[0]) residents[*NormaliseNhsNumber(*r[0])] = {*r[1], *r[2]};
         });
  std::map<std::string, Member> out;
  PgRows("acute", "SELECT DISTINCT nhs_number FROM admissions WHERE admission_method = 'emergency'",
         [&](const connectors::odbc::TextRow& r) {
           if (!r[0]) return;
           auto n = NormaliseNhsNumber(*r[0]);
           if (n && residents.count(*n)) out[*n] = residents.at(*n);
         });
  return out;
}

const char* kCohortSql =
    "SELECT DISTINCT p.person_id FROM gp.patients p JOIN acute.admissions a "
    "ON a.person_id = p.person_id WHERE p.care_home AND a.admission_method = 'emergency'";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Shell(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The gateway under test, in a process of its own (so its memory can be searched).
struct Gateway {
  std::string dir;
  pid_t pid = -1;
  int port = 0;

  Gateway() {
    dir = std::filesystem::temp_directory_path() / ("fedgate-reid-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string hash = gateway::HashPassword(kPw, 1000);
    auto tls = [] {
      return "    tls:\n      ca: ${FEDGATE_AGENT_DIR}/certs/ca.pem\n"
             "      certificate: ${FEDGATE_AGENT_DIR}/certs/gateway.pem\n"
             "      key: ${FEDGATE_AGENT_DIR}/certs/gateway-key.pem\n";
    };
    std::ofstream(dir + "/gateway.yaml")
        << "dsa_dir: " << FEDGATE_SQL_TEST_DIR << "/reidentify\n"
        << "audit_log: " << dir << "/audit.log\n"
        << "reidentification_key: ${FEDGATE_AGENT_DIR}/certs/reid-gateway-key.pem\n"
        << "users:\n"
        << "  gp-a: {role: direct-care, organisation: SSP04, purpose: direct-care, "
           "password_hash: '"
        << hash << "'}\n"
        << "  gp-b: {role: direct-care, organisation: practice-ssp02, purpose: direct-care, "
           "password_hash: '"
        << hash << "'}\n"
        << "  ana: {role: analyst, organisation: somerset-icb, purpose: service-planning, "
           "password_hash: '"
        << hash << "'}\n"
        << "sources:\n"
        << "  gp:\n    kind: agent\n    endpoint: localhost:${FEDGATE_AGENT_GP_PORT}\n"
        << tls() << "    tables:\n      patients:\n"
        << "  acute:\n    kind: agent\n    endpoint: localhost:${FEDGATE_AGENT_ACUTE_PORT}\n"
        << tls() << "    tables:\n      admissions:\n";
    Start();
  }
  // Starts (again) the gateway on the same configuration, audit log and files.
  void Start() {
    port = 0;
    const std::string out = dir + "/stdout", err = dir + "/stderr";
    pid = ::fork();
    if (pid == 0) {
      ::setsid();
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(o, 1);
      ::dup2(e, 2);
      const std::string config = dir + "/gateway.yaml", access = dir + "/access.log";
      ::execl(FEDGATE_BINARY, "fedgate", "serve", "--config", config.c_str(), "--listen",
              "127.0.0.1:0", "--access-log", access.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const size_t seen = Slurp(out).size();
    for (int i = 0; i < 300 && port == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const std::string text = Slurp(out);
      const auto at = text.find("listening 127.0.0.1:", seen > text.size() ? 0 : seen);
      if (at != std::string::npos) port = std::atoi(text.c_str() + at + 20);
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) break;
    }
  }
  void Stop() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
      pid = -1;
    }
  }
  ~Gateway() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  struct Reply {
    int status = 0;
    nlohmann::json body;
  };
  Reply Post(const std::string& path, const std::string& user, const nlohmann::json& body) const {
    static std::atomic<int> calls{0};  // requests may run at once: files of their own
    const std::string id = std::to_string(++calls);
    const std::string file = dir + "/body" + id + ".json", reply = dir + "/reply" + id + ".json";
    std::ofstream(file) << body.dump();
    const std::string cmd = "curl -s -o " + Shell(reply) + " -w '%{http_code}' -u " +
                            Shell(user + ":" + kPw) +
                            " -H 'Content-Type: application/json' --data-binary @" + Shell(file) +
                            " http://127.0.0.1:" + std::to_string(port) + path;
    FILE* p = ::popen(cmd.c_str(), "r");
    char code[8] = {0};
    const size_t n = p ? std::fread(code, 1, 3, p) : 0;
    if (p) ::pclose(p);
    Reply r;
    r.status = n == 3 ? std::atoi(code) : 0;
    const std::string text = Slurp(reply);
    r.body = nlohmann::json::parse(text, nullptr, false);
    return r;
  }
};

// Asks for a cohort as `user`; the token ("" when refused, with the reply in `reply`).
std::string CohortOf(const Gateway& g, const std::string& user, const std::string& sql,
                     Gateway::Reply* reply = nullptr) {
  auto r = g.Post("/api/v1/cohorts", user, {{"dsa", kDsa}, {"sql", sql}});
  if (reply) *reply = r;
  return r.status == 200 ? r.body.value("cohort", "") : "";
}

struct Opened {
  Gateway::Reply reply;
  std::map<std::string, std::string> nhs_to_local;  // what the sealed box held
};
Opened Reidentify(const Gateway& g, const std::string& user, const std::string& token,
                  const std::string& reason) {
  const X25519KeyPair key = GenerateX25519();
  Opened out;
  out.reply =
      g.Post("/api/v1/reidentify", user,
             {{"cohort", token}, {"reason", reason}, {"public_key", Base64Encode(key.public_key)}});
  if (out.reply.status != 200) return out;
  const auto& s = out.reply.body["sealed"];
  SealedBox box{Base64Decode(s["ephemeral_key"].get<std::string>()),
                Base64Decode(s["nonce"].get<std::string>()),
                Base64Decode(s["ciphertext"].get<std::string>())};
  // Only the requester's key opens it, and only under this request's id.
  EXPECT_THROW(OpenSealed(GenerateX25519().private_key, box,
                          out.reply.body["request_id"].get<std::string>()),
               Error);
  const auto list = nlohmann::json::parse(
      OpenSealed(key.private_key, box, out.reply.body["request_id"].get<std::string>()));
  for (const auto& m : list) out.nhs_to_local[m["nhs_number"]] = m["local_id"];
  return out;
}

class ReidentifyTest : public AgentTest {};

TEST_F(ReidentifyTest, OnlyTheCareTeamReidentifiesItsOwnPatients) {
  const auto expected = ExpectedCohort();
  ASSERT_GE(expected.size(), 10u);
  ASSERT_LE(expected.size(), 40u) << "the DSA's persons_per_request is 40";
  std::map<std::string, std::map<std::string, std::string>> by_practice;
  for (const auto& [nhs, m] : expected) by_practice[m.practice][nhs] = m.patient_id;
  ASSERT_GE(by_practice["SSP04"].size(), 2u);
  ASSERT_GE(by_practice["SSP02"].size(), 1u);

  Gateway g;
  ASSERT_GT(g.port, 0) << Slurp(g.dir + "/stderr");
  std::set<std::string> revealed;

  // A GP of SSP04: the cohort's count, then exactly the SSP04 members.
  Gateway::Reply made;
  const std::string token = CohortOf(g, "gp-a", kCohortSql, &made);
  ASSERT_FALSE(token.empty()) << made.body.dump();
  EXPECT_EQ(made.body["persons"], expected.size());
  EXPECT_EQ(made.body["source"], "gp");
  EXPECT_EQ(made.body.dump().find("person_id"), std::string::npos);
  auto a =
      Reidentify(g, "gp-a", token, "case review: repeated emergency admissions from care homes");
  ASSERT_EQ(a.reply.status, 200) << a.reply.body.dump();
  EXPECT_EQ(a.nhs_to_local, by_practice["SSP04"]);
  EXPECT_EQ(a.reply.body["matched"], by_practice["SSP04"].size());
  EXPECT_EQ(a.reply.body["left_out"], expected.size() - by_practice["SSP04"].size());
  for (const auto& [nhs, local] : a.nhs_to_local) revealed.insert(nhs);
  // A cohort serves one request.
  EXPECT_EQ(Reidentify(g, "gp-a", token, "again").reply.status, 404);

  // Another practice (its organisation mapped to the code SSP02): only theirs.
  const std::string token_b = CohortOf(g, "gp-b", kCohortSql);
  ASSERT_FALSE(token_b.empty());
  // Nobody else can use a cohort: not the analyst, not the other practice.
  EXPECT_EQ(Reidentify(g, "ana", token_b, "curious").reply.status, 404);
  EXPECT_EQ(Reidentify(g, "gp-a", token_b, "curious").reply.status, 404);
  // No reason, no usable key: refused before anything is asked (the cohort stays usable).
  EXPECT_EQ(Reidentify(g, "gp-b", token_b, " ").reply.status, 400);
  EXPECT_EQ(g.Post("/api/v1/reidentify", "gp-b",
                   {{"cohort", token_b},
                    {"reason", "x"},
                    {"public_key", Base64Encode(std::string(32, '\0'))}})
                .status,
            400);
  auto b = Reidentify(g, "gp-b", token_b, "care-home case review at SSP02");
  ASSERT_EQ(b.reply.status, 200) << b.reply.body.dump();
  EXPECT_EQ(b.nhs_to_local, by_practice["SSP02"]);
  for (const auto& [nhs, local] : b.nhs_to_local) revealed.insert(nhs);

  // The analyst is a recipient, but not a requester: no cohort.
  Gateway::Reply refused;
  EXPECT_TRUE(CohortOf(g, "ana", kCohortSql, &refused).empty());
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.dump().find("refused by rule 'reidentification'"), std::string::npos)
      << refused.body.dump();
  // A cohort is persons: an aggregate is no cohort.
  EXPECT_TRUE(
      CohortOf(g, "gp-a", "SELECT count(*) FROM gp.patients WHERE care_home", &refused).empty());
  EXPECT_EQ(refused.status, 400) << refused.body.dump();

  // Limits: a cohort of every care-home resident (more than 40) is not even kept ...
  Gateway::Reply too_many;
  EXPECT_TRUE(
      CohortOf(g, "gp-a", "SELECT person_id FROM gp.patients WHERE care_home", &too_many).empty());
  EXPECT_EQ(too_many.status, 403);
  EXPECT_NE(too_many.body.dump().find("at most 40 per request"), std::string::npos)
      << too_many.body.dump();
  // One cohort, two requests at once: one answer.
  {
    const std::string t = CohortOf(g, "gp-a", kCohortSql);
    ASSERT_FALSE(t.empty());
    Opened first, second;
    std::thread other([&] { second = Reidentify(g, "gp-a", t, "concurrent one"); });
    first = Reidentify(g, "gp-a", t, "concurrent two");
    other.join();
    EXPECT_EQ((first.reply.status == 200) + (second.reply.status == 200), 1)
        << first.reply.status << " " << second.reply.status;
    EXPECT_EQ((first.reply.status == 404) + (second.reply.status == 404), 1);
  }
  // ... and per day: a request goes only while what was re-identified today plus the cohort
  // stays within 40.
  int64_t used = 2 * static_cast<int64_t>(by_practice["SSP04"].size());  // two answers so far
  const int64_t n = static_cast<int64_t>(expected.size());
  bool limited = false;
  std::string last_reason;
  for (int round = 0; round < 40 && !limited; ++round) {
    const std::string t = CohortOf(g, "gp-a", kCohortSql);
    ASSERT_FALSE(t.empty());
    last_reason = "daily limit round " + std::to_string(round);
    auto r = Reidentify(g, "gp-a", t, last_reason);
    if (used + n > 40) {
      EXPECT_EQ(r.reply.status, 403) << r.reply.body.dump();
      EXPECT_NE(r.reply.body.dump().find("a day"), std::string::npos) << r.reply.body.dump();
      limited = true;
      break;
    }
    ASSERT_EQ(r.reply.status, 200) << r.reply.body.dump();
    used += r.reply.body["matched"].get<int64_t>();
    EXPECT_EQ(r.reply.body["used_today"], used);
    EXPECT_LE(used, 40);
  }

  EXPECT_TRUE(limited) << "the daily limit was never reached";
  // No NHS number in the gateway's memory or files. (The search reads the gateway's memory:
  // what it must hold, the hash of its audit log's last record that the next one chains to,
  // is found. The agent's memory is no control: the numbers it read are in freed heap that
  // later requests may overwrite.)
  ASSERT_FALSE(revealed.empty());
  const std::string files = Slurp(g.dir + "/audit.log") + Slurp(g.dir + "/stdout") +
                            Slurp(g.dir + "/stderr") + Slurp(g.dir + "/access.log");
  {
    std::ifstream in(g.dir + "/audit.log");
    std::string line, last;
    while (std::getline(in, line)) last = line;
    EXPECT_TRUE(MemoryHolds(g.pid, audit::Sha256Hex(last))) << "the memory search reads nothing";
  }
  for (const auto& nhs : revealed) {
    const std::string spaced = nhs.substr(0, 3) + " " + nhs.substr(3, 3) + " " + nhs.substr(6);
    EXPECT_FALSE(MemoryHolds(g.pid, nhs)) << "an NHS number is in the gateway's memory";
    EXPECT_FALSE(MemoryHolds(g.pid, spaced)) << "an NHS number is in the gateway's memory";
    EXPECT_EQ(files.find(nhs), std::string::npos) << "an NHS number is in the gateway's files";
  }
  // A restart does not reset it: the day's re-identifications are read back from the audit log.
  g.Stop();
  g.Start();
  ASSERT_GT(g.port, 0) << Slurp(g.dir + "/stderr");
  {
    const std::string t = CohortOf(g, "gp-a", kCohortSql);
    ASSERT_FALSE(t.empty());
    auto r = Reidentify(g, "gp-a", t, "after a restart");
    EXPECT_EQ(r.reply.status, 403) << r.reply.body.dump();
    EXPECT_NE(r.reply.body.dump().find("a day"), std::string::npos) << r.reply.body.dump();
  }

  // Both audit logs verify and hold the request, its reason and the outcome.
  const std::string gateway_audit = g.dir + "/audit.log";
  const std::string agent_audit = AgentEnv().at("FEDGATE_AGENT_DIR") + "/audit-gp.log";
  EXPECT_TRUE(audit::VerifyAuditLog(gateway_audit).ok);
  EXPECT_TRUE(audit::VerifyAuditLog(agent_audit).ok);
  const std::string request_id = a.reply.body["request_id"];
  auto records_of = [&](const std::string& path) {
    std::vector<nlohmann::json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      if (j.value("request_id", "") == request_id) out.push_back(j);
    }
    return out;
  };
  for (const auto& path : {gateway_audit, agent_audit}) {
    auto records = records_of(path);
    ASSERT_GE(records.size(), 2u) << path;
    EXPECT_EQ(records.front()["outcome"], path == gateway_audit ? "requested" : "started");
    EXPECT_EQ(records.back()["outcome"], "released");
    EXPECT_EQ(records.back()["reason"],
              "case review: repeated emergency admissions from care homes");
    EXPECT_EQ(records.back()["user"], "gp-a");
    EXPECT_EQ(records.back()["matched"], by_practice["SSP04"].size());
  }
  // The refusals are in the gateway's trail too.
  const std::string trail = Slurp(gateway_audit);
  EXPECT_NE(trail.find("at most 40 per request"), std::string::npos);
  EXPECT_NE(trail.find("\"event\":\"cohort\""), std::string::npos);
}

// The agent's own checks, for a gateway that is compromised or misconfigured: requests made by
// hand at the Thrift level.
TEST_F(ReidentifyTest, TheAgentRefusesWhatItWasNotAskedProperly) {
  agent::AgentConnector gp("gp", "localhost", Port("gp"), GatewayTls());
  const SigningKey gateway = SigningKey::FromPemFile(Certs() + "reid-gateway-key.pem");
  const SigningKey intruder = SigningKey::FromPemFile(Certs() + "reid-intruder-key.pem");
  auto request = [](const std::string& id) {
    agent::wire::ReidentifyRequest r;
    r.request_id = id;
    r.dsa = kDsa;
    r.purpose = "direct-care";
    r.user = "gp-a";
    r.role = "direct-care";
    r.organisation = "SSP04";
    r.reason = "agent test";
    r.pseudonyms = {std::string(16, 'x')};
    r.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    r.recipient_key = GenerateX25519().public_key;
    r.source = "gp";
    return r;
  };
  auto refusal = [&](const agent::wire::ReidentifyRequest& r, const SigningKey& key,
                     agent::AgentConnector& to) -> std::string {
    const std::string bytes = agent::EncodeReidentifyRequest(r);
    try {
      to.Reidentify(bytes, key.Sign(bytes));
    } catch (const Error& e) {
      return e.what();
    }
    return "not refused";
  };
  const std::string suffix = std::to_string(::getpid());
  EXPECT_NE(refusal(request("aaaaaaaaaaaaaaaa" + suffix), intruder, gp)
                .find("not signed with the gateway key this agent trusts"),
            std::string::npos);
  auto other_dsa = request("bbbbbbbbbbbbbbbb" + suffix);
  other_dsa.dsa = "somerset-test";
  EXPECT_NE(refusal(other_dsa, gateway, gp)
                .find("does not allow re-identification under DSA "
                      "'somerset-test'"),
            std::string::npos);
  auto other_purpose = request("cccccccccccccccc" + suffix);
  other_purpose.purpose = "service-planning";
  EXPECT_NE(refusal(other_purpose, gateway, gp).find("for purpose 'service-planning'"),
            std::string::npos);
  auto old = request("dddddddddddddddd" + suffix);
  old.issued_at -= 3600;
  EXPECT_NE(refusal(old, gateway, gp).find("accepts requests up to 60 s old"), std::string::npos);
  auto hostile_code = request("eeeeeeeeeeeeeeee" + suffix);
  hostile_code.organisation = "SSP04' OR '1'='1";
  EXPECT_NE(refusal(hostile_code, gateway, gp).find("organisation code"), std::string::npos);
  auto too_many = request("ffffffffffffffff" + suffix);
  too_many.pseudonyms.assign(201, std::string(16, 'y'));
  EXPECT_NE(refusal(too_many, gateway, gp).find("at most 200 per request"), std::string::npos);
  auto other_source = request("iiiiiiiiiiiiiiii" + suffix);
  other_source.source = "acute";
  EXPECT_NE(refusal(other_source, gateway, gp).find("the request is for source 'acute'"),
            std::string::npos);
  // The provider's own list of organisations, whatever the gateway signs.
  auto other_practice = request("jjjjjjjjjjjjjjjj" + suffix);
  other_practice.organisation = "SSP09";
  EXPECT_NE(
      refusal(other_practice, gateway, gp).find("does not re-identify for organisation 'SSP09'"),
      std::string::npos);
  auto low_order = request("kkkkkkkkkkkkkkkk" + suffix);
  low_order.recipient_key = std::string(32, '\0');
  EXPECT_NE(refusal(low_order, gateway, gp).find("usable X25519 key"), std::string::npos);
  // A good request goes once; its replay is refused.
  const auto good = request("gggggggggggggggg" + suffix);
  EXPECT_EQ(refusal(good, gateway, gp), "not refused");
  EXPECT_NE(refusal(good, gateway, gp).find("was used before"), std::string::npos);
  // An agent without agent.reidentification re-identifies nothing.
  agent::AgentConnector acute("acute", "localhost", Port("acute"), GatewayTls());
  auto for_acute = request("hhhhhhhhhhhhhhhh" + suffix);
  for_acute.source = "acute";
  EXPECT_NE(refusal(for_acute, gateway, acute).find("this agent does not re-identify"),
            std::string::npos);
  // Every refusal is in the agent's audit trail.
  const std::string trail = Slurp(AgentEnv().at("FEDGATE_AGENT_DIR") + "/audit-gp.log");
  EXPECT_NE(trail.find("not signed with the gateway key"), std::string::npos);
  EXPECT_NE(trail.find("was used before"), std::string::npos);
}

// A source the gateway reaches directly has no agent to ask: refused with the reason.
TEST_F(ReidentifyTest, ADirectConnectorCannotReidentify) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("fedgate-reid-direct-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
  const auto& h = HarnessEnv::Get();
  std::ofstream(dir + "/gateway.yaml")
      << "dsa_dir: " << FEDGATE_SQL_TEST_DIR << "/reidentify\n"
      << "audit_log: " << dir << "/audit.log\n"
      << "linkage_secret: {env: FEDGATE_TEST_LINKAGE_SECRET}\n"
      << "reidentification_key: " << Certs() << "reid-gateway-key.pem\n"
      << "users:\n  gp-a: {role: direct-care, organisation: SSP04, purpose: direct-care, "
         "password_hash: '"
      << gateway::HashPassword(kPw, 1000) << "'}\n"
      << "sources:\n"
      << "  gp: {kind: postgres, connection: 'host=" << h.Value("FEDGATE_PG_HOST")
      << " port=" << h.Value("FEDGATE_PG_PORT")
      << " dbname=gp user=gp_reader password=" << h.Value("FEDGATE_PG_READER_PASSWORD")
      << "', tables: {patients: {identifier: nhs_number}}}\n"
      << "  acute: {kind: postgres, connection: 'host=" << h.Value("FEDGATE_PG_HOST")
      << " port=" << h.Value("FEDGATE_PG_PORT")
      << " dbname=acute user=acute_reader password=" << h.Value("FEDGATE_PG_READER_PASSWORD")
      << "', tables: {admissions: {identifier: nhs_number}}}\n";
  const auto config = config::LoadConfig(dir + "/gateway.yaml");
  gateway::Api api(config);
  auto post = [&](const std::string& path, const nlohmann::json& body) {
    gateway::HttpRequest r;
    r.method = "POST";
    r.target = path;
    r.headers["authorization"] = "Basic " + Base64Encode("gp-a:" + kPw);
    r.body = body.dump();
    r.remote = "127.0.0.1";
    auto out = api.Handle(r);
    return std::make_pair(out.status, nlohmann::json::parse(out.body, nullptr, false));
  };
  auto [status, cohort] = post("/api/v1/cohorts", {{"dsa", kDsa}, {"sql", kCohortSql}});
  ASSERT_EQ(status, 200) << cohort.dump();
  auto [refused, body] =
      post("/api/v1/reidentify", {{"cohort", cohort["cohort"]},
                                  {"reason", "review"},
                                  {"public_key", Base64Encode(GenerateX25519().public_key)}});
  EXPECT_EQ(refused, 403);
  EXPECT_NE(body.dump().find("source 'gp' is reached by a direct connector"), std::string::npos)
      << body.dump();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace fedgate::testing
