#include "gateway/trino.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/date.h"
#include "common/type_names.h"
#include "disclosure/evidence_json.h"
#include "gateway/api_util.h"
#include "gateway/error_codes.h"
#include "gateway/metadata.h"
#include "gateway/trino_query.h"
#include "gateway/url_encoding.h"
#include "sql/trino_text.h"

namespace fedgate::gateway {

using nlohmann::json;

namespace {

// Trino's type name; timestamps carry their precision only for clients that declare
// PARAMETRIC_DATETIME (X-Trino-Client-Capabilities), as Trino does.
std::string TypeName(const DataType& t, bool parametric_datetime) {
  if (t.id == TypeId::kTimestamp && !parametric_datetime) return "timestamp";
  return TrinoTypeName(t);
}

json TypeSignature(const DataType& t, bool parametric_datetime) {
  auto args = [](std::vector<int64_t> v) {
    json a = json::array();
    for (int64_t x : v) a.push_back({{"kind", "LONG"}, {"value", x}});
    return a;
  };
  switch (t.id) {
    case TypeId::kBool:
      return {{"rawType", "boolean"}, {"arguments", json::array()}};
    case TypeId::kInt64:
      return {{"rawType", "bigint"}, {"arguments", json::array()}};
    case TypeId::kDouble:
      return {{"rawType", "double"}, {"arguments", json::array()}};
    case TypeId::kDecimal:
      return {{"rawType", "decimal"}, {"arguments", args({kDeclaredDecimalPrecision, t.scale})}};
    case TypeId::kDate:
      return {{"rawType", "date"}, {"arguments", json::array()}};
    case TypeId::kTimestamp:
      return {{"rawType", "timestamp"},
              {"arguments", parametric_datetime ? args({6}) : json::array()}};
    default:
      return {{"rawType", "varchar"}, {"arguments", args({2147483647})}};
  }
}

// Trino sends non-finite doubles as strings; every other value as the JSON API does.
// Timestamps as Trino writes them: microseconds for PARAMETRIC_DATETIME clients, else
// rounded to milliseconds.
json Cell(const Column& c, size_t row, bool parametric_datetime) {
  if (c.type.id == TypeId::kTimestamp && !c.IsNull(row)) {
    int64_t micros = c.i64[row];
    const int digits = parametric_datetime ? 6 : 3;
    if (!parametric_datetime) micros = (micros >= 0 ? micros + 500 : micros - 499) / 1000 * 1000;
    int64_t fraction = micros % 1000000;
    if (fraction < 0) fraction += 1000000;
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(fraction));
    return FormatIsoTimestamp(micros - fraction) + std::string(buf).substr(0, 1 + digits);
  }
  if (c.type.id == TypeId::kDouble && !c.IsNull(row) && !std::isfinite(c.f64[row])) {
    const double d = c.f64[row];
    return std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
  }
  return CellToJson(c, row);
}

json ErrorJson(const Error& e) {
  const ErrorMapping& m = MappingOf(e.code());
  std::string name(m.trino_name), type(m.trino_type);
  int code = m.trino_code;
  const std::string message = e.what();
  if (e.code() == ErrorCode::kInvalidArgument && message.rfind("syntax error", 0) == 0) {
    name = "SYNTAX_ERROR";
    code = 1;
  }
  json j = {
      {"message", message},
      {"errorCode", code},
      {"errorName", name},
      {"errorType", type},
      {"failureInfo",
       {{"type", "io.fedgate." + std::string(ErrorCodeName(e.code()))}, {"message", message}}}};
  if (e.location().line > 0) {
    j["errorLocation"] = {{"lineNumber", e.location().line}, {"columnNumber", e.location().column}};
  }
  return j;
}

std::map<std::string, std::string> SessionProperties(const std::string& header) {
  std::map<std::string, std::string> out;
  std::stringstream ss(header);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    std::string value = trim(item.substr(eq + 1));
    try {
      value = UrlDecode(value);  // Java and Python clients encode values
    } catch (const Error&) {
      // not encoded after all: kept as sent
    }
    out[trim(item.substr(0, eq))] = value;
  }
  return out;
}

