#include "gateway/trino.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/date.h"
#include "gateway/api_util.h"
#include "gateway/metadata.h"

namespace fedgate::gateway {

using nlohmann::json;

struct TrinoProtocol::Query {
  std::string id, sql, dsa, schema, purpose, source;
  Caller caller;
  std::atomic<bool> cancel{false};
  std::mutex mu;
  std::condition_variable cv;
  std::string state = "QUEUED";  // QUEUED, RUNNING, FINISHED, FAILED
  std::optional<planner::QueryResult> result;
  std::optional<Error> error;
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point touched = created;
  std::thread thread;
};

namespace {

json TypeSignature(const DataType& t) {
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
      return {{"rawType", "decimal"}, {"arguments", args({38, t.scale})}};
    case TypeId::kDate:
      return {{"rawType", "date"}, {"arguments", json::array()}};
    case TypeId::kTimestamp:
      return {{"rawType", "timestamp"}, {"arguments", args({6})}};
    default:
      return {{"rawType", "varchar"}, {"arguments", args({2147483647})}};
  }
}

// Trino sends non-finite doubles as strings; every other value as the JSON API does.
json Cell(const Column& c, size_t row) {
  if (c.type.id == TypeId::kDouble && !c.IsNull(row) && !std::isfinite(c.f64[row])) {
    const double d = c.f64[row];
    return std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
  }
  return CellToJson(c, row);
}

json ErrorJson(const Error& e) {
  std::string name = "GENERIC_USER_ERROR", type = "USER_ERROR";
  int code = 0;
  const std::string message = e.what();
  switch (e.code()) {
    case ErrorCode::kInvalidArgument:
      if (message.rfind("syntax error", 0) == 0) {
        name = "SYNTAX_ERROR";
        code = 1;
      }
      break;
    case ErrorCode::kNotFound:
      name = "TABLE_NOT_FOUND";
      code = 46;
      break;
    case ErrorCode::kPermissionDenied:
      name = "PERMISSION_DENIED";
      code = 4;
      break;
    case ErrorCode::kCancelled:
      name = "USER_CANCELED";
      code = 3;
      break;
    case ErrorCode::kResourceExhausted:
      name = "EXCEEDED_LOCAL_MEMORY_LIMIT";
      code = 131079;
      type = "INSUFFICIENT_RESOURCES";
      break;
    case ErrorCode::kSource:
      name = "REMOTE_TASK_ERROR";
      code = 65542;
      type = "EXTERNAL";
      break;
    case ErrorCode::kInternal:
      name = "GENERIC_INTERNAL_ERROR";
      code = 65536;
      type = "INTERNAL_ERROR";
      break;
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

// A small result of text columns (introspection answers).
planner::QueryResult TextResult(const std::vector<std::string>& names,
                                const std::vector<std::vector<std::string>>& rows) {
  planner::QueryResult r;
  for (const auto& n : names) {
    r.columns.push_back({n, DataType::Text(), false});
    r.rows.columns.emplace_back(DataType::Text());
  }
  for (const auto& row : rows) {
    for (size_t c = 0; c < names.size(); ++c) {
      r.rows.columns[c].null.push_back(0);
      r.rows.columns[c].str.push_back(row[c]);
    }
  }
  r.rows.rows = rows.size();
  r.suppressed.assign(rows.size(), 0);
  r.cell_rules.assign(rows.size() * names.size(), 0);
  return r;
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
    out[trim(item.substr(0, eq))] = trim(item.substr(eq + 1));
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

// SQL LIKE pattern (% and _) as a regex.
bool Like(const std::string& text, const std::string& pattern) {
  std::string re;
  for (char c : pattern) {
    if (c == '%') {
      re += ".*";
    } else if (c == '_') {
      re += '.';
    } else {
      if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) re += '\\';
      re += c;
    }
  }
  return std::regex_match(text, std::regex(re, std::regex::icase));
}

}  // namespace

TrinoProtocol::TrinoProtocol(planner::QueryEngine& engine, policy::DsaRegistry& registry,
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

std::optional<planner::QueryResult> TrinoProtocol::Introspect(const std::string& sql_in,
                                                              const std::string& dsa_id,
                                                              const std::string& schema,
                                                              const Caller& caller) {
  std::string sql = sql_in;
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  std::smatch m;
  // Compiled once: every statement is matched against these before it runs.
  static const std::string ident = R"(("[^"]+"|[A-Za-z_][A-Za-z0-9_\-]*))";
  auto re = [](const std::string& p) { return std::regex(p, std::regex::icase); };
  static const std::regex kVersion = re(R"(\s*SELECT\s+version\s*\(\s*\)\s*)");
  static const std::regex kTimezone = re(R"(\s*SELECT\s+current_timezone\s*\(\s*\)\s*)");
  static const std::regex kCatalogs = re(R"(\s*SHOW\s+CATALOGS\s*)");
  static const std::regex kSchemas =
      re(R"(\s*SHOW\s+SCHEMAS(\s+FROM\s+)" + ident + R"()?(\s+LIKE\s+'([^']*)')?\s*)");
  static const std::regex kTables = re(R"(\s*SHOW\s+TABLES(\s+FROM\s+)" + ident + R"((\.)" + ident +
                                       R"()?)?(\s+LIKE\s+'([^']*)')?\s*)");
  static const std::regex kColumns = re(R"(\s*(SHOW\s+COLUMNS\s+FROM|DESCRIBE)\s+)" + ident +
                                        R"((\.)" + ident + R"()?(\.)" + ident + R"()?\s*)");
  if (std::regex_match(sql, kVersion)) {
    return TextResult({"_col0"}, {{std::string("fedgate ") + FEDGATE_VERSION}});
  }
  if (std::regex_match(sql, kTimezone)) {
    return TextResult({"_col0"}, {{"UTC"}});
  }
  if (std::regex_match(sql, kCatalogs)) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& id : registry_.Ids()) {
      if (registry_.Get(id)->IsRecipient(caller.role, caller.organisation)) rows.push_back({id});
    }
    return TextResult({"Catalog"}, rows);
  }
  // The DSA a metadata statement is about: named, or the session's catalog.
  auto dsa_for = [&](const std::string& named) {
    const std::string id = named.empty() ? dsa_id : named;
    if (id.empty())
      throw Error(ErrorCode::kInvalidArgument, "no catalog: set X-Trino-Catalog to a DSA id");
    auto d = registry_.Get(id);
    if (!d->IsRecipient(caller.role, caller.organisation)) {
      throw Error(ErrorCode::kPermissionDenied,
                  "user " + caller.user + " is not a recipient of DSA " + id);
    }
    return d;
  };
  auto unquote = [](std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
  };
  if (std::regex_match(sql, m, kSchemas)) {
    auto d = dsa_for(unquote(m[2].str()));
    std::set<std::string> schemas;
    for (const auto& [table, rule] : d->datasets) schemas.insert(table.substr(0, table.find('.')));
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : schemas) {
      if (!m[4].matched || Like(s, m[4].str())) rows.push_back({s});
    }
    return TextResult({"Schema"}, rows);
  }
  if (std::regex_match(sql, m, kTables)) {
    std::string catalog, sch = schema;
    if (m[4].matched) {
      catalog = unquote(m[2].str());
      sch = unquote(m[4].str());
    } else if (m[2].matched) {
      sch = unquote(m[2].str());
    }
    auto d = dsa_for(catalog);
    std::vector<std::vector<std::string>> rows;
    for (const auto& [table, rule] : d->datasets) {
      auto dot = table.find('.');
      if (table.substr(0, dot) != sch) continue;
      std::string name = table.substr(dot + 1);
      if (!m[6].matched || Like(name, m[6].str())) rows.push_back({name});
    }
    return TextResult({"Table"}, rows);
  }
  if (std::regex_match(sql, m, kColumns)) {
    std::vector<std::string> parts = {unquote(m[2].str())};
    if (m[4].matched) parts.push_back(unquote(m[4].str()));
    if (m[6].matched) parts.push_back(unquote(m[6].str()));
    std::string catalog, sch = schema, table;
    if (parts.size() == 3) {
      catalog = parts[0];
      sch = parts[1];
      table = parts[2];
    } else if (parts.size() == 2) {
      sch = parts[0];
      table = parts[1];
    } else {
      table = parts[0];
    }
    auto d = dsa_for(catalog);
    const std::string qualified = sch + "." + table;
    auto it = d->datasets.find(qualified);
    if (it == d->datasets.end())
      throw Error(ErrorCode::kNotFound,
                  "table " + qualified + " does not exist in catalog " + d->id);
    const auto& t = engine_.catalog().Table(sch, table);
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : t.columns) {
      if (it->second.Allows(c.name))
        rows.push_back(
            {c.name, TrinoTypeName(c.type), "", c.person ? "pseudonymised person key" : ""});
    }
    return TextResult({"Column", "Type", "Extra", "Comment"}, rows);
  }
  return std::nullopt;
}

