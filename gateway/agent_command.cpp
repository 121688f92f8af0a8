// fedgate agent: the source agent a provider runs inside its own network (DESIGN.md "Trust
// model"). It serves one source of its configuration over Thrift with mutual TLS, takes only
// structured fragments, checks them against its export manifest (the source's tables and
// columns as configured), renders its own SQL, pseudonymises the identifier with the DSA's key
// (the linkage secret never leaves it) and streams columnar batches. Every fragment it runs is
// recorded in its own hash-chained audit log.

#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLServerSocket.h>
#include <nlohmann/json.hpp>

#include "FedgateAgent.h"
#include "common/args.h"
#include "common/error.h"
#include "common/pseudonymiser.h"
#include "common/read_ahead.h"
#include "connectors/agent/agent_tls.h"
#include "connectors/agent/wire_batch.h"
#include "fedgate_agent_constants.h"
#include "gateway/commands.h"
#include "planner/catalog.h"
#include "planner/config.h"
#include "planner/fragment_codec.h"
#include "planner/sql_writer.h"
#include "policy/audit.h"

namespace fedgate::gateway {

namespace {

namespace wire = agent::wire;
using apache::thrift::TConnectionInfo;

std::atomic<int> g_agent_signal{0};
void OnAgentSignal(int s) {
  g_agent_signal = s;
}

wire::AgentError AgentError(wire::ErrorKind::type kind, const std::string& message) {
  wire::AgentError out;
  out.kind = kind;
  out.message = message;
  return out;
}

wire::AgentError AgentErrorOf(const Error& e) {
  return AgentError(agent::ErrorKindOf(e.code()), e.what());
}

// What every connection's handler shares: the catalog over the one source, the keys, the
// running scans and the audit log.
class Agent {
 public:
  explicit Agent(const planner::GatewayConfig& config)
      : config_(config),
        source_(config.agent.source),
        catalog_(config),
        keys_(config.linkage_secret),
        audit_(config.audit_log.empty() ? nullptr
                                        : std::make_unique<policy::AuditLog>(config.audit_log)) {}

  const planner::GatewayConfig& config() const { return config_; }
  const std::string& source() const { return source_; }
  planner::Catalog& catalog() { return catalog_; }

  const Pseudonymiser& KeyFor(const std::string& dsa) { return keys_.For(dsa); }

  // A scan read ahead by a thread of its own, so the source keeps producing while the last
  // batch travels to the gateway and is decoded there (up to kAhead encoded batches wait).
  class Running {
   public:
    explicit Running(std::unique_ptr<connectors::Scan> scan)
        : scan_(std::move(scan)), ahead_(kAhead, [this](wire::Batch& w) {
            Batch batch;
            const bool more = scan_->Next(batch);
            w = agent::EncodeBatch(batch, !more);
            return more;
          }) {}
    // A Next blocked in the reader thread returns; then ahead_ stops and joins.
    ~Running() { scan_->Cancel(); }
    void Cancel() { scan_->Cancel(); }
    // The next batch (the last one has `last` set); throws what the scan threw.
    wire::Batch Take() {
      wire::Batch b;
      if (ahead_.Take(b)) return b;
      b.rows = 0;
      b.last = true;
      return b;
    }

   private:
    static constexpr size_t kAhead = 4;
    std::unique_ptr<connectors::Scan> scan_;
    ReadAhead<wire::Batch> ahead_;  // after scan_: destroyed (joined) before it
  };

  int64_t Add(std::unique_ptr<connectors::Scan> scan) {
    auto running = std::make_shared<Running>(std::move(scan));
    std::lock_guard lock(mu_);
    const int64_t id = ++next_id_;
    scans_[id] = std::move(running);
    return id;
  }
  // Reserves a slot for a new scan; false when max_scans are running.
  bool Reserve() {
    std::lock_guard lock(mu_);
    if (static_cast<int>(scans_.size()) + reserved_ >= config_.agent.max_scans) return false;
    ++reserved_;
    return true;
  }
  void Unreserve() {
    std::lock_guard lock(mu_);
    --reserved_;
  }
  std::shared_ptr<Running> Find(int64_t id) {
    std::lock_guard lock(mu_);
    auto it = scans_.find(id);
    return it == scans_.end() ? nullptr : it->second;
  }
  void Remove(int64_t id) {
    std::shared_ptr<Running> r;
    {
      std::lock_guard lock(mu_);
      auto it = scans_.find(id);
      if (it == scans_.end()) return;
      r = std::move(it->second);
      scans_.erase(it);
    }
    // The scan (and its database query) ends here, outside the lock.
  }
  void CancelAll() {
    std::lock_guard lock(mu_);
    for (auto& [id, r] : scans_) r->Cancel();
  }
  void Audit(nlohmann::json record) {
    if (audit_) audit_->Append(std::move(record));
  }

