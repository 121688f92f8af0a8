#include "policy/gate.h"

#include <cctype>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::policy {

namespace {

nlohmann::json BaseRecord(const char* event, const Session& s, const std::string& dsa_id,
                          const Dsa* dsa, const std::string& sql) {
  nlohmann::json j;
  j["event"] = event;
  j["user"] = s.user;
  j["role"] = s.role;
  j["organisation"] = s.organisation;
  j["purpose"] = s.purpose;
  j["dsa"] = dsa_id;
  j["dsa_file_sha256"] = dsa ? dsa->file_sha256 : "";
  j["sql"] = sql;
  return j;
}

}  // namespace

std::string DescribeRules(const Dsa& d) {
  std::string out = d.disclosure.Describe();
  out += d.level == OutputLevel::kAggregate
             ? "; aggregated output only"
             : "; pseudonymised records allowed (person_id re-keyed for output)";
  if (d.reidentification) {
    const auto& r = *d.reidentification;
    out += "; re-identification for direct care through " + r.source + "'s agent by " +
           std::to_string(r.requesters.size()) + " requester(s), at most " +
           std::to_string(r.max_persons_per_request) + " persons a request and " +
           std::to_string(r.max_persons_per_day) + " a day per user";
  }
  return out;
}

std::vector<std::string> DsaWarnings(const Dsa& dsa) {
  std::vector<std::string> out;
  for (char c : dsa.id) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      std::string suggested = dsa.id;
      for (char& k : suggested) {
        k = static_cast<char>(std::tolower(static_cast<unsigned char>(k)));
        if (!std::isalnum(static_cast<unsigned char>(k))) k = '_';
      }
      out.push_back("DSA id '" + dsa.id +
                    "' has characters other than a-z, 0-9 and _: BI tools that write the catalog "
                    "into SQL unquoted may fail with it; a new DSA should be named like '" +
                    suggested + "' (this one keeps working)");
      break;
    }
  }
  if (!dsa.disclosure.cell_key_perturbation) {
    // Measured by tests/policy/differencing_test.cpp; policy/README.md gives the figures.
    out.push_back(
        "DSA " + dsa.id +
        " has no perturbation (output.perturbation: cell-key): two queries whose answers differ "
        "by one person can reveal that person's attribute (differencing), which thresholds and "
        "rounding alone do not stop; see policy/README.md, 'Differencing'");
  }
  return out;
}

engine::QueryOptions PolicyGate::Govern(const Dsa& dsa, const Session& session,
                                        engine::QueryOptions options) {
  CheckAccess(dsa, session, TodayUtc());
  options.dsa = dsa.id;
  options.user = session.user;
  options.disclosure = std::make_shared<disclosure::Rules>(dsa.disclosure);
  options.allow_records = dsa.level == OutputLevel::kPseudonymisedRecords;
  options.check = [&dsa](const planner::BoundQuery& q) { CheckQueryScope(dsa, q); };
  return options;
}

engine::QueryResult PolicyGate::Query(const Session& session, const std::string& dsa_id,
                                      const std::string& sql, engine::QueryOptions options) {
  std::shared_ptr<const Dsa> dsa;
  nlohmann::json record;
  const std::vector<std::string> parameters = options.parameter_texts;  // options is moved
  // A cohort query's rows stay in the gateway (reidentification/): recorded as such.
  const bool cohort = options.cohort != nullptr;
  try {
    dsa = registry_.Get(dsa_id);
    record = BaseRecord("query", session, dsa_id, dsa.get(), sql);
    if (!parameters.empty()) record["parameters"] = parameters;
    if (cohort) record["cohort"] = true;
    auto result = engine_.Run(sql, Govern(*dsa, session, std::move(options)));
    record["outcome"] = "released";
    record["rows"] = result.rows.rows;
    record["rows_withheld"] = result.disclosure.suppressed_rows;
    record["rules"] = result.disclosure.rule_counts;
    nlohmann::json fragments = nlohmann::json::array();
    for (const auto& f : result.fragments)
      fragments.push_back({{"source", f.source}, {"sql", f.sql}, {"rows", f.rows}});
    record["fragments"] = std::move(fragments);
    if (audit_) audit_->Append(record);  // before the result leaves
    return result;
  } catch (const Error& e) {
    if (record.is_null()) record = BaseRecord("query", session, dsa_id, dsa.get(), sql);
    if (!parameters.empty()) record["parameters"] = parameters;
    if (cohort) record["cohort"] = true;
    if (!record.contains("outcome")) {
      record["outcome"] =
          e.code() == ErrorCode::kPermissionDenied || e.code() == ErrorCode::kNotFound ? "refused"
                                                                                       : "failed";
      record["error"] = e.what();
      record["error_code"] = std::string(ErrorCodeName(e.code()));
      if (audit_) audit_->Append(record);
    }
    throw;
  }
}