void TrinoProtocol::Run(std::shared_ptr<Query> q) {
  {
    std::lock_guard lock(q->mu);
    q->state = "RUNNING";
  }
  std::optional<planner::QueryResult> result;
  std::optional<Error> error;
  try {
    std::string sql = q->sql;
    std::smatch m;
    // EXECUTE IMMEDIATE 'SQL' (trino-python-client's probe) runs the quoted statement.
    if (std::regex_match(sql, m,
                         std::regex(R"(\s*EXECUTE\s+IMMEDIATE\s+'((?:[^']|'')*)'\s*;?\s*)",
                                    std::regex::icase))) {
      sql = std::regex_replace(m[1].str(), std::regex("''"), "'");
    }
    const policy::Session session{q->caller.user, q->caller.role, q->caller.organisation,
                                  q->purpose};
    try {
      result = Introspect(sql, q->dsa, q->schema, q->caller);
    } catch (const Error& e) {
      gate_.AuditMetadata(session, q->dsa, sql, e.what());
      throw;
    }
    if (!result && MetadataQuery::ReadsMetadata(sql)) {
      std::vector<std::shared_ptr<const policy::Dsa>> dsas;
      for (const auto& id : registry_.Ids()) {
        auto d = registry_.Get(id);
        if (d->IsRecipient(q->caller.role, q->caller.organisation)) dsas.push_back(d);
      }
      try {
        result = MetadataQuery(std::move(dsas), q->dsa, engine_.catalog()).Run(sql, &q->cancel);
      } catch (const Error& e) {
        gate_.AuditMetadata(session, q->dsa, sql, e.what());
        throw;
      }
    }
    if (result) gate_.AuditMetadata(session, q->dsa, sql, "");
    if (!result) {
      if (q->dsa.empty())
        throw Error(ErrorCode::kInvalidArgument,
                    "no catalog: set X-Trino-Catalog to the DSA to query under");
      if (q->purpose.empty()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "no purpose: set the session property purpose (X-Trino-Session: purpose=...)");
      }
      planner::QueryOptions options;
      options.cancel = &q->cancel;
      options.default_schema = q->schema;
      result = gate_.Query({q->caller.user, q->caller.role, q->caller.organisation, q->purpose},
                           q->dsa, sql, options);
      metrics_.Released(*result);
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
                .dump(),
            {}};
  }
  if (request.body.empty()) return {400, "text/plain", "SQL statement is empty", {}};
  if (shutting_down_) return {503, "text/plain", "shutting down", {}};
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
    if (queries_.size() >= 256) return {503, "text/plain", "too many queries in flight", {}};
    queries_[q->id] = q;
  }
  q->thread = std::thread([this, q] { Run(q); });
  const std::string base = *BaseUri(request);  // Handle checked it
  json j = {{"id", q->id},
            {"infoUri", base + "/v1/query/" + q->id},
            {"nextUri", base + "/v1/statement/executing/" + q->id + "/1"},
            {"stats", {{"state", "QUEUED"}, {"queued", true}, {"scheduled", false}, {"nodes", 1}}}};
  return {200, "application/json", j.dump(), {}};
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
    return {200, "application/json", j.dump(), {}};
  }
  if (q->state != "FINISHED") {
    j["nextUri"] = base + "/v1/statement/executing/" + q->id + "/" + std::to_string(token);
    j["stats"] = stats;
    return {200, "application/json", j.dump(), {}};
  }
  const planner::QueryResult& r = *q->result;
  json columns = json::array();
  for (const auto& c : r.columns) {
    columns.push_back({{"name", c.name},
                       {"type", TrinoTypeName(c.type)},
                       {"typeSignature", TypeSignature(c.type)}});
  }
  j["columns"] = columns;
  const size_t begin = static_cast<size_t>(token - 1) * page_rows_;
  const size_t end = std::min(r.rows.rows, begin + page_rows_);
  json data = json::array(), cells = json::array();
  const size_t nc = r.columns.size();
  for (size_t row = begin; row < end; ++row) {
    json values = json::array();
    for (size_t c = 0; c < nc; ++c) {
      values.push_back(Cell(r.rows.columns[c], row));
      const uint8_t rule = r.cell_rules.empty() ? 0 : r.cell_rules[row * nc + c];
      if (rule)
        cells.push_back(
            {row - begin, c, std::string(sdc::CellRuleName(static_cast<sdc::CellRule>(rule)))});
    }
    data.push_back(std::move(values));
  }
  if (!data.empty()) j["data"] = data;
  j["fedgateDisclosure"] = {{"minPersons", r.min_persons}, {"cells", cells}};
  stats["processedRows"] = static_cast<int64_t>(r.rows.rows);
  j["stats"] = stats;
  if (end < r.rows.rows)
    j["nextUri"] = base + "/v1/statement/executing/" + q->id + "/" + std::to_string(token + 1);
  return {200, "application/json", j.dump(), {}};
}

HttpResponse TrinoProtocol::Handle(const HttpRequest& request, const Caller& caller) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const auto checked_base = BaseUri(request);
  if (!checked_base) {
    return {400,
            "application/json",
            json{{"error", {{"message", "bad Host header: expected host[:port]"}}}}.dump(),
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
    return {200, "application/json", j.dump(), {}};
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
    return {200, "application/json", j.dump(), {}};
  }
  return {404, "text/plain", "no such endpoint", {}};
}

}  // namespace fedgate::gateway
