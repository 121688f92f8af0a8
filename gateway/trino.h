#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "engine/query_engine.h"
#include "gateway/http_server.h"
#include "gateway/metrics.h"
#include "gateway/trino_statement.h"
#include "policy/gate.h"

namespace fedgate::gateway {

// The Trino client protocol (REFERENCE.md), so BI tools and the Trino clients connect
// unmodified: POST /v1/statement starts a query and answers QUEUED with a nextUri; GETs on
// nextUri long-poll and then page the result, every page with data followed by one more, and
// the last page carries none (as Trino's); DELETE cancels (the sources' queries too);
// GET/DELETE /v1/query/{id}; GET /v1/info. The catalog is the DSA, a schema is a source, the
// purpose comes from `X-Trino-Session: purpose=...` (or SET SESSION). Withheld cells are NULL
// in `data`; each page's `fedgateDisclosure` says which cells of the page a rule changed and
// why.
//
// Besides queries: introspection (SHOW CATALOGS/SCHEMAS/TABLES/COLUMNS/FUNCTIONS/SESSION/
// CREATE TABLE, DESCRIBE, SELECT version(), current_timezone(), information_schema and
// system.jdbc) answers from the DSA's allowlist; the session statements keep no state here,
// as in Trino: USE answers X-Trino-Set-Catalog/-Schema, SET/RESET SESSION
// X-Trino-Set-Session/-Clear-Session, PREPARE/DEALLOCATE PREPARE X-Trino-Added-Prepare/
// -Deallocated-Prepare, and the client sends its prepared statements back in
// X-Trino-Prepared-Statement. EXECUTE name / EXECUTE IMMEDIATE '...' USING values bind the
// values to the `?` parameters as typed constants in fedgate's binder (Binder::Names), never
// by editing SQL text. Requests with X-Presto-* headers get X-Presto-* answers.
class TrinoProtocol {
 public:
  struct Caller {
    std::string user;
    std::string role;
    std::string organisation;
    std::string purpose;  // the user's default, used when the session names none
  };

  TrinoProtocol(engine::QueryEngine& engine, policy::DsaRegistry& registry,
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
  // Answers introspection statements; nullopt when `sql` is an ordinary query
  // (trino_introspect.cpp).
  std::optional<engine::QueryResult> Introspect(const std::string& sql, const std::string& dsa,
                                                const std::string& schema, const Caller& caller);
  // Session statements: sets q's response headers and update type.
  void RunSessionStatement(Query& q, const TrinoStatement& st);
  // `sql` (classified as `inner`: a query or a SHOW) with `values` bound to its parameters:
  // introspection, metadata tables or the engine.
  engine::QueryResult RunSql(Query& q, const std::string& sql, const TrinoStatement& inner,
                             const TrinoStatement& values);
  // SHOW FUNCTIONS / SHOW SESSION / SHOW CREATE TABLE / DESCRIBE INPUT / DESCRIBE OUTPUT
  // (trino_introspect.cpp).
  engine::QueryResult ShowFunctions(const TrinoStatement& st);
  engine::QueryResult ShowSession(const TrinoStatement& st, const Query& q);
  engine::QueryResult ShowCreateTable(const TrinoStatement& st, const Query& q);
  engine::QueryResult DescribeInput(const Query& q, const std::string& name);
  engine::QueryResult DescribeOutput(Query& q, const std::string& name);
  // The DSA `named` (or the session's catalog) when the caller is a recipient of it.
  std::shared_ptr<const policy::Dsa> DsaFor(const std::string& named, const std::string& session,
                                            const Caller& caller);
  // The DSA ids the caller may use (catalog names in SQL).
  std::set<std::string> CatalogsOf(const Caller& caller);
  // The statement prepared under `name` (from X-Trino-Prepared-Statement); throws kNotFound.
  const std::string& Prepared(const Query& q, const std::string& name) const;

  engine::QueryEngine& engine_;
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
