#pragma once

// Re-identification at the source agent (DESIGN.md "Re-identification"): the only place
// fedgate turns pseudonyms back into NHS numbers, and only for the requester's own patients.
//
// Handle() refuses (wire::AgentError REFUSED or INVALID, each audited with the reason) unless:
// the request is signed with the gateway key of agent.reidentification.gateway_key over the
// exact bytes received; its DSA and purpose are in the agent's own allow list (the provider's
// decision, independent of the gateway's DSA files); it was issued within max_age_seconds and
// its id has not been seen; it names a user, an organisation code and a reason; it asks for at
// most max_persons pseudonyms of 16 bytes; it names this agent's source, an organisation code
// the allow entry lists (when it lists any) and a 32-byte X25519 recipient key; it was issued
// after the agent started (the replay list is in memory); and the organisation stays within
// max_persons_per_day. Any failure after that is audited as such.
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
#include <set>
#include <string>

#include <nlohmann/json.hpp>

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
  using Clock = std::chrono::system_clock;
  // After the checks: reads the registrations, matches and seals (throws on failure).
  wire::ReidentifyResult Run(const wire::ReidentifyRequest& req,
                             const std::set<std::string>& wanted, nlohmann::json& record);
  // Records request `id`, kept until it could no longer be fresh; false when seen before.
  bool FirstUse(const std::string& id, Clock::time_point keep_until);
  // Adds `persons` to the day's count for `organisation` if it stays within the agent's
  // max_persons_per_day (returns false, changing nothing, when it would not).
  bool ChargeDay(const std::string& organisation, int64_t persons);

  AgentState& agent_;
  std::optional<VerifyKey> gateway_key_;  // empty: this agent does not re-identify
  const int64_t started_at_;              // Unix seconds: older requests are refused
  std::mutex mu_;
  std::map<std::string, Clock::time_point> seen_;           // request id -> kept until
  std::map<std::pair<std::string, int64_t>, int64_t> day_;  // (organisation, day) -> persons
};

}  // namespace fedgate::agent