std::string Header(const HttpRequest& r, const std::string& name) {
  std::string v = r.Header("x-trino-" + name);
  return v.empty() ? r.Header("x-presto-" + name) : v;
}

// The scheme and authority the client used, for the URIs it will follow (nextUri, infoUri);
// nullopt when the Host header is not a plain host[:port] (a value with '/', '@', spaces or
// control characters would send the client, with its credentials, somewhere else).
std::optional<std::string> BaseUri(const HttpRequest& r) {
  std::string host = r.Header("host");
  if (host.empty()) host = "localhost";
  if (host.size() > 255) return std::nullopt;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']')
      return std::nullopt;
  }
  return std::string(r.secure ? "https://" : "http://") + host;
}

}  // namespace

TrinoProtocol::TrinoProtocol(engine::QueryEngine& engine, policy::DsaRegistry& registry,
                             policy::PolicyGate& gate, Metrics& metrics, size_t page_rows)
    : engine_(engine),
      registry_(registry),
      gate_(gate),
      metrics_(metrics),
      page_rows_(page_rows),
      started_(std::chrono::steady_clock::now()) {}

TrinoProtocol::~TrinoProtocol() {
  CancelAll();
  std::map<std::string, std::shared_ptr<Query>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(queries_);
  }
  for (auto& [id, q] : all) {
    if (q->thread.joinable()) q->thread.join();
  }
}

void TrinoProtocol::CancelAll() {
  shutting_down_ = true;
  std::lock_guard lock(mu_);
  for (auto& [id, q] : queries_) q->cancel = true;
}

std::shared_ptr<TrinoProtocol::Query> TrinoProtocol::Find(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = queries_.find(id);
  if (it == queries_.end()) return nullptr;
  it->second->touched = std::chrono::steady_clock::now();
  return it->second;
}

void TrinoProtocol::RunSessionStatement(Query& q, const TrinoStatement& st) {
  using K = TrinoStatement::Kind;
  auto& headers = q.set_headers;
  switch (st.kind) {
    case K::kUse: {
      // The catalog must be a DSA the caller may use, the schema one of its sources.
      auto d = DsaFor(st.catalog, q.dsa, q.caller);
      bool shared = false;
      for (const auto& [table, rule] : d->datasets)
        shared = shared || table.substr(0, table.find('.')) == st.schema;
      if (!shared)
        throw Error(ErrorCode::kNotFound,
                    "schema " + st.schema + " does not exist in catalog " + d->id);
      if (!st.catalog.empty()) headers.push_back({"Set-Catalog", d->id});
      headers.push_back({"Set-Schema", st.schema});
      break;
    }
    case K::kSetSession:
    case K::kResetSession:
      if (st.name != "purpose") {
        throw Error(ErrorCode::kInvalidArgument,
                    "session property '" + st.name +
                        "' does not exist (fedgate's session properties: purpose; see SHOW "
                        "SESSION)");
      }
      if (st.kind == K::kSetSession) {
        headers.push_back({"Set-Session", st.name + "=" + UrlEncode(st.value)});
      } else {
        headers.push_back({"Clear-Session", st.name});
      }
      break;
    case K::kPrepare: {
      // Checked now, as Trino does, so a client learns of a syntax error at PREPARE.
      const TrinoStatement inner = ParseTrinoStatement(st.statement);
      if (inner.kind != K::kQuery && inner.kind != K::kShowFunctions &&
          inner.kind != K::kShowSession && inner.kind != K::kShowCreateTable) {
        throw Error(ErrorCode::kInvalidArgument,
                    "only queries can be prepared, not " + UpdateType(inner.kind));
      }
      headers.push_back({"Added-Prepare", UrlEncode(st.name) + "=" + UrlEncode(st.statement)});
      break;
    }
    case K::kDeallocate:
      Prepared(q, st.name);
      headers.push_back({"Deallocated-Prepare", UrlEncode(st.name)});
      break;
    default:
      break;
  }
  q.update_type = UpdateType(st.kind);
}

