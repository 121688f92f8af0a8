#include "gateway/api.h"
#include "gateway/api_util.h"
#include "gateway/error_codes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/encoding.h"
#include "common/error.h"
#include "common/random.h"
#include "common/types.h"
#include "disclosure/evidence_json.h"
#include "gateway/url_encoding.h"
#include "planner/value.h"

namespace fedgate::gateway {

namespace {

bool Unhex(const std::string& hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto v = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    int a = v(hex[i]), b = v(hex[i + 1]);
    if (a < 0 || b < 0) return false;
    out += static_cast<char>(a * 16 + b);
  }
  return true;
}

std::string Pbkdf2(const std::string& password, const std::string& salt, int iterations) {
  unsigned char out[32];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out,
                        out) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL failed: PBKDF2");
  }
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

}  // namespace

HttpResponse Json(int status, const nlohmann::json& j) {
  return {status,
          "application/json",
          j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          {}};
}

HttpResponse ErrorResponse(const Error& e) {
  const int status = MappingOf(e.code()).http_status;
  nlohmann::json err = {{"message", e.what()}, {"code", std::string(ErrorCodeName(e.code()))}};
  if (e.location().line > 0)
    err["location"] = {{"line", e.location().line}, {"column", e.location().column}};
  return Json(status, {{"error", err}});
}

HttpResponse ApiError(int status, const std::string& code, const std::string& message) {
  return Json(status, {{"error", {{"message", message}, {"code", code}}}});
}

std::optional<nlohmann::json> JsonBody(const HttpRequest& request, HttpResponse& bad) {
  try {
    return nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    bad = ApiError(400, "BAD_JSON", std::string("the body is not valid JSON: ") + e.what());
    return std::nullopt;
  }
}

std::optional<std::string> TextField(const nlohmann::json& body, const char* key) {
  if (!body.is_object() || !body.contains(key) || !body[key].is_string()) return std::nullopt;
  return body[key].get<std::string>();
}

std::map<std::string, std::string> QueryParams(const std::string& target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string::npos) return out;
  auto decode = [](const std::string& in) { return UrlDecode(in, BadEscape::kKeep); };
  std::stringstream ss(target.substr(q + 1));
  std::string pair;
  while (std::getline(ss, pair, '&')) {
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    out[decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : decode(pair.substr(eq + 1));
  }
  return out;
}

nlohmann::json CellToJson(const Column& column, size_t row) {
  if (column.IsNull(row)) return nullptr;
  planner::Value v = planner::GetValue(column, row);
  switch (v.type.id) {
    case TypeId::kBool:
      return v.i != 0;
    case TypeId::kInt64:
      return v.i;
    case TypeId::kDouble:
      return v.d;
    default:
      return v.ToString();  // decimals as text keep their exact digits
  }
}

std::string HashPassword(const std::string& password, int iterations) {
  const std::string salt = RandomBytes(16);
  std::string h = Pbkdf2(password, salt, iterations);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + HexEncode(salt) + "$" + HexEncode(h);
}

