#include "connectors/agent/agent_connector.h"

#include <signal.h>

#include <atomic>
#include <csignal>
#include <mutex>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>

#include "FedgateAgent.h"
#include "common/error.h"
#include "common/read_ahead.h"
#include "connectors/agent/wire_batch.h"
#include "fedgate_agent_constants.h"

namespace fedgate::agent {

namespace {

using apache::thrift::TException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TSSLSocket;
using apache::thrift::transport::TTransportException;

// Turns what a Thrift call threw into an Error naming the source (call inside a catch).
[[noreturn]] void Rethrow(const std::string& source, const std::string& endpoint) {
  const std::string where = "source '" + source + "' (agent at " + endpoint + "): ";
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const wire::AgentError& e) {
    const ErrorCode code = ErrorCodeOf(e.kind);
    if (code == ErrorCode::kCancelled) throw Error(code, "query cancelled");
    throw Error(code, where + e.message);
  } catch (const TTransportException& e) {
    throw Error(ErrorCode::kSource, where + "connection failed: " + e.what());
  } catch (const TException& e) {
    throw Error(ErrorCode::kSource, where + e.what());
  }
}

}  // namespace

AgentConnector::Link::Link(const AgentConnector& owner, int receive_timeout_ms)
    : socket_(owner.tls_->createSocket(owner.host_, owner.port_)),
      transport_(std::make_shared<TBufferedTransport>(socket_, 1 << 16, 1 << 16)),
      client_(std::make_shared<TBinaryProtocol>(transport_, kWireStringLimit, kWireContainerLimit,
                                                false, true)) {
  socket_->setConnTimeout(10000);
  socket_->setSendTimeout(60000);
  socket_->setRecvTimeout(receive_timeout_ms);
  transport_->open();
  client_.hello(hello_, wire::g_fedgate_agent_constants.PROTOCOL_VERSION);
}

AgentConnector::Link::~Link() {
  try {
    transport_->close();
  } catch (...) {
  }
}

namespace {

std::mutex g_inspector_mu;
std::shared_ptr<const BatchInspector> g_inspector;

std::shared_ptr<const BatchInspector> Inspector() {
  std::lock_guard lock(g_inspector_mu);
  return g_inspector;
}

// Batches are fetched and decoded by a thread of the scan's own, a few ahead of Next(), so the
// network and the agent keep working while the engine consumes the last batch.
class AgentScan : public connectors::Scan {
 public:
  AgentScan(const AgentConnector& owner, const connectors::Fragment& fragment,
            const connectors::QueryContext& context)
      : owner_(owner), source_(fragment.source) {
    for (const auto& c : fragment.columns) types_.push_back(c.type);
    wire::Fragment structured;
    try {
      auto buffer = std::make_shared<TMemoryBuffer>(
          reinterpret_cast<uint8_t*>(const_cast<char*>(fragment.structured.data())),
          static_cast<uint32_t>(fragment.structured.size()));
      TBinaryProtocol protocol(buffer, kWireStringLimit, kWireContainerLimit, false, true);
      structured.read(&protocol);
    } catch (const TException& e) {
      throw Error(ErrorCode::kInternal,
                  "cannot read the structured fragment: " + std::string(e.what()));
    }
    try {
      link_ = owner_.Connect();
      scan_ = link_->client().open_scan(context.dsa, context.user, context.query_id, structured,
                                        context.timeout_seconds);
    } catch (...) {
      Rethrow(source_, owner_.endpoint());
    }
    ahead_ =
        std::make_unique<ReadAhead<Batch>>(kAhead, [this](Batch& batch) { return Fetch(batch); });
  }

  ~AgentScan() override {
    if (!finished_) Cancel();  // a fetch blocked in the reader thread returns
    ahead_.reset();
    try {
      if (!broken_ && !finished_) link_->client().close(scan_);
    } catch (...) {
    }
  }

  bool Next(Batch& batch) override {
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    while (ahead_->Take(batch)) {
      if (batch.rows == 0) continue;  // an empty (last) batch carries nothing
      rows_ += static_cast<int64_t>(batch.rows);
      return true;
    }
    batch.columns.clear();
    for (const auto& t : types_) batch.columns.emplace_back(t);
    batch.rows = 0;
    return false;
  }