engine::QueryResult TrinoProtocol::RunSql(Query& q, const std::string& sql_in,
                                          const TrinoStatement& inner,
                                          const TrinoStatement& values) {
  using K = TrinoStatement::Kind;
  if (inner.kind == K::kShowFunctions) return ShowFunctions(inner);
  if (inner.kind == K::kShowSession) return ShowSession(inner, q);
  if (inner.kind == K::kShowCreateTable) return ShowCreateTable(inner, q);
  if (inner.kind != K::kQuery) {
    throw Error(ErrorCode::kInvalidArgument, "EXECUTE runs a query; a " + UpdateType(inner.kind) +
                                                 " statement is sent on its own");
  }
  const policy::Session session{q.caller.user, q.caller.role, q.caller.organisation, q.purpose};
  const std::set<std::string> catalogs = CatalogsOf(q.caller);
  const sql::TrinoText text(sql_in, catalogs);
  const std::string& sql = text.text();
  if (static_cast<size_t>(text.parameters()) != values.parameters.size()) {
    throw Error(ErrorCode::kInvalidArgument,
                "the statement has " + std::to_string(text.parameters()) +
                    " parameter(s) (?) but " + std::to_string(values.parameters.size()) +
                    " value(s) were given (EXECUTE ... USING v1, v2, ...)");
  }
  std::optional<engine::QueryResult> result;
  try {
    if (values.parameters.empty()) result = Introspect(sql, q.dsa, q.schema, q.caller);
    if (!result && MetadataQuery::ReadsMetadata(sql)) {
      if (!values.parameters.empty())
        throw Error(ErrorCode::kInvalidArgument, "metadata queries take no parameters");
      std::vector<std::shared_ptr<const policy::Dsa>> dsas;
      for (const auto& id : catalogs) dsas.push_back(registry_.Get(id));
      result = MetadataQuery(std::move(dsas), q.dsa, engine_.catalog()).Run(sql, &q.cancel);
    }
  } catch (const Error& e) {
    gate_.AuditMetadata(session, q.dsa, sql_in, e.what());
    throw text.Original(e);
  }
  if (result) {
    gate_.AuditMetadata(session, q.dsa, sql_in, "");
    return std::move(*result);
  }
  if (q.dsa.empty())
    throw Error(ErrorCode::kInvalidArgument,
                "no catalog: set X-Trino-Catalog to the DSA to query under");
  if (q.purpose.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "no purpose: set the session property purpose (SET SESSION purpose = '...' or "
                "X-Trino-Session: purpose=...)");
  }
  engine::QueryOptions options;
  options.cancel = &q.cancel;
  options.default_schema = q.schema;
  options.parameters = values.parameters;
  options.parameter_texts = values.parameter_texts;
  try {
    auto released = gate_.Query(session, q.dsa, sql, options);
    metrics_.Released(released);
    return released;
  } catch (const Error& e) {
    throw text.Original(e);
  }
}

void TrinoProtocol::Run(std::shared_ptr<Query> q) {
  {
    std::lock_guard lock(q->mu);
    q->state = "RUNNING";
  }
  std::optional<engine::QueryResult> result;
  std::optional<Error> error;
  try {
    using K = TrinoStatement::Kind;
    const TrinoStatement st = ParseTrinoStatement(q->sql);
    switch (st.kind) {
      case K::kUse:
      case K::kSetSession:
      case K::kResetSession:
      case K::kPrepare:
      case K::kDeallocate:
        RunSessionStatement(*q, st);
        result.emplace();  // no columns, no rows
        break;
      case K::kExecute: {
        const std::string& sql = Prepared(*q, st.name);
        result = RunSql(*q, sql, ParseTrinoStatement(sql), st);
        break;
      }
      case K::kExecuteImmediate:
        result = RunSql(*q, st.statement, ParseTrinoStatement(st.statement), st);
        break;
      case K::kDescribeInput:
        result = DescribeInput(*q, st.name);
        break;
      case K::kDescribeOutput:
        result = DescribeOutput(*q, st.name);
        break;
      default:
        result = RunSql(*q, q->sql, st, st);  // a query or a SHOW: it has no values
        break;
    }
  } catch (const Error& e) {
    error = e;
    metrics_.Failed(
        e.code() == ErrorCode::kPermissionDenied ? "refused" : "failed",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - q->created).count());
  } catch (const std::exception& e) {
    error = Error(ErrorCode::kInternal, e.what());
  }
  std::lock_guard lock(q->mu);
  q->result = std::move(result);
  q->error = std::move(error);
  q->state = q->error ? "FAILED" : "FINISHED";
  q->cv.notify_all();
}

