#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "common/like.h"
#include "gateway/metadata.h"
#include "gateway/trino.h"
#include "gateway/trino_query.h"
#include "planner/function/function_list.h"
#include "planner/value.h"
#include "sql/dialect.h"
#include "sql/trino_text.h"

// The Trino protocol's answers from a DSA's allowlist and fedgate's own tables: SHOW
// CATALOGS/SCHEMAS/TABLES/COLUMNS/FUNCTIONS/SESSION/CREATE TABLE, DESCRIBE, DESCRIBE
// INPUT/OUTPUT, version() and current_timezone(). Nothing here reads a source's rows.

namespace fedgate::gateway {
namespace {

// A result of typed columns, filled row by row.
class ResultBuilder {
 public:
  ResultBuilder& Column(const std::string& name, DataType type) {
    r_.columns.push_back({name, type, false});
    r_.rows.columns.emplace_back(type);
    return *this;
  }
  void Row(const std::vector<planner::Value>& values) {
    for (size_t c = 0; c < values.size(); ++c) planner::AppendValue(r_.rows.columns[c], values[c]);
    ++r_.rows.rows;
  }
  engine::QueryResult Take() {
    r_.disclosure.suppressed.assign(r_.rows.rows, 0);
    r_.disclosure.cell_rules.assign(r_.rows.rows * r_.columns.size(), 0);
    r_.disclosure.columns = r_.columns.size();
    return std::move(r_);
  }