bool CheckPassword(const std::string& password, const std::string& stored) {
  std::stringstream ss(stored);
  std::string scheme, iterations, salt_hex, hash_hex, salt, hash;
  if (!std::getline(ss, scheme, '$') || !std::getline(ss, iterations, '$') ||
      !std::getline(ss, salt_hex, '$') || !std::getline(ss, hash_hex)) {
    return false;
  }
  if (scheme != "pbkdf2-sha256" || !Unhex(salt_hex, salt) || !Unhex(hash_hex, hash) ||
      hash.size() != 32)
    return false;
  int n = 0;
  try {
    n = std::stoi(iterations);
  } catch (const std::exception&) {
    return false;
  }
  if (n < 1000 || n > 10000000) return false;
  std::string computed = Pbkdf2(password, salt, n);
  return CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

Api::Api(const config::GatewayConfig& config, size_t trino_page_rows)
    : Api(config, std::make_unique<planner::Catalog>(config), trino_page_rows) {}

Api::Api(const config::GatewayConfig& config, std::unique_ptr<planner::Catalog> catalog,
         size_t trino_page_rows)
    : config_(config),
      engine_(config, std::move(catalog)),
      registry_([&] {
        if (config.dsa_dir.empty())
          ThrowInvalid(config.path +
                       ": fedgate serve needs dsa_dir (nothing leaves without a DSA)");
        return config.dsa_dir;
      }()),
      audit_([&] {
        if (config.audit_log.empty()) ThrowInvalid(config.path + ": fedgate serve needs audit_log");
        return std::make_unique<audit::AuditLog>(config.audit_log);
      }()),
      gate_(engine_, registry_, audit_.get()),
      reidentifier_(config_, engine_, registry_, gate_, audit_.get()),
      trino_(engine_, registry_, gate_, metrics_, trino_page_rows) {
  login_key_ = RandomBytes(32);
  token_key_ = RandomBytes(32);
  auto report = registry_.Reload();
  gate_.AuditReload(report);
  for (const auto& p : report.rejected)
    std::cerr << "fedgate serve: DSA file rejected: " << p.message << "\n";
}

std::optional<Api::Caller> Api::Authenticate(const HttpRequest& request, HttpResponse& refusal) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(failures_mu_);
    auto it = failures_.find(request.remote);
    if (it != failures_.end() && now - it->second.second > std::chrono::minutes(1))
      failures_.erase(it);
    it = failures_.find(request.remote);
    if (it != failures_.end() && it->second.first >= 10) {
      refusal = Json(
          429,
          {{"error",
            {{"message", "too many failed logins; wait a minute"}, {"code", "RATE_LIMITED"}}}});
      refusal.headers.push_back({"Retry-After", "60"});
      return std::nullopt;
    }
  }
  const std::string auth = request.Header("authorization");
  std::string user, password;
  if (auth.rfind("Bearer ", 0) == 0) {
    auto token_user = CheckToken(auth.substr(7));
    auto it = token_user ? config_.users.find(*token_user) : config_.users.end();
    if (it != config_.users.end())
      return Caller{it->first, it->second.role, it->second.organisation, it->second.purpose};
  } else if (auth.rfind("Basic ", 0) == 0) {
    std::string decoded = Base64Decode(auth.substr(6));
    auto colon = decoded.find(':');
    if (colon != std::string::npos) {
      user = decoded.substr(0, colon);
      password = decoded.substr(colon + 1);
    }
  }
  auto it = config_.users.find(user);
  const std::string token = audit::Sha256Hex(login_key_ + '\0' + user + '\0' + password);
  bool ok = false;
  {
    std::lock_guard lock(logins_mu_);
    auto cached = logins_.find(user);
    ok = cached != logins_.end() && cached->second.second > now &&
         CRYPTO_memcmp(cached->second.first.data(), token.data(), token.size()) == 0;
  }
  if (!ok) {
    ok = it != config_.users.end() && !it->second.password_hash.empty() &&
         CheckPassword(password, it->second.password_hash);
    if (ok) {
      std::lock_guard lock(logins_mu_);
      logins_[user] = {token, now + std::chrono::minutes(5)};
    }
  }
  if (!ok) {
    {
      std::lock_guard lock(failures_mu_);
      auto& f = failures_[request.remote];
      if (f.first == 0) f.second = now;
      ++f.first;
    }
    refusal =
        Json(401, {{"error",
                    {{"message",
                      "authentication required: HTTP Basic with a configured user, or a bearer "
                      "token that has not expired"},
                     {"code", "UNAUTHENTICATED"}}}});
    refusal.headers.push_back({"WWW-Authenticate", "Basic realm=\"fedgate\""});
    refusal.headers.push_back({"WWW-Authenticate", "Bearer realm=\"fedgate\""});
    return std::nullopt;
  }
  return Caller{user, it->second.role, it->second.organisation, it->second.purpose};
}