 private:
  const planner::GatewayConfig& config_;
  std::string source_;
  planner::Catalog catalog_;
  PseudonymiserCache keys_;
  std::unique_ptr<policy::AuditLog> audit_;
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<Running>> scans_;
  int64_t next_id_ = 0;
  int reserved_ = 0;
};

class AgentHandler : public wire::FedgateAgentIf {
 public:
  AgentHandler(Agent& agent, std::string peer) : agent_(agent), peer_(std::move(peer)) {}
  // The connection ended (the gateway closed it, crashed or was cut off): the scans it opened
  // end with it, so no source query outlives its reader.
  ~AgentHandler() override {
    for (int64_t id : opened_) {
      if (auto running = agent_.Find(id)) running->Cancel();
      agent_.Remove(id);
    }
  }

  void hello(wire::Hello& out, int32_t version) override {
    if (version != wire::g_fedgate_agent_constants.PROTOCOL_VERSION) {
      throw AgentError(wire::ErrorKind::VERSION,
                       "this agent speaks protocol version " +
                           std::to_string(wire::g_fedgate_agent_constants.PROTOCOL_VERSION) +
                           ", the gateway " + std::to_string(version) + ": upgrade one of them");
    }
    out.version = wire::g_fedgate_agent_constants.PROTOCOL_VERSION;
    out.agent = std::string("fedgate-agent ") + FEDGATE_VERSION;
    out.source = agent_.source();
    out.dialect = std::string(agent_.catalog().ConnectorFor(agent_.source()).dialect().name);
    out.tables = agent_.catalog().TableNames(agent_.source());
  }

  void describe(std::vector<wire::SourceColumn>& out, const std::string& table) override {
    try {
      const auto& t = agent_.catalog().Table(agent_.source(), table);
      for (const auto& c : t.columns) {
        wire::SourceColumn w;
        w.name = c.name;
        w.type = agent::ToWire(c.type);
        w.source_type = c.person ? "pseudonym" : c.type.ToString();
        out.push_back(w);
      }
    } catch (const Error& e) {
      throw AgentErrorOf(e);
    }
  }

  int64_t open_scan(const std::string& dsa, const std::string& user, const std::string& query_id,
                    const wire::Fragment& fragment, int32_t timeout_seconds) override {
    nlohmann::json record = {{"event", "fragment"}, {"source", agent_.source()}, {"dsa", dsa},
                             {"user", user},        {"query_id", query_id},      {"peer", peer_}};
    if (dsa.empty()) throw AgentError(wire::ErrorKind::INVALID, "no DSA named");
    if (!agent_.Reserve()) {
      record["outcome"] = "busy";
      agent_.Audit(record);
      throw AgentError(wire::ErrorKind::BUSY, "the agent runs its maximum of " +
                                                  std::to_string(agent_.config().agent.max_scans) +
                                                  " scans; retry");
    }
    struct Slot {
      Agent& a;
      ~Slot() { a.Unreserve(); }
    } slot{agent_};
    try {
      planner::LogicalOpPtr op =
          planner::DecodeFragment(fragment, agent_.catalog(), agent_.source());
      connectors::Connector& connector = agent_.catalog().ConnectorFor(agent_.source());
      connectors::Fragment f;
      f.source = agent_.source();
      f.sql = planner::RenderFragmentSql(*op, connector.dialect());
      for (const auto& c : op->columns)
        f.columns.push_back({c.name, c.type, c.type.id == TypeId::kPseudonym});
      nlohmann::json tables = nlohmann::json::array();
      planner::VisitPlan(*op, [&](const planner::LogicalOp& n) {
        if (n.kind == planner::OpKind::kGet) tables.push_back(n.table->name);
      });
      record["tables"] = tables;
      record["sql"] = f.sql;
      connectors::QueryContext ctx;
      ctx.pseudonymiser = &agent_.KeyFor(dsa);
      ctx.timeout_seconds = timeout_seconds;
      ctx.dsa = dsa;
      ctx.user = user;
      ctx.query_id = query_id;
      record["outcome"] = "started";
      // Audited before it runs: nothing leaves unrecorded.
      agent_.Audit(record);
      const int64_t id = agent_.Add(connector.Open(f, ctx));
      opened_.push_back(id);
      return id;
    } catch (const Error& e) {
      record["outcome"] = "refused";
      record["error"] = e.what();
      try {
        agent_.Audit(record);
      } catch (const Error&) {
      }
      throw AgentErrorOf(e);
    }
  }