 private:
  engine::QueryResult r_;
};

// A small result of text columns (introspection answers).
engine::QueryResult TextResult(const std::vector<std::string>& names,
                               const std::vector<std::vector<std::string>>& rows) {
  ResultBuilder b;
  for (const auto& n : names) b.Column(n, DataType::Text());
  for (const auto& row : rows) {
    std::vector<planner::Value> values;
    for (const auto& v : row) values.push_back(planner::Value::Text(v));
    b.Row(values);
  }
  return b.Take();
}

// SQL LIKE as Trino's SHOW statements match: case-insensitive, no escape unless one is named.
bool Like(const std::string& text, const std::string& pattern, char escape = '\0') {
  return LikeMatch(text, pattern, {escape, /*fold_case=*/true});
}

// An identifier as Trino's SQL quotes it (as PostgreSQL does: "..." with " doubled).
std::string QuoteIdentifier(const std::string& name) {
  return sql::QuoteIdentifier(sql::PostgresDialect(), name);
}

}  // namespace

std::shared_ptr<const policy::Dsa> TrinoProtocol::DsaFor(const std::string& named,
                                                         const std::string& session,
                                                         const Caller& caller) {
  const std::string id = named.empty() ? session : named;
  if (id.empty())
    throw Error(ErrorCode::kInvalidArgument, "no catalog: set X-Trino-Catalog to a DSA id");
  auto d = registry_.Get(id);
  if (!d->IsRecipient(caller.role, caller.organisation)) {
    throw Error(ErrorCode::kPermissionDenied,
                "user " + caller.user + " is not a recipient of DSA " + id);
  }
  return d;
}

std::set<std::string> TrinoProtocol::CatalogsOf(const Caller& caller) {
  std::set<std::string> out;
  for (const auto& id : registry_.Ids()) {
    if (registry_.Get(id)->IsRecipient(caller.role, caller.organisation)) out.insert(id);
  }
  return out;
}

const std::string& TrinoProtocol::Prepared(const Query& q, const std::string& name) const {
  auto it = q.prepared.find(name);
  if (it == q.prepared.end()) {
    throw Error(ErrorCode::kNotFound,
                "prepared statement not found: " + name +
                    " (PREPARE it first; the client sends it back in X-Trino-Prepared-Statement)");
  }
  return it->second;
}

std::optional<engine::QueryResult> TrinoProtocol::Introspect(const std::string& sql_in,
                                                             const std::string& dsa_id,
                                                             const std::string& schema,
                                                             const Caller& caller) {
  // Introspection statements are short; libstdc++'s regex recurses once per character, so a
  // long text is never matched (it goes to the SQL parser instead).
  if (sql_in.size() > 4096) return std::nullopt;
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
    for (const auto& id : CatalogsOf(caller)) rows.push_back({id});
    return TextResult({"Catalog"}, rows);
  }
  auto dsa_for = [&](const std::string& named) { return DsaFor(named, dsa_id, caller); };
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

engine::QueryResult TrinoProtocol::ShowFunctions(const TrinoStatement& st) {
  ResultBuilder b;
  b.Column("Function", DataType::Text())
      .Column("Return Type", DataType::Text())
      .Column("Argument Types", DataType::Text())
      .Column("Function Type", DataType::Text())
      .Column("Deterministic", DataType::Bool())
      .Column("Description", DataType::Text());
  for (const auto& f : planner::FunctionSignatures()) {
    if (st.like && !Like(f.name, *st.like, st.like_escape)) continue;
    b.Row({planner::Value::Text(f.name), planner::Value::Text(f.return_type),
           planner::Value::Text(f.argument_types), planner::Value::Text(f.kind),
           planner::Value::Bool(f.name != "current_date"), planner::Value::Text(f.description)});
  }
  return b.Take();
}

engine::QueryResult TrinoProtocol::ShowSession(const TrinoStatement& st, const Query& q) {
  std::vector<std::vector<std::string>> rows;
  if (!st.like || Like("purpose", *st.like, st.like_escape)) {
    rows.push_back({"purpose", q.purpose, q.caller.purpose, "varchar",
                    "Why the data is used: one of the DSA's purposes (required for queries; the "
                    "user's default when not set)"});
  }
  return TextResult({"Name", "Value", "Default", "Type", "Description"}, rows);
}

engine::QueryResult TrinoProtocol::ShowCreateTable(const TrinoStatement& st, const Query& q) {
  std::string catalog, schema = q.schema, table = st.table.back();
  if (st.table.size() == 3) catalog = st.table[0];
  if (st.table.size() >= 2) schema = st.table[st.table.size() - 2];
  auto d = DsaFor(catalog, q.dsa, q.caller);
  const std::string qualified = schema + "." + table;
  auto it = d->datasets.find(qualified);
  if (it == d->datasets.end())
    throw Error(ErrorCode::kNotFound, "table " + qualified + " does not exist in catalog " + d->id);
  const auto& t = engine_.catalog().Table(schema, table);
  std::ostringstream os;
  os << "CREATE TABLE " << QuoteIdentifier(d->id) << "." << QuoteIdentifier(schema) << "."
     << QuoteIdentifier(table) << " (";
  bool first = true;
  for (const auto& c : t.columns) {
    if (!it->second.Allows(c.name)) continue;
    os << (first ? "\n   " : ",\n   ") << QuoteIdentifier(c.name) << " " << TrinoTypeName(c.type);
    if (c.person) os << " COMMENT 'pseudonymised person key'";
    first = false;
  }
  os << "\n)\nCOMMENT 'shared by DSA " << d->id << "; read from source " << schema << "'";
  return TextResult({"Create Table"}, {{os.str()}});
}

engine::QueryResult TrinoProtocol::DescribeInput(const Query& q, const std::string& name) {
  const sql::TrinoText text(Prepared(q, name));  // only its parameters are counted
  ResultBuilder b;
  b.Column("Position", DataType::Int64()).Column("Type", DataType::Text());
  // fedgate types a parameter where it stands, from its value: "unknown" until then.
  for (int i = 0; i < text.parameters(); ++i)
    b.Row({planner::Value::Int(i), planner::Value::Text("unknown")});
  return b.Take();
}

engine::QueryResult TrinoProtocol::DescribeOutput(Query& q, const std::string& name) {
  const sql::TrinoText text(Prepared(q, name), CatalogsOf(q.caller));
  if (q.dsa.empty())
    throw Error(ErrorCode::kInvalidArgument,
                "no catalog: set X-Trino-Catalog to the DSA to query under");
  engine::QueryOptions options;
  options.default_schema = q.schema;
  options.unbound_parameters_as_null = true;
  std::vector<engine::ResultColumn> columns;
  const policy::Session session{q.caller.user, q.caller.role, q.caller.organisation, q.purpose};
  try {
    columns = gate_.Describe(session, q.dsa, text.text(), options);
  } catch (const Error& e) {
    gate_.AuditMetadata(session, q.dsa, "DESCRIBE OUTPUT " + name + ": " + text.text(), e.what());
    throw text.Original(e);
  }
  gate_.AuditMetadata(session, q.dsa, "DESCRIBE OUTPUT " + name + ": " + text.text(), "");
  ResultBuilder b;
  b.Column("Column Name", DataType::Text())
      .Column("Catalog", DataType::Text())
      .Column("Schema", DataType::Text())
      .Column("Table", DataType::Text())
      .Column("Type", DataType::Text())
      .Column("Type Size", DataType::Int64())
      .Column("Aliased", DataType::Bool());
  for (const auto& c : columns) {
    const int64_t size = c.type.id == TypeId::kBool ? 1
                         : c.type.id == TypeId::kInt64 || c.type.id == TypeId::kDouble ||
                                 c.type.id == TypeId::kTimestamp
                             ? 8
                         : c.type.id == TypeId::kDate ? 4
                                                      : 0;
    b.Row({planner::Value::Text(c.name), planner::Value::Text(q.dsa), planner::Value::Text(""),
           planner::Value::Text(""), planner::Value::Text(TrinoTypeName(c.type)),
           planner::Value::Int(size), planner::Value::Bool(false)});
  }
  return b.Take();
}

}  // namespace fedgate::gateway
