#include "connectors/agent/server/agent_handler.h"

#include <thrift/transport/TSocket.h>

#include "common/error.h"
#include "fedgate_agent_constants.h"
#include "planner/deparse/deparse.h"
#include "planner/wire/fragment_codec.h"

namespace fedgate::agent {

namespace {

using apache::thrift::TConnectionInfo;

wire::AgentError AgentError(wire::ErrorKind::type kind, const std::string& message) {
  wire::AgentError out;
  out.kind = kind;
  out.message = message;
  return out;
}

wire::AgentError AgentErrorOf(const Error& e) {
  return AgentError(ErrorKindOf(e.code()), e.what());
}

class AgentHandler : public wire::FedgateAgentIf {
 public:
  AgentHandler(AgentState& agent, ReidentifyService& reidentify, std::string peer)
      : agent_(agent), reidentify_(reidentify), peer_(std::move(peer)) {}
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
    const AgentState::ScanSlot slot = agent_.ReserveSlot();
    if (!slot) {
      record["outcome"] = "busy";
      agent_.Audit(record);
      throw AgentError(wire::ErrorKind::BUSY, agent_.BusyMessage());
    }
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

  void reidentify(wire::ReidentifyResult& out, const std::string& request,
                  const std::string& signature) override {
    try {
      out = reidentify_.Handle(request, signature, peer_);
    } catch (const Error& e) {
      throw AgentErrorOf(e);
    }
  }

 private:
  AgentState& agent_;
  ReidentifyService& reidentify_;
  std::string peer_;
  std::vector<int64_t> opened_;  // scans opened on this connection
};

class HandlerFactory : public wire::FedgateAgentIfFactory {
 public:
  HandlerFactory(AgentState& agent, ReidentifyService& reidentify)
      : agent_(agent), reidentify_(reidentify) {}
  wire::FedgateAgentIf* getHandler(const TConnectionInfo& info) override {
    std::string peer = "unknown";
    if (auto socket =
            std::dynamic_pointer_cast<apache::thrift::transport::TSocket>(info.transport)) {
      peer = socket->getPeerAddress() + ":" + std::to_string(socket->getPeerPort());
    }
    return new AgentHandler(agent_, reidentify_, peer);
  }
  void releaseHandler(wire::FedgateAgentIf* handler) override { delete handler; }

 private:
  AgentState& agent_;
  ReidentifyService& reidentify_;
};

}  // namespace

std::shared_ptr<wire::FedgateAgentIfFactory> MakeHandlerFactory(AgentState& agent,
                                                                ReidentifyService& reidentify) {
  return std::make_shared<HandlerFactory>(agent, reidentify);
}

}  // namespace fedgate::agent
