#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>

#include "FedgateAgent.h"
#include "connectors/agent/agent_tls.h"
#include "connectors/connector.h"

namespace fedgate::agent {

// A source behind a fedgate agent (fedgate agent --config ...), reached over Thrift with
// mutual TLS. Fragments go as structured operator trees (Fragment::structured), never SQL;
// the agent renders its own SQL, pseudonymises at source and streams columnar batches, so no
// identifier and no linkage secret ever reach the gateway. The dialect is the agent's (asked
// with hello() on first use), so pushdown decisions match what it can render. Constructing one
// ignores SIGPIPE process-wide unless the program installed its own handler (TLS writes to a
// dead agent must fail the query, not kill the process).
class AgentConnector : public connectors::Connector {
 public:
  AgentConnector(std::string name, std::string host, int port, TlsFiles tls);

  const std::string& name() const override { return name_; }
  // Asks the agent on first use. Throws Error(kSource) when it cannot be reached.
  const sql::Dialect& dialect() const override;
  std::vector<connectors::SourceColumn> Describe(const std::string& table) override;
  std::unique_ptr<connectors::Scan> Open(const connectors::Fragment& fragment,
                                         const connectors::QueryContext& context) override;
  Info About() override;
  bool TakesStructuredFragments() const override { return true; }

  // One TLS connection to the agent with hello() done; throws Error(kSource) naming the
  // source and the endpoint.
  class Link {
   public:
    Link(const AgentConnector& owner, int receive_timeout_ms);
    ~Link();
    wire::FedgateAgentClient& client() { return client_; }
    const wire::Hello& hello() const { return hello_; }

   private:
    std::shared_ptr<apache::thrift::transport::TSSLSocket> socket_;
    std::shared_ptr<apache::thrift::transport::TBufferedTransport> transport_;
    wire::FedgateAgentClient client_;
    wire::Hello hello_;
  };
  std::unique_ptr<Link> Connect(int receive_timeout_ms = 0) const;
  // Asks the agent to re-identify (reidentify_request.h): `request` is the serialised
  // wire::ReidentifyRequest, `signature` the gateway's over it. Throws Error with the code of
  // the agent's refusal (kPermissionDenied, kInvalidArgument, ...) naming the source.
  wire::ReidentifyResult Reidentify(const std::string& request, const std::string& signature) const;
  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string name_;
  std::string host_;
  int port_;
  std::string endpoint_;
  std::shared_ptr<apache::thrift::transport::TSSLSocketFactory> tls_;
  mutable std::mutex mu_;
  mutable const sql::Dialect* dialect_ = nullptr;
  mutable std::string agent_;
};

// For tests: called with every batch an agent connector receives, as received (before
// decoding), from the connector's reader thread. Null to stop.
using BatchInspector = std::function<void(const std::string& source, const wire::Batch& batch)>;
void SetReceivedBatchInspector(BatchInspector inspector);

}  // namespace fedgate::agent