HttpResponse TrinoProtocol::Start(const HttpRequest& request, const Caller& caller) {
  const std::string claimed = Header(request, "user");
  if (!claimed.empty() && claimed != caller.user) {
    return {403,
            "application/json",
            json{{"error",
                  {{"message", "X-Trino-User '" + claimed + "' is not the authenticated user"}}}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
  }
  if (request.body.empty()) return {400, "text/plain", "SQL statement is empty", {}};
  // 503 only while nothing has started, so the clients' retry (Java and Python retry
  // 502/503/504) cannot run a statement twice.
  if (shutting_down_) return {503, "text/plain", "shutting down", {{"Retry-After", "1"}}};
  auto q = std::make_shared<Query>();
  q->id = "fedgate_" +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()) +
          "_" + std::to_string(next_id_++);
  q->sql = request.body;
  q->caller = caller;
  q->dsa = Header(request, "catalog");
  q->schema = Header(request, "schema");
  q->source = Header(request, "source");
  auto session = SessionProperties(Header(request, "session"));
  q->purpose = session.count("purpose") ? session["purpose"] : caller.purpose;
  for (const auto& [name, value] : request.headers) {
    if (name.rfind("x-presto-", 0) == 0) q->header_prefix = "X-Presto-";
  }
  q->parametric_datetime =
      Header(request, "client-capabilities").find("PARAMETRIC_DATETIME") != std::string::npos;
  try {
    q->prepared = ParsePreparedStatements(Header(request, "prepared-statement"));
  } catch (const Error& e) {
    return {400, "text/plain", e.what(), {}};
  }
  {
    std::lock_guard lock(mu_);
    // Forget results nobody has asked for in ten minutes.
    const auto now = std::chrono::steady_clock::now();
    for (auto it = queries_.begin(); it != queries_.end();) {
      bool done;
      {
        std::lock_guard ql(it->second->mu);
        done = it->second->state == "FINISHED" || it->second->state == "FAILED";
      }
      if (done && now - it->second->touched > std::chrono::minutes(10)) {
        if (it->second->thread.joinable()) it->second->thread.join();
        it = queries_.erase(it);
      } else {
        ++it;
      }
    }
    if (queries_.size() >= 256)
      return {503, "text/plain", "too many queries in flight", {{"Retry-After", "1"}}};
    queries_[q->id] = q;
  }
  q->thread = std::thread([this, q] { Run(q); });
  const std::string base = *BaseUri(request);  // Handle checked it
  json j = {{"id", q->id},
            {"infoUri", base + "/v1/query/" + q->id},
            {"nextUri", base + "/v1/statement/executing/" + q->id + "/1"},
            {"stats", {{"state", "QUEUED"}, {"queued", true}, {"scheduled", false}, {"nodes", 1}}}};
  return {200,
          "application/json",
          j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          {}};
}

HttpResponse TrinoProtocol::Page(const std::string& base, const std::shared_ptr<Query>& q,
                                 int64_t token) {
  std::unique_lock lock(q->mu);
  // Long-poll: wait up to a second for the query to finish rather than answering at once.
  q->cv.wait_for(lock, std::chrono::seconds(1),
                 [&] { return q->state == "FINISHED" || q->state == "FAILED"; });
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - q->created)
          .count();
  json j = {{"id", q->id}, {"infoUri", base + "/v1/query/" + q->id}};
  json stats = {{"state", q->state},
                {"queued", q->state == "QUEUED"},
                {"scheduled", q->state != "QUEUED"},
                {"nodes", 1},
                {"elapsedTimeMillis", static_cast<int64_t>(elapsed)},
                {"wallTimeMillis", static_cast<int64_t>(elapsed)},
                {"queuedTimeMillis", 0},
                {"processedRows", 0},
                {"processedBytes", 0}};
  if (q->state == "FAILED") {
    j["error"] = ErrorJson(*q->error);
    j["stats"] = stats;
    return {200,
            "application/json",
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
  }
  if (q->state != "FINISHED") {
    j["nextUri"] = base + "/v1/statement/executing/" + q->id + "/" + std::to_string(token);
    j["stats"] = stats;
    return {200,
            "application/json",
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
  }
  const engine::QueryResult& r = *q->result;
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : q->set_headers)
    headers.push_back({q->header_prefix + name, value});
  json columns = json::array();
  for (const auto& c : r.columns) {
    columns.push_back({{"name", c.name},
                       {"type", TypeName(c.type, q->parametric_datetime)},
                       {"typeSignature", TypeSignature(c.type, q->parametric_datetime)}});
  }
  j["columns"] = columns;
  stats["processedRows"] = static_cast<int64_t>(r.rows.rows);
  if (!q->update_type.empty()) {
    // A session statement: no columns, no rows, its effect in the response headers.
    j["updateType"] = q->update_type;
    j["stats"] = stats;
    return {200, "application/json",
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), std::move(headers)};
  }
  // Every page with rows is followed by one more; the last page has none (as Trino's), so a
  // client that yields the final page twice still sees each row once.
  const size_t begin = static_cast<size_t>(token - 1) * page_rows_;
  const size_t end = std::min(r.rows.rows, begin + page_rows_);
  json data = json::array();
  const size_t nc = r.columns.size();
  for (size_t row = begin; row < end; ++row) {
    json values = json::array();
    for (size_t c = 0; c < nc; ++c)
      values.push_back(Cell(r.rows.columns[c], row, q->parametric_datetime));
    data.push_back(std::move(values));
  }
  const json cells = disclosure::CellMarks(r.disclosure, begin, end);
  if (!data.empty()) j["data"] = data;
  j["fedgateDisclosure"] = {{"minPersons", r.disclosure.min_persons}, {"cells", cells}};
  j["stats"] = stats;
  if (begin < end)
    j["nextUri"] = base + "/v1/statement/executing/" + q->id + "/" + std::to_string(token + 1);
  return {200, "application/json", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          std::move(headers)};
}

