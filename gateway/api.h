#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "config/config.h"
#include "engine/query_engine.h"
#include "gateway/api_util.h"
#include "gateway/http_server.h"
#include "gateway/metrics.h"
#include "gateway/trino.h"
#include "policy/dsa.h"
#include "policy/gate.h"
#include "reidentification/reidentifier.h"

namespace fedgate::gateway {

// Password hashes in the configuration: "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX".
std::string HashPassword(const std::string& password, int iterations = 200000);
// Constant-time check of `password` against a stored hash; false for a malformed hash.
bool CheckPassword(const std::string& password, const std::string& stored);

// The native JSON API over HTTP (docs in README): authentication (HTTP Basic against the
// configuration's users), /healthz, /readyz, POST /api/v1/query and /api/v1/explain, and
// GET /api/v1/dsas. Every query goes through the policy gate under the DSA the caller names.
class Api {
 public:
  // `trino_page_rows`: rows per page of a Trino protocol result.
  explicit Api(const config::GatewayConfig& config, size_t trino_page_rows = 1000);
  // For tests and fuzzing: the catalog's connectors given (see planner::Catalog).
  Api(const config::GatewayConfig& config, std::unique_ptr<planner::Catalog> catalog,
      size_t trino_page_rows = 1000);
  HttpResponse Handle(const HttpRequest& request);
  // Cancels every running query (shutdown after the grace period).
  void CancelAll() {
    cancel_all_ = true;
    trino_.CancelAll();
  }

 private:
  struct Caller {
    std::string user;
    std::string role;
    std::string organisation;
    std::string purpose;  // the user's default purpose ("" for none)
  };
  static constexpr int64_t kTokenSeconds = 8 * 3600;

  // The authenticated caller (HTTP Basic, or a bearer token from POST /api/v1/tokens), or a
  // 401/429 response.
  std::optional<Caller> Authenticate(const HttpRequest& request, HttpResponse& refusal);
  HttpResponse Route(const HttpRequest& request, const std::string& path, const Caller& caller);
  HttpResponse Query(const HttpRequest& request, const Caller& caller, bool explain);
  HttpResponse Dsas(const Caller& caller);
  HttpResponse Ready();
  // admin_api.cpp
  bool MayAdminister(const Caller& caller, const std::string& owner) const;
  HttpResponse IssueToken(const Caller& caller);
  std::optional<std::string> CheckToken(const std::string& token) const;  // the user
  HttpResponse CatalogOf(const HttpRequest& request, const Caller& caller);
  HttpResponse ValidateDsa(const HttpRequest& request, const Caller& caller);
  std::vector<std::string> DsaVersions(const std::string& id) const;
  HttpResponse GetDsa(const std::string& id, const Caller& caller);
  HttpResponse PutDsa(const HttpRequest& request, const std::string& id, const Caller& caller);
  HttpResponse AuditTrail(const HttpRequest& request, const Caller& caller);
  HttpResponse Linkage(const HttpRequest& request, const Caller& caller);  // linkage_api.cpp
  // reidentify_api.cpp
  HttpResponse Cohort(const HttpRequest& request, const Caller& caller);
  HttpResponse Reidentify(const HttpRequest& request, const Caller& caller);

  config::GatewayConfig config_;
  engine::QueryEngine engine_;
  policy::DsaRegistry registry_;
  std::unique_ptr<audit::AuditLog> audit_;
  policy::PolicyGate gate_;
  reidentification::Reidentifier reidentifier_;
  Metrics metrics_;
  TrinoProtocol trino_;
  std::atomic<bool> cancel_all_{false};
  std::atomic<int64_t> next_query_{1};
  // Verified logins for a few minutes, so a client's every request does not pay for PBKDF2:
  // user -> (SHA-256 of a per-process key and the password, expiry).
  std::mutex logins_mu_;
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> logins_;
  std::string login_key_;
  std::string token_key_;
  std::mutex dsa_write_mu_;  // one DSA change at a time
  std::mutex failures_mu_;
  std::map<std::string, std::pair<int, std::chrono::steady_clock::time_point>>
      failures_;  // by address
};

}  // namespace fedgate::gateway