HttpResponse Api::Handle(const HttpRequest& request) {
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/healthz") return {200, "text/plain", "ok\n", {}};
  if (path == "/readyz") return Ready();
  if (path == "/metrics") return {200, "text/plain; version=0.0.4", metrics_.Render(), {}};
  if (path.rfind("/v1/", 0) == 0) {
    if (path == "/v1/info") return trino_.Handle(request, {});
    HttpResponse refusal;
    auto caller = Authenticate(request, refusal);
    if (!caller) return refusal;
    HttpResponse response =
        trino_.Handle(request, {caller->user, caller->role, caller->organisation, caller->purpose});
    response.user = caller->user;
    return response;
  }
  if (path.rfind("/api/v1/", 0) != 0)
    return ApiError(404, "NOT_FOUND", "no such endpoint: " + path);
  HttpResponse refusal;
  auto caller = Authenticate(request, refusal);
  if (!caller) return refusal;
  HttpResponse response = Route(request, path, *caller);
  response.user = caller->user;
  return response;
}

HttpResponse Api::Route(const HttpRequest& request, const std::string& path, const Caller& caller) {
  auto only = [&](const char* method) -> std::optional<HttpResponse> {
    if (request.method == method) return std::nullopt;
    HttpResponse r = ApiError(405, "METHOD_NOT_ALLOWED", path + " takes " + method);
    r.headers.push_back({"Allow", method});
    return r;
  };
  if (path == "/api/v1/query" || path == "/api/v1/explain") {
    if (auto r = only("POST")) return *r;
    return Query(request, caller, path == "/api/v1/explain");
  }
  if (path == "/api/v1/dsas") {
    if (auto r = only("GET")) return *r;
    return Dsas(caller);
  }
  if (path == "/api/v1/dsas/validate") {
    if (auto r = only("POST")) return *r;
    return ValidateDsa(request, caller);
  }
  if (path.rfind("/api/v1/dsas/", 0) == 0) {
    const std::string id = path.substr(13);
    if (request.method == "PUT") return PutDsa(request, id, caller);
    if (auto r = only("GET")) {
      r->headers.back().second = "GET, PUT";
      return *r;
    }
    return GetDsa(id, caller);
  }
  if (path == "/api/v1/catalog") {
    if (auto r = only("GET")) return *r;
    return CatalogOf(request, caller);
  }
  if (path == "/api/v1/audit") {
    if (auto r = only("GET")) return *r;
    return AuditTrail(request, caller);
  }
  if (path == "/api/v1/linkage") {
    if (auto r = only("GET")) return *r;
    return Linkage(request, caller);
  }
  if (path == "/api/v1/cohorts") {
    if (auto r = only("POST")) return *r;
    return Cohort(request, caller);
  }
  if (path == "/api/v1/reidentify") {
    if (auto r = only("POST")) return *r;
    return Reidentify(request, caller);
  }
  if (path == "/api/v1/tokens") {
    if (auto r = only("POST")) return *r;
    return IssueToken(caller);
  }
  return ApiError(404, "NOT_FOUND", "no such endpoint: " + path);
}

