#pragma once

#include <memory>

#include "FedgateAgent.h"
#include "connectors/agent/server/agent_state.h"

namespace fedgate::agent {

// The Thrift service of a source agent: one handler per gateway connection (the peer is
// named in every audit record). A handler checks each structured fragment against the
// export manifest (DecodeFragment), renders the source's SQL itself, audits the fragment
// *before* it runs (outcome started, refused or busy) and streams the scan's batches; the
// scans a connection opened end when it closes, so no source query outlives its reader.
// Errors reach the gateway as wire::AgentError with the ErrorKind of fedgate's ErrorCode.
// REQUIRES: `agent` outlives the factory and every handler it made.
std::shared_ptr<wire::FedgateAgentIfFactory> MakeHandlerFactory(AgentState& agent);

}  // namespace fedgate::agent
