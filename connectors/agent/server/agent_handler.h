#pragma once

#include <memory>

#include "FedgateAgent.h"
#include "connectors/agent/server/agent_state.h"
#include "connectors/agent/server/reidentify.h"

namespace fedgate::agent {

// The Thrift service of a source agent: one handler per gateway connection (the peer is
// named in every audit record). A handler checks each structured fragment against the
// export manifest (DecodeFragment), renders the source's SQL itself, audits the fragment
// *before* it runs (outcome started, refused or busy) and streams the scan's batches; the
// scans a connection opened end when it closes, so no source query outlives its reader.
// Errors reach the gateway as wire::AgentError with the ErrorKind of fedgate's ErrorCode.
// reidentify() goes to `reidentify` (reidentify.h).
// REQUIRES: `agent` and `reidentify` outlive the factory and every handler it made.
std::shared_ptr<wire::FedgateAgentIfFactory> MakeHandlerFactory(AgentState& agent,
                                                                ReidentifyService& reidentify);

}  // namespace fedgate::agent
