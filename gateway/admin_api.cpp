// The native API's endpoints for DSA owners and administrators (validate, read and replace
// DSA files, read the audit trail), the catalog a DSA shares, and bearer tokens.

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "common/encoding.h"
#include "gateway/api.h"
#include "gateway/api_util.h"
#include "gateway/metadata.h"

namespace fedgate::gateway {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `text` to `path` so that a crash leaves the old or the new file, never half of one.
void WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) throw Error(ErrorCode::kInternal, "cannot write " + tmp + ": " + strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      throw Error(ErrorCode::kInternal, "cannot write " + tmp + ": " + strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw Error(ErrorCode::kInternal, "cannot sync " + tmp + ": " + strerror(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(ErrorCode::kInternal, "cannot replace " + path + ": " + strerror(errno));
  int dir = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

bool SafeId(const std::string& id) {
  return !id.empty() && id.size() <= 128 && id[0] != '.' &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

std::string Mac(const std::string& key, const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len))
    throw Error(ErrorCode::kInternal, "OpenSSL failed: HMAC");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string IsoTime(int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool Api::MayAdminister(const Caller& caller, const std::string& owner) const {
  return caller.role == "admin" || (caller.role == "dsa-owner" && caller.organisation == owner);
}

// ---------------------------------------------------------------------------------------
// Bearer tokens: "fgt1.<user, base64url>.<expiry, unix seconds>.<HMAC-SHA256, base64url>",
// keyed by a random per-process key: stateless to check, and void once the gateway restarts.

HttpResponse Api::IssueToken(const Caller& caller) {
  const int64_t expires = UnixNow() + kTokenSeconds;
  const std::string body = "fgt1." + Base64UrlEncode(caller.user) + "." + std::to_string(expires);
  const std::string token = body + "." + Base64UrlEncode(Mac(token_key_, body));
  return Json(200, {{"token", token},
                    {"token_type", "Bearer"},
                    {"expires_at", IsoTime(expires)},
                    {"expires_in", kTokenSeconds}});
}

std::optional<std::string> Api::CheckToken(const std::string& token) const {
  const auto last = token.rfind('.');
  if (token.rfind("fgt1.", 0) != 0 || last == std::string::npos || last < 5) return std::nullopt;
  const std::string body = token.substr(0, last);
  const std::string mac = Base64UrlDecode(token.substr(last + 1));
  const std::string expected = Mac(token_key_, body);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  const auto dot = body.find('.', 5);
  if (dot == std::string::npos) return std::nullopt;
  int64_t expires = 0;
  try {
    expires = std::stoll(body.substr(dot + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (expires <= UnixNow()) return std::nullopt;
  return Base64UrlDecode(body.substr(5, dot - 5));
}

// ---------------------------------------------------------------------------------------
// GET /api/v1/catalog?dsa=ID: the tables and columns a DSA shares, typed.

HttpResponse Api::CatalogOf(const HttpRequest& request, const Caller& caller) {
  auto params = QueryParams(request.target);
  if (params["dsa"].empty())
    return ApiError(400, "BAD_REQUEST", "name the DSA: /api/v1/catalog?dsa=ID");
  std::shared_ptr<const policy::Dsa> d;
  try {
    d = registry_.Get(params["dsa"]);
  } catch (const Error& e) {
    return ErrorResponse(e);
  }
  if (!d->IsRecipient(caller.role, caller.organisation) && !MayAdminister(caller, d->owner))
    return ApiError(403, "PERMISSION_DENIED",
                    "user " + caller.user + " is not a recipient of DSA " + d->id);
  nlohmann::json tables = nlohmann::json::array();
  auto& catalog = engine_.catalog();
  for (const auto& [qualified, rule] : d->datasets) {
    const auto dot = qualified.find('.');
    const std::string source = qualified.substr(0, dot), name = qualified.substr(dot + 1);
    nlohmann::json t = {{"table", qualified}};
    try {
      nlohmann::json columns = nlohmann::json::array();
      for (const auto& c : catalog.Table(source, name).columns) {
        if (!rule.Allows(c.name)) continue;
        columns.push_back(
            {{"name", c.name}, {"type", TrinoTypeName(c.type)}, {"person", c.person}});
      }
      t["columns"] = columns;
    } catch (const Error& e) {
      t["error"] = e.what();  // e.g. the source is down: the rest of the catalog still answers
    }
    tables.push_back(t);
  }
  return Json(200, {{"dsa", d->id}, {"tables", tables}});
}

// ---------------------------------------------------------------------------------------
// DSA files.

HttpResponse Api::ValidateDsa(const HttpRequest& request, const Caller& caller) {
  if (caller.role != "admin" && caller.role != "dsa-owner")
    return ApiError(403, "PERMISSION_DENIED", "validating DSAs needs the dsa-owner or admin role");
  try {
    policy::Dsa d = policy::ParseDsa(request.body, "dsa.yaml");
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& [qualified, rule] : d.datasets) {
      const auto source = qualified.substr(0, qualified.find('.'));
      const auto tables = engine_.catalog().TableNames(source);
      if (std::find(tables.begin(), tables.end(), qualified.substr(qualified.find('.') + 1)) ==
          tables.end())
        warnings.push_back("dataset " + qualified +
                           " is not a table this gateway is configured with");
    }
    for (const auto& w : policy::DsaWarnings(d)) warnings.push_back(w);
    if (!MayAdminister(caller, d.owner))
      warnings.push_back("its owner " + d.owner +
                         " is not your organisation: you could not PUT it");
    return Json(200, {{"valid", true},
                      {"dsa", d.id},
                      {"owner", d.owner},
                      {"sha256", d.file_sha256},
                      {"rules", policy::DescribeRules(d)},
                      {"warnings", warnings}});
  } catch (const Error& e) {
    // "dsa.yaml:LINE:COLUMN: message"
    nlohmann::json problem = {{"message", e.what()}};
    int line = 0, column = 0;
    if (std::sscanf(e.what(), "dsa.yaml:%d:%d:", &line, &column) == 2)
      problem["location"] = {{"line", line}, {"column", column}};
    return Json(422, {{"valid", false}, {"errors", nlohmann::json::array({problem})}});
  }
}

// Versions of a DSA live next to the DSA files, in history/ID/vN.yaml (the registry reads only
// the directory's own *.yaml files).
std::vector<std::string> Api::DsaVersions(const std::string& id) const {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(config_.dsa_dir) / "history" / id, ec)) {
    const std::string name = e.path().filename().string();
    int n = 0;
    if (std::sscanf(name.c_str(), "v%d.yaml", &n) == 1) found.push_back({n, e.path().string()});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [n, path] : found) out.push_back(path);
  return out;
}

HttpResponse Api::GetDsa(const std::string& id, const Caller& caller) {
  std::shared_ptr<const policy::Dsa> d;
  try {
    d = registry_.Get(id);
  } catch (const Error& e) {
    return ErrorResponse(e);
  }
  if (!MayAdminister(caller, d->owner) && !d->IsRecipient(caller.role, caller.organisation))
    return ApiError(403, "PERMISSION_DENIED",
                    "DSA " + id + " is neither yours nor shared with you");
  const auto versions = DsaVersions(id);
  return Json(200, {{"dsa", d->id},
                    {"owner", d->owner},
                    {"sha256", d->file_sha256},
                    {"version", std::max<size_t>(versions.size(), 1)},
                    {"yaml", ReadFile(d->file)}});
}

HttpResponse Api::PutDsa(const HttpRequest& request, const std::string& id, const Caller& caller) {
  if (caller.role != "admin" && caller.role != "dsa-owner")
    return ApiError(403, "PERMISSION_DENIED", "replacing DSAs needs the dsa-owner or admin role");
  if (!SafeId(id))
    return ApiError(400, "BAD_REQUEST",
                    "a DSA id has letters, digits, '-', '_' and '.', and does not start with '.'");
  policy::Dsa d;
  try {
    d = policy::ParseDsa(request.body, id + ".yaml");
  } catch (const Error& e) {
    return ApiError(422, "INVALID_DSA", e.what());
  }
  if (d.id != id)
    return ApiError(422, "INVALID_DSA",
                    "the file defines DSA '" + d.id + "' but was sent to /api/v1/dsas/" + id);
  if (!MayAdminister(caller, d.owner))
    return ApiError(403, "PERMISSION_DENIED",
                    "the DSA's owner is " + d.owner + "; " + caller.user + " may change only " +
                        (caller.role == "admin" ? "" : caller.organisation + "'s") + " DSAs");

  std::lock_guard lock(dsa_write_mu_);
  std::shared_ptr<const policy::Dsa> current;
  try {
    current = registry_.Get(id);
  } catch (const Error&) {
  }
  if (current && !MayAdminister(caller, current->owner))
    return ApiError(403, "PERMISSION_DENIED",
                    "DSA " + id + " belongs to " + current->owner + "; it cannot be taken over");
  const std::string if_match = request.Header("if-match");
  if (!if_match.empty()) {
    std::string expected = if_match;
    expected.erase(std::remove(expected.begin(), expected.end(), '"'), expected.end());
    const std::string now = current ? current->file_sha256 : "";
    if (expected != now)
      return ApiError(412, "PRECONDITION_FAILED",
                      "DSA " + id + " has changed (sha256 now " + (now.empty() ? "none" : now) +
                          "); fetch it again before replacing it");
  }
  const std::string file =
      current ? current->file : (fs::path(config_.dsa_dir) / (id + ".yaml")).string();
  try {
    // Keep every version: the one in force first (if it predates versioning), then the new one.
    const fs::path history = fs::path(config_.dsa_dir) / "history" / id;
    fs::create_directories(history);
    auto versions = DsaVersions(id);
    if (current &&
        (versions.empty() || audit::Sha256Hex(ReadFile(versions.back())) != current->file_sha256)) {
      WriteFileAtomically(
          (history / ("v" + std::to_string(versions.size() + 1) + ".yaml")).string(),
          ReadFile(current->file));
      versions = DsaVersions(id);
    }
    const size_t version = versions.size() + 1;
    WriteFileAtomically((history / ("v" + std::to_string(version) + ".yaml")).string(),
                        request.body);
    // The change is on the audit trail before it takes effect.
    nlohmann::json record = {{"event", "dsa_put"},
                             {"user", caller.user},
                             {"role", caller.role},
                             {"organisation", caller.organisation},
                             {"dsa", id},
                             {"version", version},
                             {"sha256", d.file_sha256},
                             {"previous_sha256", current ? current->file_sha256 : ""},
                             {"file", file}};
    audit_->Append(record);
    WriteFileAtomically(file, request.body);
    auto report = registry_.Reload();
    gate_.AuditReload(report);
    for (const auto& p : report.rejected) {
      if (p.file == file) return ApiError(422, "INVALID_DSA", p.message);
    }
    return Json(current ? 200 : 201, {{"dsa", id},
                                      {"version", version},
                                      {"sha256", d.file_sha256},
                                      {"rules", policy::DescribeRules(d)}});
  } catch (const Error& e) {
    return ErrorResponse(e);
  } catch (const fs::filesystem_error& e) {
    return ApiError(500, "INTERNAL", std::string("cannot keep the DSA's history: ") + e.what());
  }
}

// ---------------------------------------------------------------------------------------
// GET /api/v1/audit?dsa=&from=&to=&limit=: the audit trail, oldest first. `from` and `to` are
// ISO dates or timestamps (UTC); a date in `to` includes that whole day.

HttpResponse Api::AuditTrail(const HttpRequest& request, const Caller& caller) {
  auto params = QueryParams(request.target);
  const std::string dsa = params["dsa"], from = params["from"], to = params["to"];
  if (caller.role != "admin") {
    if (caller.role != "dsa-owner")
      return ApiError(403, "PERMISSION_DENIED", "the audit trail is for DSA owners and admins");
    if (dsa.empty()) return ApiError(400, "BAD_REQUEST", "name your DSA: /api/v1/audit?dsa=ID");
    try {
      if (!MayAdminister(caller, registry_.Get(dsa)->owner))
        return ApiError(403, "PERMISSION_DENIED",
                        "DSA " + dsa + " is not " + caller.organisation + "'s");
    } catch (const Error& e) {
      return ErrorResponse(e);
    }
  }
  size_t limit = 1000;
  if (!params["limit"].empty()) {
    try {
      limit = std::clamp<size_t>(std::stoul(params["limit"]), 1, 100000);
    } catch (const std::exception&) {
      return ApiError(400, "BAD_REQUEST", "limit must be a number");
    }
  }
  auto valid_time = [](const std::string& t) {
    return t.empty() || (t.size() >= 10 && t[4] == '-' && t[7] == '-');
  };
  if (!valid_time(from) || !valid_time(to))
    return ApiError(400, "BAD_REQUEST", "from and to are ISO dates or timestamps (2026-01-31)");
  audit_->Append({{"event", "audit_read"},
                  {"user", caller.user},
                  {"role", caller.role},
                  {"dsa", dsa},
                  {"from", from},
                  {"to", to}});
  std::ifstream in(config_.audit_log);
  nlohmann::json records = nlohmann::json::array();
  bool truncated = false;
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json r = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (r.is_discarded() || !r.is_object()) continue;  // a record still being written
    const std::string time = r.value("time", "");
    if (!from.empty() && time < from) continue;
    if (!to.empty() && (to.size() == 10 ? time.substr(0, 10) > to : time >= to)) continue;
    if (!dsa.empty()) {
      bool match = r.value("dsa", "") == dsa;
      if (!match && r.contains("loaded") && r["loaded"].is_array()) {
        for (const auto& id : r["loaded"]) match = match || id == dsa;
      }
      if (!match) continue;
    }
    if (records.size() == limit) {
      truncated = true;
      break;
    }
    records.push_back(std::move(r));
  }
  return Json(200, {{"records", records}, {"truncated", truncated}});
}

}  // namespace fedgate::gateway