  void fetch(wire::Batch& out, int64_t id) override {
    auto running = agent_.Find(id);
    if (!running) throw AgentError(wire::ErrorKind::NOT_FOUND, "no scan " + std::to_string(id));
    try {
      out = running->Take();
      if (out.last) agent_.Remove(id);
    } catch (const Error& e) {
      agent_.Remove(id);
      throw AgentErrorOf(e);
    }
  }

  void cancel(int64_t id) override {
    if (auto running = agent_.Find(id)) running->Cancel();
  }

  void close(int64_t id) override { agent_.Remove(id); }

  void health(std::string& out) override { out = "ok"; }

 private:
  Agent& agent_;
  std::string peer_;
  std::vector<int64_t> opened_;  // scans opened on this connection
};

class HandlerFactory : public wire::FedgateAgentIfFactory {
 public:
  explicit HandlerFactory(Agent& agent) : agent_(agent) {}
  wire::FedgateAgentIf* getHandler(const TConnectionInfo& info) override {
    std::string peer = "unknown";
    if (auto socket =
            std::dynamic_pointer_cast<apache::thrift::transport::TSocket>(info.transport)) {
      peer = socket->getPeerAddress() + ":" + std::to_string(socket->getPeerPort());
    }
    return new AgentHandler(agent_, peer);
  }
  void releaseHandler(wire::FedgateAgentIf* handler) override { delete handler; }

 private:
  Agent& agent_;
};

}  // namespace

int AgentCommand(int argc, char** argv) {
  ArgParser args("agent",
                 "Runs the source agent for one provider: serves the source named by the\n"
                 "configuration's agent section to gateways over Thrift with mutual TLS,\n"
                 "pseudonymising its identifier at source. SIGTERM or Ctrl-C: stop.");
  args.Option("config", "FILE",
              "Agent configuration (YAML): agent {listen, source, tls, allowed_gateways, "
              "max_scans}, linkage_secret, audit_log and the source with its tables",
              std::nullopt, true);
  args.Flag("check", "Only load and validate the configuration, print what it would serve, exit");
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;
  const auto config = planner::LoadConfig(args.Get("config"));
  if (!config.has_agent) ThrowInvalid(args.Get("config") + " has no agent section");
  if (args.GetFlag("check")) {
    const auto& source = config.sources.at(config.agent.source);
    std::cout << "agent for source '" << source.name << "' (" << source.kind
              << (source.dialect.empty() ? "" : ", " + source.dialect) << ") on "
              << config.agent.listen_host << ":" << config.agent.listen_port << "; exports";
    for (const auto& [name, t] : source.tables) std::cout << " " << name;
    std::cout << "; accepts";
    for (const auto& g : config.agent.allowed_gateways) std::cout << " " << g;
    std::cout << "\n";
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a gateway that hangs up must not kill the agent
  Agent agent(config);
  // Check the manifest against the database before serving.
  for (const auto& table : agent.catalog().TableNames(config.agent.source))
    agent.catalog().Table(config.agent.source, table);

  auto tls = agent::ServerTlsFactory(
      {config.agent.tls_ca, config.agent.tls_certificate, config.agent.tls_key},
      config.agent.allowed_gateways);
  auto socket = std::make_shared<apache::thrift::transport::TSSLServerSocket>(
      config.agent.listen_host, config.agent.listen_port, tls);
  apache::thrift::server::TThreadedServer server(
      std::make_shared<wire::FedgateAgentProcessorFactory>(std::make_shared<HandlerFactory>(agent)),
      socket, std::make_shared<apache::thrift::transport::TBufferedTransportFactory>(),
      std::make_shared<apache::thrift::protocol::TBinaryProtocolFactory>(
          agent::kWireStringLimit, agent::kWireContainerLimit, false, true));
  std::signal(SIGINT, OnAgentSignal);
  std::signal(SIGTERM, OnAgentSignal);
  std::thread serving([&server] { server.serve(); });
  // serve() listens first; wait for the port so the line below means "ready".
  for (int i = 0; i < 100 && socket->getPort() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::cerr << "fedgate agent: serving source '" << config.agent.source << "' on "
            << config.agent.listen_host << ":" << config.agent.listen_port << " to "
            << config.agent.allowed_gateways.size() << " gateway certificate(s)\n";
  std::cout << "listening " << config.agent.listen_host << ":" << config.agent.listen_port
            << std::endl;
  while (g_agent_signal == 0) ::pause();
  std::cerr << "fedgate agent: shutting down\n";
  agent.CancelAll();
  server.stop();
  serving.join();
  return 0;
}

}  // namespace fedgate::gateway
