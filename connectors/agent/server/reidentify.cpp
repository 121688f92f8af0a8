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

ReidentifyService::ReidentifyService(AgentState& agent) : agent_(agent) {
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

bool ReidentifyService::FirstUse(const std::string& id, std::chrono::system_clock::time_point now) {
  const auto max_age = std::chrono::seconds(agent_.config().reidentification.max_age_seconds);
  std::lock_guard lock(mu_);
  for (auto it = seen_.begin(); it != seen_.end();)
    it = now - it->second > 2 * max_age ? seen_.erase(it) : std::next(it);
  return seen_.emplace(id, now).second;
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
  const auto allowed = rules.allow.find(req.dsa);
  if (allowed == rules.allow.end() || std::find(allowed->second.begin(), allowed->second.end(),
                                                req.purpose) == allowed->second.end())
    throw refuse(wire::ErrorKind::REFUSED,
                 "this provider does not allow re-identification "
                 "under DSA '" +
                     req.dsa + "' for purpose '" + req.purpose + "'");
  const auto now = std::chrono::system_clock::now();
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (req.issued_at > now_s + 30 || now_s - req.issued_at > rules.max_age_seconds)
    throw refuse(wire::ErrorKind::REFUSED, "the request was issued " +
                                               std::to_string(now_s - req.issued_at) +
                                               " s ago; this agent accepts requests up to " +
                                               std::to_string(rules.max_age_seconds) + " s old");
  if (req.request_id.size() < 16 || !IsCode(req.request_id))
    throw refuse(wire::ErrorKind::INVALID, "the request id must be 16 to 64 letters or digits");
  if (req.user.empty() || req.reason.empty() || !IsCode(req.organisation))
    throw refuse(wire::ErrorKind::INVALID,
                 "the request must name the user, the reason and an organisation code "
                 "(letters, digits, '-', '_', '.')");
  if (static_cast<int64_t>(req.pseudonyms.size()) > rules.max_persons)
    throw refuse(wire::ErrorKind::REFUSED, std::to_string(req.pseudonyms.size()) +
                                               " persons asked for; this agent "
                                               "re-identifies at most " +
                                               std::to_string(rules.max_persons) + " per request");
  std::set<std::string> wanted;
  for (const auto& p : req.pseudonyms) {
    if (p.size() != 16) throw refuse(wire::ErrorKind::INVALID, "a pseudonym is 16 bytes");
    wanted.insert(p);
  }
  if (req.recipient_key.size() != 32)
    throw refuse(wire::ErrorKind::INVALID, "the recipient key must be a 32-byte X25519 key");
  if (!FirstUse(req.request_id, now))
    throw refuse(wire::ErrorKind::REFUSED, "request id " + req.request_id + " was used before");

  record["outcome"] = "started";
  agent_.Audit(record);  // before anything is read

  // The patients registered with the organisation, their pseudonyms under the DSA.
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
  ctx.timeout_seconds = 60;
  ctx.dsa = req.dsa;
  ctx.user = req.user;
  ctx.query_id = req.request_id;
  const Pseudonymiser& key = agent_.KeyFor(req.dsa);
  nlohmann::json released = nlohmann::json::array();
  nlohmann::json local_ids = nlohmann::json::array();
  std::set<std::string> matched;
  try {
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
  } catch (const Error& e) {
    record["outcome"] = "failed";
    record["error"] = e.what();
    agent_.Audit(record);
    throw Refusal(ErrorKindOf(e.code()), e.what());
  }
  wire::ReidentifyResult out;
  out.request_id = req.request_id;
  out.requested = static_cast<int32_t>(wanted.size());
  out.matched = static_cast<int32_t>(matched.size());
  out.left_out = out.requested - out.matched;
  const SealedBox box = Seal(req.recipient_key, released.dump(), req.request_id);
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