  // On a connection of its own: the scan's is busy with a blocked fetch.
  void Cancel() override {
    if (cancelled_.exchange(true) || finished_) return;
    try {
      owner_.Connect(5000)->client().cancel(scan_);
    } catch (...) {
      // The agent is gone: nothing left to stop.
    }
  }

  int64_t rows() const override { return rows_; }

 private:
  static constexpr size_t kAhead = 3;

  // The reader thread's step: the next batch from the agent, decoded; false after the last.
  bool Fetch(Batch& batch) {
    wire::Batch w;
    try {
      link_->client().fetch(w, scan_);
    } catch (...) {
      broken_ = true;
      if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
      Rethrow(source_, owner_.endpoint());
    }
    if (auto inspect = Inspector()) (*inspect)(source_, w);
    batch = DecodeBatch(w, types_, source_);
    if (w.last) finished_ = true;
    return !w.last;
  }

  const AgentConnector& owner_;
  std::string source_;
  std::vector<DataType> types_;
  std::unique_ptr<AgentConnector::Link> link_;
  int64_t scan_ = 0;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> broken_{false};
  std::atomic<int64_t> rows_{0};
  std::unique_ptr<ReadAhead<Batch>> ahead_;  // fetches and decodes a few batches ahead
};

}  // namespace

void SetReceivedBatchInspector(BatchInspector inspector) {
  std::lock_guard lock(g_inspector_mu);
  g_inspector = inspector ? std::make_shared<const BatchInspector>(std::move(inspector)) : nullptr;
}

AgentConnector::AgentConnector(std::string name, std::string host, int port, TlsFiles tls)
    : name_(std::move(name)),
      host_(std::move(host)),
      port_(port),
      endpoint_(host_ + ":" + std::to_string(port_)),
      tls_(ClientTlsFactory(tls)) {
  // OpenSSL writes with write(): an agent that died would kill this process with SIGPIPE
  // instead of failing the one query. Ignore it unless the program handles it itself.
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
    std::signal(SIGPIPE, SIG_IGN);
}

std::unique_ptr<AgentConnector::Link> AgentConnector::Connect(int receive_timeout_ms) const {
  try {
    auto link = std::make_unique<Link>(*this, receive_timeout_ms);
    if (link->hello().source != name_) {
      throw Error(ErrorCode::kSource, "source '" + name_ + "': the agent at " + endpoint_ +
                                          " serves source '" + link->hello().source + "'");
    }
    return link;
  } catch (...) {
    Rethrow(name_, endpoint_);
  }
}

const sql::Dialect& AgentConnector::dialect() const {
  std::lock_guard lock(mu_);
  if (!dialect_) {
    auto link = Connect(30000);
    dialect_ = sql::DialectNamed(link->hello().dialect);
    if (!dialect_) {
      throw Error(ErrorCode::kSource, "source '" + name_ +
                                          "': the agent renders an unknown "
                                          "dialect '" +
                                          link->hello().dialect + "'");
    }
    agent_ = link->hello().agent;
  }
  return *dialect_;
}

std::vector<connectors::SourceColumn> AgentConnector::Describe(const std::string& table) {
  std::vector<wire::SourceColumn> columns;
  try {
    Connect(30000)->client().describe(columns, table);
  } catch (...) {
    Rethrow(name_, endpoint_);
  }
  std::vector<connectors::SourceColumn> out;
  for (const auto& c : columns) out.push_back({c.name, FromWire(c.type), c.source_type});
  return out;
}

std::unique_ptr<connectors::Scan> AgentConnector::Open(const connectors::Fragment& fragment,
                                                       const connectors::QueryContext& context) {
  return std::make_unique<AgentScan>(*this, fragment, context);
}

wire::ReidentifyResult AgentConnector::Reidentify(const std::string& request,
                                                  const std::string& signature) const {
  wire::ReidentifyResult out;
  try {
    Connect(60000)->client().reidentify(out, request, signature);
  } catch (...) {
    Rethrow(name_, endpoint_);
  }
  return out;
}

connectors::Connector::Info AgentConnector::About() {
  auto link = Connect(30000);
  return {"fedgate agent protocol " + std::to_string(link->hello().version) + " over mutual TLS",
          link->hello().agent + " at " + endpoint_ + ", rendering " + link->hello().dialect, ""};
}

}  // namespace fedgate::agent
