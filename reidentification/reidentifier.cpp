#include "reidentification/reidentifier.h"

#include <fstream>
#include <limits>

#include "common/date.h"
#include "common/error.h"
#include "common/random.h"
#include "connectors/agent/agent_connector.h"
#include "connectors/agent/reidentify_request.h"
#include "policy/access.h"

namespace fedgate::reidentification {

namespace {

[[noreturn]] void Refuse(const std::string& dsa, const std::string& why) {
  throw Error(ErrorCode::kPermissionDenied,
              "refused by rule 'reidentification' of DSA " + dsa + ": " + why);
}

std::string Iso(std::chrono::system_clock::time_point t) {
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::string out = FormatIsoTimestamp(micros) + "Z";
  out[10] = 'T';
  return out;
}

}  // namespace

Reidentifier::Reidentifier(const config::GatewayConfig& config, engine::QueryEngine& engine,
                           policy::DsaRegistry& registry, policy::PolicyGate& gate,
                           audit::AuditLog* audit)
    : config_(config), engine_(engine), registry_(registry), gate_(gate), audit_(audit) {
  // Without a signing key nothing can be re-identified, so there is no usage to restore
  // (and no reason to read the audit log at start-up).
  if (!config.reidentification_key.empty()) {
    key_ = SigningKey::FromPemFile(config.reidentification_key);
    RestoreUsage();
  }
}

const policy::ReidentificationRule& Reidentifier::RuleFor(const policy::Dsa& dsa,
                                                          const policy::Session& session) const {
  if (!dsa.reidentification) Refuse(dsa.id, "the DSA allows no re-identification");
  const auto& rule = *dsa.reidentification;
  if (!rule.IsRequester(session.role, session.organisation))
    Refuse(dsa.id, "role '" + session.role + "' of organisation '" + session.organisation +
                       "' is not one of its requesters");
  if (std::find(rule.purposes.begin(), rule.purposes.end(), session.purpose) == rule.purposes.end())
    Refuse(dsa.id, "purpose '" + session.purpose + "' is not one it allows re-identification for");
  return rule;
}

CohortInfo Reidentifier::MakeCohort(const policy::Session& session, const std::string& dsa_id,
                                    const std::string& sql) {
  nlohmann::json record = {{"event", "cohort"},          {"user", session.user},
                           {"role", session.role},       {"organisation", session.organisation},
                           {"purpose", session.purpose}, {"dsa", dsa_id}};
  auto audit = [&](const char* outcome) {
    record["outcome"] = outcome;
    if (audit_) audit_->Append(record);
  };
  bool queried = false;  // the gate audits the query's own refusals and failures
  try {
    auto dsa = registry_.Get(dsa_id);
    const auto& rule = RuleFor(*dsa, session);
    std::vector<Pseudonym> persons;
    engine::QueryOptions options;
    options.cohort = &persons;
    queried = true;
    gate_.Query(session, dsa_id, sql, std::move(options));  // checked and audited as a query
    queried = false;
    Cohort cohort;
    cohort.user = session.user;
    cohort.dsa = dsa->id;
    cohort.purpose = session.purpose;
    cohort.persons = std::move(persons);
    CohortInfo out;
    out.persons = static_cast<int64_t>(cohort.persons.size());
    record["persons"] = out.persons;
    // Nothing larger than one request may take is kept, nor more than a few at a time.
    if (out.persons > rule.max_persons_per_request)
      Refuse(dsa->id, "the cohort holds " + std::to_string(out.persons) + " persons; at most " +
                          std::to_string(rule.max_persons_per_request) + " per request");
    if (cohorts_.Held(session.user) >= kMaxCohortsPerUser)
      Refuse(dsa->id, "you hold " + std::to_string(kMaxCohortsPerUser) +
                          " cohorts already; use them or let them expire first");
    cohort.expires = std::chrono::system_clock::now() + std::chrono::minutes(rule.cohort_minutes);
    out.expires = Iso(cohort.expires);
    out.token = cohorts_.Put(std::move(cohort));
    out.id = CohortStore::IdOf(out.token);
    out.source = rule.source;
    record["cohort"] = out.id;
    record["expires"] = out.expires;
    audit("kept");
    return out;
  } catch (const Error& e) {
    if (!queried && !record.contains("outcome")) {
      record["error"] = e.what();
      audit(e.code() == ErrorCode::kPermissionDenied ? "refused" : "failed");
    }
    throw;
  }
}

Reidentified Reidentifier::Reidentify(const policy::Session& session, const std::string& token,
                                      const std::string& reason, const std::string& recipient_key) {
  // The request itself first, so a malformed one does not use up the cohort.
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(ErrorCode::kInvalidArgument, "give the reason for re-identification");
  if (reason.size() > 1000)
    throw Error(ErrorCode::kInvalidArgument, "the reason is longer than 1000 characters");
  if (!IsUsableX25519Key(recipient_key))
    throw Error(ErrorCode::kInvalidArgument,
                "public_key must be your X25519 public key (32 bytes, base64): the answer is "
                "sealed to it, so only you can read the NHS numbers");
  auto cohort = cohorts_.Take(token, session.user);  // one request per cohort
  if (!cohort)
    throw Error(ErrorCode::kNotFound,
                "no cohort of yours with that token (a cohort serves one request and expires "
                "after the DSA's cohort_minutes; run the cohort query again)");
  nlohmann::json record = {{"event", "reidentify"},
                           {"cohort", cohort->id},
                           {"user", session.user},
                           {"role", session.role},
                           {"organisation", session.organisation},
                           {"purpose", cohort->purpose},
                           {"dsa", cohort->dsa},
                           {"reason", reason},
                           {"requested", cohort->persons.size()}};
  auto audit = [&](const char* outcome) {
    record["outcome"] = outcome;
    if (audit_) audit_->Append(record);
  };
  try {
    policy::Session as_asked = session;
    as_asked.purpose = cohort->purpose;
    auto dsa = registry_.Get(cohort->dsa);  // still in force
    policy::CheckAccess(*dsa, as_asked, policy::TodayUtc());
    const auto& rule = RuleFor(*dsa, as_asked);
    record["source"] = rule.source;
    const int64_t n = static_cast<int64_t>(cohort->persons.size());
    if (n > rule.max_persons_per_request)
      Refuse(dsa->id, "the cohort holds " + std::to_string(n) + " persons; at most " +
                          std::to_string(rule.max_persons_per_request) + " per request");
    auto* agent =
        dynamic_cast<const agent::AgentConnector*>(&engine_.catalog().ConnectorFor(rule.source));
    if (!agent)
      Refuse(dsa->id, "source '" + rule.source +
                          "' is reached by a direct connector; only a provider's agent, which "
                          "holds the linkage secret and the registrations, can re-identify (the "
                          "gateway never holds NHS numbers)");
    if (!key_) Refuse(dsa->id, "this gateway has no reidentification_key to sign requests with");
    // The whole cohort is reserved against the day's limit (as if every member matched) in
    // one step with the check, so concurrent requests cannot pass it together; what did not
    // match is given back once the agent has answered, all of it when it did not.
    const auto now = std::chrono::system_clock::now();
    const int64_t used = cohorts_.Reserve(dsa->id, session.user, now, n, rule.max_persons_per_day);
    if (used < 0)
      Refuse(dsa->id, std::to_string(cohorts_.UsedToday(dsa->id, session.user, now)) +
                          " persons re-identified for you today; this cohort's " +
                          std::to_string(n) + " would pass the limit of " +
                          std::to_string(rule.max_persons_per_day) + " a day");
    struct Reservation {
      CohortStore& store;
      std::string dsa, user;
      std::chrono::system_clock::time_point when;
      int64_t unused;
      ~Reservation() { store.Settle(dsa, user, when, unused); }
    } reservation{cohorts_, dsa->id, session.user, now, n};

    agent::wire::ReidentifyRequest req;
    req.request_id = RandomHex(16);
    req.dsa = dsa->id;
    req.purpose = cohort->purpose;
    req.user = session.user;
    req.role = session.role;
    req.organisation = rule.CodeOf(session.organisation);
    req.reason = reason;
    for (const auto& p : cohort->persons)
      req.pseudonyms.emplace_back(p.bytes.begin(), p.bytes.end());
    req.issued_at =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    req.recipient_key = recipient_key;
    req.source = rule.source;
    record["request_id"] = req.request_id;
    record["organisation_code"] = req.organisation;
    const std::string bytes = agent::EncodeReidentifyRequest(req);
    const std::string signature = key_->Sign(bytes);
    audit("requested");  // before anything is asked of the agent
    agent::wire::ReidentifyResult result;
    try {
      result = agent->Reidentify(bytes, signature);
    } catch (const Error& e) {
      // The agent's refusals stay refusals; anything else is the source's failure (a
      // NOT_FOUND there is no missing cohort).
      if (e.code() == ErrorCode::kPermissionDenied) throw;
      throw Error(ErrorCode::kSource, e.what());
    }
    if (result.request_id != req.request_id || result.matched < 0 || result.matched > n ||
        result.requested != n || result.left_out != n - result.matched)
      throw Error(ErrorCode::kSource,
                  "source '" + rule.source + "' answered another request or wrong counts");
    Reidentified out;
    out.request_id = result.request_id;
    out.source = rule.source;
    out.requested = result.requested;
    out.matched = result.matched;
    out.left_out = result.left_out;
    out.box = {result.ephemeral_key, result.nonce, result.sealed};
    reservation.unused = n - out.matched;
    out.used_today = used + out.matched;
    out.limit_per_day = rule.max_persons_per_day;
    record["matched"] = out.matched;
    record["left_out"] = out.left_out;
    audit("released");  // before the answer leaves
    return out;
  } catch (const Error& e) {
    if (!record.contains("outcome") || record["outcome"] == "requested") {
      record["error"] = e.what();
      audit(e.code() == ErrorCode::kPermissionDenied ? "refused" : "failed");
    }
    throw;
  }
}

void Reidentifier::RestoreUsage() {
  if (config_.audit_log.empty()) return;
  std::ifstream in(config_.audit_log);
  const auto now = std::chrono::system_clock::now();
  const std::string today = Iso(now).substr(0, 10);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"reidentify\"") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("event", "") != "reidentify" ||
        j.value("outcome", "") != "released" || j.value("time", "").substr(0, 10) != today)
      continue;
    cohorts_.Reserve(j.value("dsa", ""), j.value("user", ""), now, j.value("matched", 0),
                     std::numeric_limits<int64_t>::max());
  }
}

}  // namespace fedgate::reidentification
