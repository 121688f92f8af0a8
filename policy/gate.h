#pragma once

#include <string>

#include "audit/audit_log.h"
#include "engine/query_engine.h"
#include "policy/access.h"
#include "policy/dsa.h"

namespace fedgate::policy {

// Nothing leaves fedgate unless a DSA allows it and disclosure control has run: every query
// goes through here. The DSA must be in force, the user a recipient, the purpose one of its
// purposes, every table and column used shared; the result is protected by the DSA's
// disclosure rules; and an audit record of the query, refusal or failure is written (and
// fsynced) before anything is returned.
class PolicyGate {
 public:
  // `audit` may be null only in tools that release nothing (policy explain).
  PolicyGate(engine::QueryEngine& engine, DsaRegistry& registry, audit::AuditLog* audit)
      : engine_(engine), registry_(registry), audit_(audit) {}

  engine::QueryResult Query(const Session& session, const std::string& dsa_id,
                            const std::string& sql, engine::QueryOptions options = {});
  engine::ExplainResult Explain(const Session& session, const std::string& dsa_id,
                                const std::string& sql, engine::QueryOptions options = {});
  // The columns the query would return (DESCRIBE OUTPUT), after the DSA's checks.
  std::vector<engine::ResultColumn> Describe(const Session& session, const std::string& dsa_id,
                                             const std::string& sql,
                                             engine::QueryOptions options = {});
  // For `fedgate policy explain`: what the DSA shares, which rules will apply, and whether
  // (and why) the query would be refused. Runs nothing.
  std::string ExplainPolicy(const Session& session, const std::string& dsa_id,
                            const std::string& sql);

  // For a request made of several queries (the linkage report): the DSA, after the checks
  // that need no SQL (in force, recipient, purpose); a refusal is audited as `event` and
  // rethrown.
  std::shared_ptr<const Dsa> Authorize(const Session& session, const std::string& dsa_id,
                                       const char* event);
  // Records a reload of the DSA directory in the audit trail.
  void AuditReload(const DsaRegistry::ReloadReport& report);
  // Records a metadata statement (SHOW TABLES, DESCRIBE, ...) answered from a DSA's allowlist:
  // `error` empty when it was answered.
  void AuditMetadata(const Session& session, const std::string& dsa_id, const std::string& sql,
                     const std::string& error);

 private:
  // The options a DSA imposes; throws (and audits) when access is refused.
  engine::QueryOptions Govern(const Dsa& dsa, const Session& session, engine::QueryOptions options);

  engine::QueryEngine& engine_;
  DsaRegistry& registry_;
  audit::AuditLog* audit_;
};

// The DSA's disclosure rules as text ("min_persons 10; counts rounded to 5; ...").
std::string DescribeRules(const Dsa& dsa);
// What `fedgate policy lint` and POST /api/v1/dsas/validate warn about in a valid DSA (it
// still loads): an id with characters other than [a-z0-9_], which BI tools that write the
// catalog into SQL unquoted cannot use everywhere (fedgate quotes it for them where it can).
std::vector<std::string> DsaWarnings(const Dsa& dsa);

}  // namespace fedgate::policy