HttpResponse TrinoProtocol::Handle(const HttpRequest& request, const Caller& caller) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const auto checked_base = BaseUri(request);
  if (!checked_base) {
    return {400,
            "application/json",
            json{{"error", {{"message", "bad Host header: expected host[:port]"}}}}.dump(
                -1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
  }
  const std::string& base = *checked_base;
  if (path == "/v1/info") {
    const auto up = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::steady_clock::now() - started_)
                        .count();
    json j = {{"nodeVersion", {{"version", std::string("fedgate-") + FEDGATE_VERSION}}},
              {"environment", "fedgate"},
              {"coordinator", true},
              {"starting", false},
              {"uptime", std::to_string(up) + ".00s"}};
    return {200,
            "application/json",
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
  }
  if (path == "/v1/statement" && request.method == "POST") return Start(request, caller);
  std::smatch m;
  static const std::regex executing(R"(/v1/statement/executing/([A-Za-z0-9_]+)/([0-9]+))");
  static const std::regex query(R"(/v1/query/([A-Za-z0-9_]+))");
  if (std::regex_match(path, m, executing)) {
    auto q = Find(m[1].str());
    if (!q || q->caller.user != caller.user) return {404, "text/plain", "no such query", {}};
    if (request.method == "DELETE") {
      q->cancel = true;
      return {204, "text/plain", "", {}};
    }
    const int64_t token = std::stoll(m[2].str());
    if (token < 1) return {410, "text/plain", "gone", {}};
    return Page(base, q, token);
  }
  if (std::regex_match(path, m, query)) {
    auto q = Find(m[1].str());
    if (!q || q->caller.user != caller.user) return {404, "text/plain", "no such query", {}};
    if (request.method == "DELETE") {
      q->cancel = true;
      return {204, "text/plain", "", {}};
    }
    std::lock_guard lock(q->mu);
    json j = {{"queryId", q->id},
              {"state", q->state},
              {"query", q->sql},
              {"session",
               {{"user", q->caller.user},
                {"catalog", q->dsa},
                {"schema", q->schema},
                {"source", q->source}}}};
    return {200,
            "application/json",
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
  }
  return {404, "text/plain", "no such endpoint", {}};
}

}  // namespace fedgate::gateway
