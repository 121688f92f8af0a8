#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "gateway/http_server.h"
#include "gateway/metrics.h"
#include "planner/query_engine.h"
#include "policy/gate.h"

namespace fedgate::gateway {

// The Trino client protocol (REFERENCE.md), so BI tools and the Trino clients connect
// unmodified: POST /v1/statement starts a query and answers QUEUED with a nextUri; GETs on
// nextUri long-poll and then page the result; DELETE cancels (the sources' queries too);
// GET/DELETE /v1/query/{id}; GET /v1/info. The catalog is the DSA, a schema is a source, the
// purpose comes from `X-Trino-Session: purpose=...`. Introspection (SHOW CATALOGS/SCHEMAS/
// TABLES/COLUMNS, DESCRIBE, SELECT version(), SELECT current_timezone()) answers from the
// DSA's allowlist. Withheld cells are NULL in `data`; each page's `fedgateDisclosure` says
// which cells of the page a rule changed and why.
class TrinoProtocol {
 public:
  struct Caller {
    std::string user;
    std::string role;
    std::string organisation;
    std::string purpose;  // the user's default, used when the session names none
  };

  TrinoProtocol(planner::QueryEngine& engine, policy::DsaRegistry& registry,
                policy::PolicyGate& gate, Metrics& metrics, size_t page_rows = 1000);
  ~TrinoProtocol();

  // Handles a /v1/... request from an authenticated caller.
  HttpResponse Handle(const HttpRequest& request, const Caller& caller);
  // Cancels every running query (shutdown).
  void CancelAll();

 private:
  struct Query;
  HttpResponse Start(const HttpRequest& request, const Caller& caller);
  HttpResponse Page(const std::string& base, const std::shared_ptr<Query>& q, int64_t token);
  std::shared_ptr<Query> Find(const std::string& id);
  void Run(std::shared_ptr<Query> q);
  // Answers introspection statements; nullopt when `sql` is an ordinary query.
  std::optional<planner::QueryResult> Introspect(const std::string& sql, const std::string& dsa,
                                                 const std::string& schema, const Caller& caller);

  planner::QueryEngine& engine_;
  policy::DsaRegistry& registry_;
  policy::PolicyGate& gate_;
  Metrics& metrics_;
  size_t page_rows_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Query>> queries_;
  std::atomic<int64_t> next_id_{1};
  std::atomic<bool> shutting_down_{false};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace fedgate::gateway
