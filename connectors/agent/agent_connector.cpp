#include "connectors/agent/agent_connector.h"

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>

#include "FedgateAgent.h"
#include "common/error.h"
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

const sql::Dialect& DialectNamed(const std::string& name, const std::string& source) {
  if (name == "postgresql") return sql::PostgresDialect();
  if (name == "mariadb") return sql::MariaDbDialect();
  if (name == "sqlite") return sql::SqliteDialect();
  if (name == "sqlserver") return sql::SqlServerDialect();
  throw Error(ErrorCode::kSource,
              "source '" + source + "': the agent renders an unknown dialect '" + name + "'");
}

// Turns what a Thrift call threw into an Error naming the source (call inside a catch).
[[noreturn]] void Rethrow(const std::string& source, const std::string& endpoint) {
  const std::string where = "source '" + source + "' (agent at " + endpoint + "): ";
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const wire::AgentError& e) {
    ErrorCode code = ErrorCode::kSource;
    switch (e.kind) {
      case wire::ErrorKind::INVALID:
        code = ErrorCode::kInvalidArgument;
        break;
      case wire::ErrorKind::NOT_FOUND:
        code = ErrorCode::kNotFound;
        break;
      case wire::ErrorKind::REFUSED:
        code = ErrorCode::kPermissionDenied;
        break;
      case wire::ErrorKind::CANCELLED:
        throw Error(ErrorCode::kCancelled, "query cancelled");
      default:
        break;
    }
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
      client_(std::make_shared<TBinaryProtocol>(transport_)) {
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
      TBinaryProtocol protocol(buffer);
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
    reader_ = std::thread([this] { Read(); });
  }

  ~AgentScan() override {
    if (!finished_) Cancel();
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    reader_.join();
    try {
      if (!broken_ && !finished_) link_->client().close(scan_);
    } catch (...) {
    }
  }

  bool Next(Batch& batch) override {
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty() || error_ || finished_; });
    if (!queue_.empty()) {
      batch = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
      rows_ += static_cast<int64_t>(batch.rows);
      return true;
    }
    if (error_) std::rethrow_exception(error_);
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
    cv_.notify_all();
  }

  int64_t rows() const override { return rows_; }

 private:
  static constexpr size_t kAhead = 3;

  void Read() {
    try {
      for (;;) {
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [&] { return queue_.size() < kAhead || stop_; });
          if (stop_) return;
        }
        wire::Batch w;
        try {
          link_->client().fetch(w, scan_);
        } catch (...) {
          broken_ = true;
          if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
          Rethrow(source_, owner_.endpoint());
        }
        if (auto inspect = Inspector()) (*inspect)(source_, w);
        Batch batch = DecodeBatch(w, types_, source_);
        std::lock_guard lock(mu_);
        if (batch.rows > 0) queue_.push_back(std::move(batch));
        if (w.last) finished_ = true;
        cv_.notify_all();
        if (w.last) return;
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      error_ = std::current_exception();
      cv_.notify_all();
    }
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
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread reader_;
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
    dialect_ = &DialectNamed(link->hello().dialect, name_);
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

connectors::Connector::Info AgentConnector::About() {
  auto link = Connect(30000);
  return {"fedgate agent protocol " + std::to_string(link->hello().version) + " over mutual TLS",
          link->hello().agent + " at " + endpoint_ + ", rendering " + link->hello().dialect, ""};
}

}  // namespace fedgate::agent