std::shared_ptr<const Dsa> PolicyGate::Authorize(const Session& session, const std::string& dsa_id,
                                                 const char* event) {
  std::shared_ptr<const Dsa> dsa;
  try {
    dsa = registry_.Get(dsa_id);
    CheckAccess(*dsa, session, TodayUtc());
    return dsa;
  } catch (const Error& e) {
    nlohmann::json record = BaseRecord(event, session, dsa_id, dsa.get(), "");
    record["outcome"] = "refused";
    record["error"] = e.what();
    record["error_code"] = std::string(ErrorCodeName(e.code()));
    if (audit_) audit_->Append(record);
    throw;
  }
}

engine::ExplainResult PolicyGate::Explain(const Session& session, const std::string& dsa_id,
                                          const std::string& sql, engine::QueryOptions options) {
  auto dsa = registry_.Get(dsa_id);
  return engine_.Explain(sql, Govern(*dsa, session, std::move(options)));
}

std::vector<engine::ResultColumn> PolicyGate::Describe(const Session& session,
                                                       const std::string& dsa_id,
                                                       const std::string& sql,
                                                       engine::QueryOptions options) {
  auto dsa = registry_.Get(dsa_id);
  return engine_.Describe(sql, Govern(*dsa, session, std::move(options)));
}

std::string PolicyGate::ExplainPolicy(const Session& session, const std::string& dsa_id,
                                      const std::string& sql) {
  auto dsa = registry_.Get(dsa_id);
  std::string out = "DSA " + dsa->id + (dsa->title.empty() ? "" : " (" + dsa->title + ")") +
                    ", owner " + dsa->owner + ", valid " + FormatIsoDate(dsa->valid_from) + " to " +
                    FormatIsoDate(dsa->valid_until) + "\n";
  out += "file " + dsa->file + " sha256 " + dsa->file_sha256 + "\n";
  out += "shared tables and columns:\n";
  for (const auto& [table, rule] : dsa->datasets) {
    std::string cols;
    if (rule.all) {
      cols = "all columns";
      if (!rule.except.empty()) {
        cols += " except";
        for (const auto& c : rule.except) cols += " " + c;
      }
    } else {
      for (const auto& c : rule.columns) cols += (cols.empty() ? "" : ", ") + c;
    }
    out += "  " + table + ": " + cols + "\n";
  }
  out += "disclosure control: " + DescribeRules(*dsa) + "\n";
  if (sql.empty()) return out;
  try {
    auto plan = engine_.Explain(sql, Govern(*dsa, session, {}));
    out += "this query would run; plan:\n" + plan.plan;
  } catch (const Error& e) {
    out += "this query would be refused: " + std::string(e.what()) + "\n";
  }
  return out;
}

void PolicyGate::AuditMetadata(const Session& session, const std::string& dsa_id,
                               const std::string& sql, const std::string& error) {
  if (!audit_) return;
  std::shared_ptr<const Dsa> dsa;
  try {
    if (!dsa_id.empty()) dsa = registry_.Get(dsa_id);
  } catch (const Error&) {
  }
  nlohmann::json j = BaseRecord("metadata", session, dsa_id, dsa.get(), sql);
  j["outcome"] = error.empty() ? "released" : "refused";
  if (!error.empty()) j["error"] = error;
  audit_->Append(j);
}

void PolicyGate::AuditReload(const DsaRegistry::ReloadReport& report) {
  if (!audit_) return;
  nlohmann::json j;
  j["event"] = "policy_reload";
  j["directory"] = registry_.directory();
  j["loaded"] = report.loaded;
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& p : report.rejected)
    rejected.push_back({{"file", p.file}, {"error", p.message}});
  j["rejected"] = std::move(rejected);
  audit_->Append(j);
}

}  // namespace fedgate::policy
