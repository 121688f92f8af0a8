#include "gateway/metadata.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "common/error.h"
#include "common/random.h"
#include "connectors/memory/memory_connector.h"
#include "sql/parser.h"

namespace fedgate::gateway {
namespace {

constexpr const char* kInfoSchema = "information_schema";
constexpr const char* kJdbc = "jdbc";

// Calls `f` on every table reference of `s`, its CTEs, set operations, FROM subqueries and
// subqueries in expressions.
void VisitTables(const sql::SelectStmt& s, const std::function<void(const sql::TableRef&)>& f);

void VisitExpr(const sql::Expr* e, const std::function<void(const sql::TableRef&)>& f) {
  if (!e) return;
  for (const auto& a : e->args) VisitExpr(a.get(), f);
  VisitExpr(e->case_operand.get(), f);
  for (const auto& [w, t] : e->whens) {
    VisitExpr(w.get(), f);
    VisitExpr(t.get(), f);
  }
  VisitExpr(e->case_else.get(), f);
  if (e->subquery) VisitTables(*e->subquery, f);
}

void VisitRef(const sql::TableRef& t, const std::function<void(const sql::TableRef&)>& f) {
  switch (t.kind) {
    case sql::TableRefKind::kTable:
      f(t);
      break;
    case sql::TableRefKind::kJoin:
      VisitRef(*t.left, f);
      VisitRef(*t.right, f);
      VisitExpr(t.on.get(), f);
      break;
    case sql::TableRefKind::kSubquery:
      VisitTables(*t.subquery, f);
      break;
  }
}

void VisitTables(const sql::SelectStmt& s, const std::function<void(const sql::TableRef&)>& f) {
  for (const auto& cte : s.with) VisitTables(*cte.query, f);
  if (s.left) VisitTables(*s.left, f);
  if (s.right) VisitTables(*s.right, f);
  for (const auto& t : s.from) VisitRef(*t, f);
  for (const auto& t : s.targets) VisitExpr(t.expr.get(), f);
  VisitExpr(s.where.get(), f);
  VisitExpr(s.having.get(), f);
}

// Which metadata schema a table reference names ("" for none): information_schema.t,
// c.information_schema.t, system.jdbc.t.
std::string MetadataSchema(const sql::TableRef& t) {
  const auto& n = t.names;
  if (n.size() == 2 && n[0] == kInfoSchema) return kInfoSchema;
  if (n.size() == 3 && n[1] == kInfoSchema) return kInfoSchema;
  if (n.size() == 3 && n[0] == "system" && n[1] == kJdbc) return kJdbc;
  return "";
}

// JDBC's java.sql.Types code, column size and decimal digits for an engine type.
struct JdbcType {
  int64_t code;
  std::optional<int64_t> size, digits, radix;
};

JdbcType JdbcTypeOf(const DataType& t) {
  switch (t.id) {
    case TypeId::kBool:
      return {16, 1, std::nullopt, std::nullopt};
    case TypeId::kInt64:
      return {-5, 19, 0, 10};
    case TypeId::kDouble:
      return {8, 53, std::nullopt, 2};
    case TypeId::kDecimal:
      return {3, 38, t.scale, 10};
    case TypeId::kDate:
      return {91, 10, std::nullopt, std::nullopt};
    case TypeId::kTimestamp:
      return {93, 26, 6, std::nullopt};
    default:
      return {12, 2147483647, std::nullopt, std::nullopt};
  }
}

// Builds one in-memory table column by column.
class TableBuilder {
 public:
  TableBuilder& Text(const std::string& name) { return Add(name, DataType::Text(), "varchar"); }
  TableBuilder& Int(const std::string& name) { return Add(name, DataType::Int64(), "bigint"); }

  // One row: a value (or nullopt for NULL) per column, in order.
  using Cell = std::optional<std::variant<std::string, int64_t>>;
  void Row(const std::vector<Cell>& cells) {
    if (cells.size() != table_.columns.size())
      throw Error(ErrorCode::kInternal, "metadata row has the wrong width");
    for (size_t c = 0; c < cells.size(); ++c) {
      Column& col = table_.rows.columns[c];
      if (!cells[c]) {
        col.AppendNull();
      } else if (col.type.id == TypeId::kText) {
        col.null.push_back(0);
        col.str.push_back(std::get<std::string>(*cells[c]));
      } else {
        col.null.push_back(0);
        col.i64.push_back(std::get<int64_t>(*cells[c]));
      }
    }
    ++table_.rows.rows;
  }
  connectors::MemoryTable Take() { return std::move(table_); }

