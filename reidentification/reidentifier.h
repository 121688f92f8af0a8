#pragma once

// Re-identification for direct care, the gateway's half (DESIGN.md "Re-identification").
//
//   MakeCohort:  a direct-care user's cohort query (through the PolicyGate, so audited and
//                checked like any query, under a DSA whose output level allows records and
//                whose `reidentification` names the user) -> a cohort token and a count; the
//                linkage pseudonyms stay here (CohortStore).
//   Reidentify:  the token, a reason and the user's X25519 public key -> the DSA's rule
//                checked again (requester, purpose, per-request and per-day limits), an audit
//                record, then a request signed with reidentification_key to the agent of the
//                rule's source, which answers for its patients registered with the user's
//                organisation only, sealed to the user's key. The gateway relays the sealed box
//                and the counts; it never holds the linkage secret or an NHS number.
//
// Errors: Error(kPermissionDenied) naming the rule for every refusal, kNotFound for an unknown
// or expired cohort, kInvalidArgument for a malformed request, kSource from the agent.
// Thread-safe. REQUIRES: every argument of the constructor outlives the Reidentifier.

#include <string>

#include "audit/audit_log.h"
#include "common/sealed_box.h"
#include "common/signature.h"
#include "config/config.h"
#include "engine/query_engine.h"
#include "policy/gate.h"
#include "reidentification/cohorts.h"

namespace fedgate::reidentification {

struct CohortInfo {
  std::string token;
  std::string id;
  int64_t persons = 0;
  std::string expires;  // ISO 8601, UTC
  std::string source;   // whose agent will re-identify
};

struct Reidentified {
  std::string request_id;
  std::string source;
  int64_t requested = 0;
  int64_t matched = 0;
  int64_t left_out = 0;
  int64_t used_today = 0;  // after this request
  int64_t limit_per_day = 0;
  SealedBox box;  // JSON [{"nhs_number", "local_id"}], context = request_id
};

class Reidentifier {
 public:
  Reidentifier(const config::GatewayConfig& config, engine::QueryEngine& engine,
               policy::DsaRegistry& registry, policy::PolicyGate& gate, audit::AuditLog* audit);

  CohortInfo MakeCohort(const policy::Session& session, const std::string& dsa_id,
                        const std::string& sql);
  Reidentified Reidentify(const policy::Session& session, const std::string& token,
                          const std::string& reason, const std::string& recipient_key);

 private:
  // The DSA's rule, after checking `session` may use it; throws kPermissionDenied.
  const policy::ReidentificationRule& RuleFor(const policy::Dsa& dsa,
                                              const policy::Session& session) const;

  static constexpr int kMaxCohortsPerUser = 20;
  // The re-identifications released today, read back from the audit log, so a restart does
  // not reset the daily limits.
  void RestoreUsage();

  const config::GatewayConfig& config_;
  engine::QueryEngine& engine_;
  policy::DsaRegistry& registry_;
  policy::PolicyGate& gate_;
  audit::AuditLog* audit_;
  std::optional<SigningKey> key_;  // empty: no reidentification_key configured
  CohortStore cohorts_;
};

}  // namespace fedgate::reidentification