HttpResponse Api::Query(const HttpRequest& request, const Caller& caller, bool explain) {
  HttpResponse bad;
  const auto body = JsonBody(request, bad);
  if (!body) return bad;
  auto sql = TextField(*body, "sql"), dsa = TextField(*body, "dsa"),
       purpose = TextField(*body, "purpose");
  if (!purpose && !caller.purpose.empty()) purpose = caller.purpose;
  if (!sql || !dsa || !purpose) {
    return Json(400, {{"error",
                       {{"message",
                         "the body must be a JSON object with text fields sql, dsa and purpose "
                         "(purpose may be left out when the user has a default)"},
                        {"code", "BAD_REQUEST"}}}});
  }
  policy::Session session{caller.user, caller.role, caller.organisation, *purpose};
  engine::QueryOptions options;
  options.cancel = &cancel_all_;
  try {
    if (explain) {
      auto plan = gate_.Explain(session, *dsa, *sql, options);
      nlohmann::json fragments = nlohmann::json::array();
      for (const auto& f : plan.fragments)
        fragments.push_back({{"source", f.source}, {"sql", f.sql}});
      return Json(200, {{"plan", plan.plan}, {"fragments", fragments}});
    }
    const int64_t id = next_query_++;
    const auto start = std::chrono::steady_clock::now();
    engine::QueryResult r;
    try {
      r = gate_.Query(session, *dsa, *sql, options);
    } catch (const Error& e) {
      metrics_.Failed(
          e.code() == ErrorCode::kPermissionDenied ? "refused" : "failed",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      throw;
    }
    metrics_.Released(r);
    nlohmann::json j;
    j["query_id"] = std::to_string(id);
    j["columns"] = nlohmann::json::array();
    for (const auto& c : r.columns)
      j["columns"].push_back({{"name", c.name}, {"type", c.type.ToString()}});
    j["rows"] = nlohmann::json::array();
    for (size_t row = 0; row < r.rows.rows; ++row) {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& c : r.rows.columns) values.push_back(CellToJson(c, row));
      j["rows"].push_back(std::move(values));
    }
    j["disclosure"] = disclosure::DisclosureJson(r.disclosure, true);
    const nlohmann::json& cells = j["disclosure"]["cells"];
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& f : r.fragments)
      sources.push_back({{"source", f.source}, {"rows", f.rows}, {"seconds", f.seconds}});
    j["sources"] = sources;
    j["stats"] = {{"seconds", r.seconds}, {"peak_memory_bytes", r.peak_memory_bytes}};
    if (request.Header("accept").find("text/csv") != std::string::npos) {
      // CSV: a header row, then the rows; withheld cells are empty. The disclosure marks go in
      // a header (row:column:rule,...) since CSV has no place for them.
      auto field = [](const std::string& v) {
        if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
        std::string out = "\"";
        for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
      };
      std::string csv;
      for (size_t c = 0; c < r.columns.size(); ++c)
        csv += (c ? "," : "") + field(r.columns[c].name);
      csv += "\r\n";
      for (size_t row = 0; row < r.rows.rows; ++row) {
        for (size_t c = 0; c < r.columns.size(); ++c) {
          const Column& col = r.rows.columns[c];
          csv += (c ? "," : "") +
                 (col.IsNull(row) ? std::string() : field(planner::GetValue(col, row).ToString()));
        }
        csv += "\r\n";
      }
      std::string marks;
      for (const auto& cell : cells) {
        marks += (marks.empty() ? "" : ",") + std::to_string(cell[0].get<size_t>()) + ":" +
                 std::to_string(cell[1].get<size_t>()) + ":" + cell[2].get<std::string>();
      }
      HttpResponse out{200,
                       "text/csv; charset=utf-8",
                       std::move(csv),
                       {{"X-Fedgate-Query-Id", std::to_string(id)}}};
      if (!marks.empty()) out.headers.push_back({"X-Fedgate-Disclosure", marks});
      return out;
    }
    return Json(200, j);
  } catch (const Error& e) {
    return ErrorResponse(e);
  }
}

HttpResponse Api::Dsas(const Caller& caller) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& id : registry_.Ids()) {
    auto d = registry_.Get(id);
    if (!d->IsRecipient(caller.role, caller.organisation)) continue;
    list.push_back({{"dsa", d->id},
                    {"title", d->title},
                    {"purposes", d->purposes},
                    {"rules", policy::DescribeRules(*d)}});
  }
  return Json(200, {{"dsas", list}});
}

HttpResponse Api::Ready() {
  nlohmann::json sources = nlohmann::json::object();
  bool ready = true;
  for (const auto& name : engine_.catalog().SourceNames()) {
    try {
      auto tables = engine_.catalog().TableNames(name);
      if (!tables.empty()) engine_.catalog().ConnectorFor(name).Describe(tables.front());
      sources[name] = "ok";
    } catch (const Error& e) {
      sources[name] = e.what();
      ready = false;
    }
  }
  return Json(ready ? 200 : 503, {{"ready", ready}, {"sources", sources}});
}

}  // namespace fedgate::gateway