 private:
  TableBuilder& Add(const std::string& name, DataType type, const std::string& source_type) {
    table_.columns.push_back({name, type, source_type});
    table_.rows.columns.emplace_back(type);
    return *this;
  }
  connectors::MemoryTable table_;
};

using Cell = TableBuilder::Cell;
Cell S(const std::string& s) {
  return Cell(s);
}
Cell I(int64_t i) {
  return Cell(i);
}
Cell I(std::optional<int64_t> i) {
  return i ? Cell(*i) : Cell();
}
const Cell kNull;

}  // namespace

bool MetadataQuery::ReadsMetadata(const std::string& sql) {
  std::string lower = sql;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find(kInfoSchema) == std::string::npos && lower.find(kJdbc) == std::string::npos)
    return false;
  bool found = false;
  VisitTables(*sql::Parse(sql),
              [&](const sql::TableRef& t) { found = found || !MetadataSchema(t).empty(); });
  return found;
}

MetadataQuery::MetadataQuery(std::vector<std::shared_ptr<const policy::Dsa>> dsas,
                             std::string session_dsa, planner::Catalog& catalog)
    : dsas_(std::move(dsas)), session_dsa_(std::move(session_dsa)), catalog_(catalog) {}

engine::QueryResult MetadataQuery::Run(const std::string& sql, const std::atomic<bool>* cancel) {
  sql::SelectPtr stmt = sql::Parse(sql);
  // What the statement reads, and the catalog its information_schema belongs to.
  std::set<std::pair<std::string, std::string>> wanted;
  std::string info_catalog;
  VisitTables(*stmt, [&](const sql::TableRef& t) {
    const std::string schema = MetadataSchema(t);
    if (schema.empty()) {
      if (t.names.size() > 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "metadata tables (information_schema, system.jdbc) cannot be combined with "
                    "source tables in one statement",
                    sql::LocationOf(sql, t.location));
      }
      return;  // a CTE's name
    }
    wanted.insert({schema, t.names.back()});
    if (schema == kInfoSchema) {
      const std::string named = t.names.size() == 3 ? t.names[0] : session_dsa_;
      if (named.empty()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "no catalog for information_schema: set X-Trino-Catalog to a DSA id or name "
                    "it, as <dsa>.information_schema." +
                        t.names.back(),
                    sql::LocationOf(sql, t.location));
      }
      if (!info_catalog.empty() && info_catalog != named) {
        throw Error(ErrorCode::kInvalidArgument,
                    "one statement can read the information_schema of one catalog only (" +
                        info_catalog + " and " + named + ")",
                    sql::LocationOf(sql, t.location));
      }
      info_catalog = named;
    }
  });

  std::shared_ptr<const policy::Dsa> info_dsa;
  if (!info_catalog.empty()) {
    for (const auto& d : dsas_) {
      if (d->id == info_catalog) info_dsa = d;
    }
    if (!info_dsa) {
      throw Error(ErrorCode::kNotFound, "catalog " + info_catalog +
                                            " does not exist or is not shared with you (see "
                                            "SHOW CATALOGS)");
    }
  }

  // The tables each DSA exposes that the configuration has, as (source, table).
  auto exposed = [&](const policy::Dsa& d) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [qualified, rule] : d.datasets) {
      const auto dot = qualified.find('.');
      const std::string source = qualified.substr(0, dot), table = qualified.substr(dot + 1);
      if (!catalog_.HasSource(source)) continue;
      const auto names = catalog_.TableNames(source);
      if (std::find(names.begin(), names.end(), table) != names.end())
        out.push_back({source, table});
    }
    return out;
  };
  // The columns of a DSA's table it exposes, in the source's order.
  auto columns = [&](const policy::Dsa& d, const std::string& source, const std::string& table) {
    std::vector<planner::CatalogColumn> out;
    const auto& rule = d.datasets.at(source + "." + table);
    for (const auto& c : catalog_.Table(source, table).columns) {
      if (rule.Allows(c.name)) out.push_back(c);
    }
    return out;
  };
  auto want = [&](const char* schema, const char* table) {
    return wanted.count({schema, table}) > 0;
  };
  const std::vector<std::pair<std::string, std::vector<std::string>>> kTables = {
      {kInfoSchema, {"schemata", "tables", "columns", "views"}},
      {kJdbc, {"catalogs", "schemas", "tables", "columns", "table_types", "types"}}};

  std::map<std::string, connectors::MemoryTable> info, jdbc;
  {
    TableBuilder b;
    b.Text("catalog_name").Text("schema_name");
    if (want(kInfoSchema, "schemata")) {
      std::set<std::string> schemas = {kInfoSchema};
      for (const auto& [s, t] : exposed(*info_dsa)) schemas.insert(s);
      for (const auto& s : schemas) b.Row({S(info_dsa->id), S(s)});
    }
    info["schemata"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_catalog")
        .Text("table_schema")
        .Text("table_name")
        .Text("table_type")
        .Text("table_comment");
    if (want(kInfoSchema, "tables")) {
      for (const auto& [s, t] : exposed(*info_dsa))
        b.Row({S(info_dsa->id), S(s), S(t), S("BASE TABLE"), kNull});
      for (const auto& t : kTables[0].second)
        b.Row({S(info_dsa->id), S(kInfoSchema), S(t), S("BASE TABLE"), kNull});
    }
    info["tables"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_catalog")
        .Text("table_schema")
        .Text("table_name")
        .Text("column_name")
        .Int("ordinal_position")
        .Text("column_default")
        .Text("is_nullable")
        .Text("data_type")
        .Text("comment")
        .Text("extra_info");
    if (want(kInfoSchema, "columns")) {
      for (const auto& [s, t] : exposed(*info_dsa)) {
        int64_t ordinal = 0;
        for (const auto& c : columns(*info_dsa, s, t)) {
          b.Row({S(info_dsa->id), S(s), S(t), S(c.name), I(++ordinal), kNull, S("YES"),
                 S(TrinoTypeName(c.type)), c.person ? S("pseudonymised person key") : kNull,
                 kNull});
        }
      }
    }
    info["columns"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_catalog").Text("table_schema").Text("table_name").Text("view_definition");
    info["views"] = b.Take();  // fedgate has no views
  }
  {
    TableBuilder b;
    b.Text("table_cat");
    if (want(kJdbc, "catalogs")) {
      for (const auto& d : dsas_) b.Row({S(d->id)});
    }
    jdbc["catalogs"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_schem").Text("table_catalog");
    if (want(kJdbc, "schemas")) {
      for (const auto& d : dsas_) {
        std::set<std::string> schemas = {kInfoSchema};
        for (const auto& [s, t] : exposed(*d)) schemas.insert(s);
        for (const auto& s : schemas) b.Row({S(s), S(d->id)});
      }
    }
    jdbc["schemas"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_cat")
        .Text("table_schem")
        .Text("table_name")
        .Text("table_type")
        .Text("remarks")
        .Text("type_cat")
        .Text("type_schem")
        .Text("type_name")
        .Text("self_referencing_col_name")
        .Text("ref_generation");
    if (want(kJdbc, "tables")) {
      for (const auto& d : dsas_) {
        for (const auto& [s, t] : exposed(*d)) {
          b.Row({S(d->id), S(s), S(t), S("TABLE"), kNull, kNull, kNull, kNull, kNull, kNull});
        }
      }
    }
    jdbc["tables"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_cat")
        .Text("table_schem")
        .Text("table_name")
        .Text("column_name")
        .Int("data_type")
        .Text("type_name")
        .Int("column_size")
        .Int("buffer_length")
        .Int("decimal_digits")
        .Int("num_prec_radix")
        .Int("nullable")
        .Text("remarks")
        .Text("column_def")
        .Int("sql_data_type")
        .Int("sql_datetime_sub")
        .Int("char_octet_length")
        .Int("ordinal_position")
        .Text("is_nullable")
        .Text("scope_catalog")
        .Text("scope_schema")
        .Text("scope_table")
        .Int("source_data_type")
        .Text("is_autoincrement")
        .Text("is_generatedcolumn");
    if (want(kJdbc, "columns")) {
      for (const auto& d : dsas_) {
        for (const auto& [s, t] : exposed(*d)) {
          int64_t ordinal = 0;
          for (const auto& c : columns(*d, s, t)) {
            const JdbcType j = JdbcTypeOf(c.type);
            const bool text = j.code == 12;
            b.Row({S(d->id),
                   S(s),
                   S(t),
                   S(c.name),
                   I(j.code),
                   S(TrinoTypeName(c.type)),
                   I(j.size),
                   kNull,
                   I(j.digits),
                   I(j.radix),
                   I(1),  // columnNullable
                   c.person ? S("pseudonymised person key") : kNull,
                   kNull,
                   kNull,
                   kNull,
                   text ? I(j.size) : kNull,
                   I(++ordinal),
                   S("YES"),
                   kNull,
                   kNull,
                   kNull,
                   kNull,
                   S("NO"),
                   S("NO")});
          }
        }
      }
    }
    jdbc["columns"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("table_type");
    if (want(kJdbc, "table_types")) {
      b.Row({S("TABLE")});
      b.Row({S("VIEW")});
    }
    jdbc["table_types"] = b.Take();
  }
  {
    TableBuilder b;
    b.Text("type_name")
        .Int("data_type")
        .Int("precision")
        .Text("literal_prefix")
        .Text("literal_suffix")
        .Text("create_params")
        .Int("nullable")
        .Text("case_sensitive")
        .Int("searchable")
        .Text("unsigned_attribute")
        .Text("fixed_prec_scale")
        .Text("auto_increment")
        .Text("local_type_name")
        .Int("minimum_scale")
        .Int("maximum_scale")
        .Int("sql_data_type")
        .Int("sql_datetime_sub")
        .Int("num_prec_radix");
    if (want(kJdbc, "types")) {
      for (DataType t :
           {DataType::Bool(), DataType::Int64(), DataType::Double(), DataType::Decimal(2),
            DataType::Date(), DataType::Timestamp(), DataType::Text()}) {
        const JdbcType j = JdbcTypeOf(t);
        std::string name = TrinoTypeName(t);
        if (t.id == TypeId::kDecimal) name = "decimal";
        if (t.id == TypeId::kTimestamp) name = "timestamp";
        const bool quoted =
            t.id == TypeId::kText || t.id == TypeId::kDate || t.id == TypeId::kTimestamp;
        b.Row({S(name), I(j.code), I(j.size), quoted ? S("'") : kNull, quoted ? S("'") : kNull,
               t.id == TypeId::kDecimal ? S("precision,scale") : kNull, I(1),
               S(t.id == TypeId::kText ? "YES" : "NO"), I(3), kNull, S("NO"), S("NO"), kNull, I(0),
               I(t.id == TypeId::kDecimal ? 38 : 0), kNull, kNull, I(j.radix)});
      }
    }
    jdbc["types"] = b.Take();
  }

  config::GatewayConfig config;
  config.dsa = info_dsa ? info_dsa->id : "system";
  config.min_persons = 1;  // metadata tables hold no persons
  // The engine keys pseudonyms per DSA; nothing here has an identifier, so a throwaway key.
  config.linkage_secret = RandomBytes(32);
  std::map<std::string, std::unique_ptr<connectors::Connector>> connectors;
  for (auto [name, tables] : {std::pair{kInfoSchema, &info}, std::pair{kJdbc, &jdbc}}) {
    config::SourceConfig source;
    source.name = name;
    source.kind = "memory";
    for (const auto& [t, unused] : *tables) source.tables[t] = {t, "", "", "", {}};
    config.sources[name] = source;
    connectors[name] = std::make_unique<connectors::MemoryConnector>(name, std::move(*tables));
  }
  engine::QueryEngine engine(config,
                             std::make_unique<planner::Catalog>(config, std::move(connectors)));
  engine::QueryOptions options;
  options.cancel = cancel;
  options.extra_catalogs = {"system"};
  return engine.Run(sql, options);
}

}  // namespace fedgate::gateway
