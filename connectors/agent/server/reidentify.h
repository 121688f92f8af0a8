#pragma once

// Re-identification at the source agent (DESIGN.md "Re-identification"): the only place
// fedgate turns pseudonyms back into NHS numbers, and only for the requester's own patients.
//
// Handle() refuses (wire::AgentError REFUSED or INVALID, each audited with the reason) unless:
// the request is signed with the gateway key of agent.reidentification.gateway_key over the
// exact bytes received; its DSA and purpose are in the agent's own allow list (the provider's
// decision, independent of the gateway's DSA files); it was issued within max_age_seconds and
// its id has not been seen; it names a user, an organisation code and a reason; it asks for at
// most max_persons pseudonyms of 16 bytes; and it carries a 32-byte X25519 recipient key.
// Then it audits the request (outcome started) *before* reading anything, computes the
// pseudonym under the request's DSA of each patient whose `organisation_column` equals the
// organisation code, and seals the NHS numbers and local ids of the matches only to the
// recipient key (the gateway relays the box and cannot open it). A second audit record holds
// the outcome, the counts and the local ids released. Thread-safe.
// REQUIRES: `agent` outlives the service.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "FedgateAgent.h"
#include "common/signature.h"
#include "connectors/agent/server/agent_state.h"

namespace fedgate::agent {

class ReidentifyService {
 public:
  // Loads the gateway's public key; throws Error(kInvalidArgument) naming a bad key file or a
  // local_id_column the table does not export.
  explicit ReidentifyService(AgentState& agent);

  wire::ReidentifyResult Handle(const std::string& request, const std::string& signature,
                                const std::string& peer);

 private:
  // Forgets ids older than max_age and records `id`; false when it was seen already.
  bool FirstUse(const std::string& id, std::chrono::system_clock::time_point now);

  AgentState& agent_;
  std::optional<VerifyKey> gateway_key_;  // empty: this agent does not re-identify
  std::mutex mu_;
  std::map<std::string, std::chrono::system_clock::time_point> seen_;  // request id -> when
};

}  // namespace fedgate::agent
