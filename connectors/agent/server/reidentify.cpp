#include "connectors/agent/server/reidentify.h"

#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/nhs_number.h"
#include "common/sealed_box.h"
#include "connectors/agent/reidentify_request.h"
#include "planner/value.h"
#include "sql/dialect.h"

namespace fedgate::agent {

namespace {

wire::AgentError Refusal(wire::ErrorKind::type kind, const std::string& message) {
  wire::AgentError e;
  e.kind = kind;
  e.message = "re-identification refused: " + message;
  return e;
}

bool IsCode(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

ReidentifyService::ReidentifyService(AgentState& agent)
    : agent_(agent),
      started_at_(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()) {
  const auto& config = agent_.config();
  if (!config.has_reidentification) return;
  const auto& r = config.reidentification;
  gateway_key_ = VerifyKey::FromPemFile(r.gateway_key);
  const auto& table = agent_.catalog().Table(agent_.source(), r.table);
  bool found = false;
  for (const auto& c : table.columns) found = found || c.source_column == r.local_id_column;
  if (!found)
    ThrowInvalid(config.path + ": agent.reidentification.local_id_column '" + r.local_id_column +
                 "' is not an exported column of " + r.table);
}

bool ReidentifyService::FirstUse(const std::string& id, Clock::time_point keep_until) {
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  for (auto it = seen_.begin(); it != seen_.end();)
    it = it->second < now ? seen_.erase(it) : std::next(it);
  return seen_.emplace(id, keep_until).second;
}

bool ReidentifyService::ChargeDay(const std::string& organisation, int64_t persons) {
  const int64_t day =
      std::chrono::duration_cast<std::chrono::hours>(Clock::now().time_since_epoch()).count() / 24;
  std::lock_guard lock(mu_);
  for (auto it = day_.begin(); it != day_.end();)
    it = it->first.second < day ? day_.erase(it) : std::next(it);
  int64_t& used = day_[{organisation, day}];
  if (used + persons > agent_.config().reidentification.max_persons_per_day) return false;
  used += persons;
  return true;
}

wire::ReidentifyResult ReidentifyService::Handle(const std::string& request_bytes,
                                                 const std::string& signature,
                                                 const std::string& peer) {
  nlohmann::json record = {{"event", "reidentify"},
                           {"source", agent_.source()},
                           {"peer", peer},
                           {"request_sha256", audit::Sha256Hex(request_bytes)}};
  auto refuse = [&](wire::ErrorKind::type kind, const std::string& why) -> wire::AgentError {
    record["outcome"] = "refused";
    record["error"] = why;
    agent_.Audit(record);  // throws (and so refuses) when the audit log cannot be written
    return Refusal(kind, why);
  };
  if (!gateway_key_)
    throw refuse(wire::ErrorKind::REFUSED,
                 "this agent does not re-identify (its configuration has no "
                 "agent.reidentification)");
  if (!gateway_key_->Verify(request_bytes, signature))
    throw refuse(wire::ErrorKind::REFUSED,
                 "the request is not signed with the gateway key this agent trusts");
  wire::ReidentifyRequest req;
  try {
    req = DecodeReidentifyRequest(request_bytes);
  } catch (const Error& e) {
    throw refuse(wire::ErrorKind::INVALID, e.what());
  }
  record["request_id"] = req.request_id;
  record["dsa"] = req.dsa;
  record["purpose"] = req.purpose;
  record["user"] = req.user;
  record["role"] = req.role;
  record["organisation"] = req.organisation;
  record["reason"] = req.reason;
  record["requested"] = req.pseudonyms.size();
  record["signature"] = HexEncode(signature);

  const auto& rules = agent_.config().reidentification;
  if (req.source != agent_.source())
    throw refuse(wire::ErrorKind::REFUSED, "the request is for source '" + req.source +
                                               "'; this agent serves '" + agent_.source() + "'");
  const auto allowed = rules.allow.find(req.dsa);
  const auto& purposes =
      allowed == rules.allow.end() ? std::vector<std::string>{} : allowed->second.purposes;
  if (std::find(purposes.begin(), purposes.end(), req.purpose) == purposes.end())
    throw refuse(wire::ErrorKind::REFUSED,
                 "this provider does not allow re-identification under "
                 "DSA '" +
                     req.dsa + "' for purpose '" + req.purpose + "'");
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  if (req.issued_at > now_s + 30 || now_s - req.issued_at > rules.max_age_seconds ||
      req.issued_at < started_at_)
    throw refuse(wire::ErrorKind::REFUSED,
                 "the request was issued " + std::to_string(now_s - req.issued_at) +
                     " s ago; this agent accepts requests up to " +
                     std::to_string(rules.max_age_seconds) + " s old, issued since it started");
  if (req.request_id.size() < 16 || !IsCode(req.request_id))
    throw refuse(wire::ErrorKind::INVALID, "the request id must be 16 to 64 letters or digits");
  if (req.user.empty() || req.reason.empty() || !IsCode(req.organisation))
    throw refuse(wire::ErrorKind::INVALID,
                 "the request must name the user, the reason and an organisation code "
                 "(letters, digits, '-', '_', '.')");
  const auto& orgs = allowed->second.organisations;
  if (!orgs.empty() && std::find(orgs.begin(), orgs.end(), req.organisation) == orgs.end())
    throw refuse(wire::ErrorKind::REFUSED, "this provider does not re-identify for organisation '" +
                                               req.organisation + "' under DSA '" + req.dsa + "'");
  if (static_cast<int64_t>(req.pseudonyms.size()) > rules.max_persons)
    throw refuse(wire::ErrorKind::REFUSED,
                 std::to_string(req.pseudonyms.size()) +
                     " persons asked for; this agent re-identifies at most " +
                     std::to_string(rules.max_persons) + " per request");
  std::set<std::string> wanted;
  for (const auto& p : req.pseudonyms) {
    if (p.size() != 16) throw refuse(wire::ErrorKind::INVALID, "a pseudonym is 16 bytes");
    wanted.insert(p);
  }
  if (!IsUsableX25519Key(req.recipient_key))
    throw refuse(wire::ErrorKind::INVALID, "the recipient key must be a usable X25519 key");
  // Kept until the request could no longer be fresh, whatever max_age_seconds is.
  const auto keep_until = Clock::from_time_t(static_cast<std::time_t>(req.issued_at)) +
                          std::chrono::seconds(rules.max_age_seconds + 60);
  if (!FirstUse(req.request_id, keep_until))
    throw refuse(wire::ErrorKind::REFUSED, "request id " + req.request_id + " was used before");
  const AgentState::ScanSlot slot = agent_.ReserveSlot();
  if (!slot) throw refuse(wire::ErrorKind::BUSY, agent_.BusyMessage());

  record["outcome"] = "started";
  agent_.Audit(record);  // before anything is read
  try {
    return Run(req, wanted, record);
  } catch (const Error& e) {
    record["outcome"] = e.code() == ErrorCode::kPermissionDenied ? "refused" : "failed";
    record["error"] = e.what();
    agent_.Audit(record);
    throw Refusal(ErrorKindOf(e.code()), e.what());
  } catch (const std::exception& e) {
    record["outcome"] = "failed";
    record["error"] = e.what();
    agent_.Audit(record);
    throw Refusal(wire::ErrorKind::INTERNAL, e.what());
  }
}

wire::ReidentifyResult ReidentifyService::Run(const wire::ReidentifyRequest& req,
                                              const std::set<std::string>& wanted,
                                              nlohmann::json& record) {
  // The patients registered with the organisation, their pseudonyms under the DSA.
  const auto& rules = agent_.config().reidentification;
  const auto& source = agent_.config().sources.at(agent_.source());
  const std::string identifier = source.tables.at(rules.table).identifier;
  connectors::Connector& connector = agent_.catalog().ConnectorFor(agent_.source());
  const sql::Dialect& dialect = connector.dialect();
  DataType local_type = DataType::Text();
  for (const auto& c : agent_.catalog().Table(agent_.source(), rules.table).columns)
    if (c.source_column == rules.local_id_column) local_type = c.type;
  connectors::Fragment f;
  f.source = agent_.source();
  f.sql = "SELECT " + sql::QuoteIdentifier(dialect, rules.local_id_column) + ", " +
          sql::QuoteIdentifier(dialect, identifier) + " FROM " +
          sql::QuoteIdentifier(dialect, rules.table) + " WHERE " +
          sql::QuoteIdentifier(dialect, rules.organisation_column) + " = " +
          sql::QuoteString(dialect, req.organisation);
  f.columns = {{"local_id", local_type, false}, {"nhs_number", DataType::Text(), false}};
  connectors::QueryContext ctx;
  ctx.timeout_seconds = 30;  // well inside the gateway's 60 s wait for the answer
  ctx.dsa = req.dsa;
  ctx.user = req.user;
  ctx.query_id = req.request_id;
  const Pseudonymiser& key = agent_.KeyFor(req.dsa);
  nlohmann::json released = nlohmann::json::array();
  nlohmann::json local_ids = nlohmann::json::array();
  std::set<std::string> matched;
  auto scan = connector.Open(f, ctx);
  Batch batch;
  while (scan->Next(batch)) {
    for (size_t r = 0; r < batch.rows; ++r) {
      if (batch.columns[1].IsNull(r)) continue;
      const std::string& raw = batch.columns[1].str[r];
      auto p = key.FromRaw(raw);
      if (!p) continue;
      const std::string bytes(p->bytes.begin(), p->bytes.end());
      if (!wanted.count(bytes) || !matched.insert(bytes).second) continue;
      const std::string local = planner::GetValue(batch.columns[0], r).ToString();
      released.push_back({{"nhs_number", *NormaliseNhsNumber(raw)}, {"local_id", local}});
      local_ids.push_back(local);
    }
    batch = Batch();
  }
  scan.reset();
  wire::ReidentifyResult out;
  out.request_id = req.request_id;
  out.requested = static_cast<int32_t>(wanted.size());
  out.matched = static_cast<int32_t>(matched.size());
  out.left_out = out.requested - out.matched;
  if (!ChargeDay(req.organisation, out.matched))
    throw Error(ErrorCode::kPermissionDenied,
                "organisation '" + req.organisation + "' has reached this provider's limit of " +
                    std::to_string(rules.max_persons_per_day) + " persons a day");
  const SealedBox box =
      Seal(req.recipient_key,
           released.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), req.request_id);
  out.ephemeral_key = box.ephemeral_public;
  out.nonce = box.nonce;
  out.sealed = box.ciphertext;
  record["outcome"] = "released";
  record["matched"] = out.matched;
  record["left_out"] = out.left_out;
  record["local_ids"] = local_ids;
  agent_.Audit(record);  // before the answer leaves
  return out;
}

}  // namespace fedgate::agent
