// FROM: table references (WITH queries, catalog tables, derived tables) and joins, each
// adding its columns to the scope that later clauses bind against.
#include <algorithm>
#include <set>

#include "common/error.h"
#include "planner/binder/binder.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

namespace {

// Lineage: persons on either side stay persons of the joined rows, except that a join on
// person keys makes the inner side's key redundant (equal, or NULL when unmatched).
void SetJoinLineage(LogicalOp& join, const LogicalOp& left, const LogicalOp& right,
                    int left_width) {
  std::set<int> redundant;
  if (join.predicate && (join.join == JoinKind::kInner || join.join == JoinKind::kLeft ||
                         join.join == JoinKind::kRight)) {
    auto is_person = [](const LogicalOp& side, int c) {
      return std::count(side.person_columns.begin(), side.person_columns.end(), c) > 0;
    };
    for (const auto& c : SplitConjuncts(join.predicate->Clone())) {
      if (c->name != "=" || c->args.size() != 2 || !c->args[0]->IsColumn() ||
          !c->args[1]->IsColumn())
        continue;
      int a = c->args[0]->column, b = c->args[1]->column;
      if (a > b) std::swap(a, b);
      if (a >= left_width || b < left_width || !is_person(left, a) ||
          !is_person(right, b - left_width))
        continue;
      redundant.insert(join.join == JoinKind::kRight ? a : b);
    }
  }
  for (int c : left.person_columns) {
    if (!redundant.count(c)) join.person_columns.push_back(c);
  }
  for (int c : right.person_columns) {
    if (!redundant.count(left_width + c)) join.person_columns.push_back(left_width + c);
  }
  if (join.person_columns.empty()) {
    join.persons_column = left.persons_column >= 0    ? left.persons_column
                          : right.persons_column >= 0 ? left_width + right.persons_column
                                                      : -1;
  }
}

}  // namespace

LogicalOpPtr Binder::BindTableRef(const sql::TableRef& t, const Scope* outer, Scope& scope) {
  switch (t.kind) {
    case sql::TableRefKind::kTable:
      if (t.names.size() == 1) {
        if (const sql::CommonTableExpr* cte = FindCte(t.names[0]))
          return BindCteRef(t, *cte, scope);
      }
      return BindBaseTable(t, scope);
    case sql::TableRefKind::kSubquery:
      return BindDerivedTable(t, scope);
    case sql::TableRefKind::kJoin:
      return BindJoin(t, outer, scope);
  }
  return nullptr;
}

const sql::CommonTableExpr* Binder::FindCte(const std::string& name) const {
  for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) return found->second;
  }
  return nullptr;
}

LogicalOpPtr Binder::BindCteRef(const sql::TableRef& t, const sql::CommonTableExpr& cte,
                                Scope& scope) {
  static thread_local std::set<const sql::CommonTableExpr*> in_progress;
  if (!in_progress.insert(&cte).second) {
    Fail(ErrorCode::kInvalidArgument,
         "recursive reference to WITH query \"" + cte.name + "\" is not supported", t.location);
  }
  LogicalOpPtr op;
  try {
    op = BindSelect(*cte.query, nullptr);
  } catch (...) {
    in_progress.erase(&cte);
    throw;
  }
  in_progress.erase(&cte);
  std::string alias = t.alias.empty() ? cte.name : t.alias;
  size_t visible = 0;
  for (const auto& c : op->columns) {
    std::string name = c.name;
    if (!c.hidden) {
      if (visible < t.column_aliases.size())
        name = t.column_aliases[visible];
      else if (visible < cte.column_names.size())
        name = cte.column_names[visible];
      ++visible;
    }
    scope.columns.push_back({alias, "", name, c.type, c.hidden});
  }
  return op;
}

LogicalOpPtr Binder::BindBaseTable(const sql::TableRef& t, Scope& scope) {
  if (t.names.size() == 1 && names_.default_schema.empty()) {
    std::string sources;
    for (const auto& n : catalog_.SourceNames()) sources += (sources.empty() ? "" : ", ") + n;
    Fail(ErrorCode::kNotFound,
         "table \"" + t.names[0] +
             "\" does not exist: tables are named source.table (sources: " + sources + ")",
         t.location);
  }
  std::string source, name;
  if (t.names.size() == 1) {
    source = names_.default_schema;
    name = t.names[0];
  } else if (t.names.size() == 2) {
    source = t.names[0];
    name = t.names[1];
  } else if (t.names.size() == 3 && names_.catalogs.count(t.names[0])) {
    source = t.names[1];
    name = t.names[2];
  } else if (t.names.size() == 3) {
    std::string known;
    for (const auto& c : names_.catalogs) known += (known.empty() ? "" : ", ") + c;
    Fail(ErrorCode::kNotFound,
         "catalog \"" + t.names[0] + "\" is not available here" +
             (known.empty() ? std::string(": tables are named source.table")
                            : " (the query runs under " + known + ")"),
         t.location);
  } else {
    Fail(ErrorCode::kInvalidArgument,
         "table names have the form source.table or catalog.source.table", t.location);
  }
  const CatalogTable* table = nullptr;
  try {
    table = &catalog_.Table(source, name);
  } catch (const Error& e) {
    Fail(e.code(), e.what(), t.location);
  }
  auto get = std::make_unique<LogicalOp>(OpKind::kGet);
  get->table = table;
  get->alias = t.alias.empty() ? table->name : t.alias;
  for (size_t i = 0; i < table->columns.size(); ++i) {
    get->table_columns.push_back(static_cast<int>(i));
    std::string name = i < t.column_aliases.size() ? t.column_aliases[i] : table->columns[i].name;
    get->columns.push_back({name, table->columns[i].type, false});
    ScopeColumn sc{get->alias, t.alias.empty() ? table->QualifiedName() : "", name,
                   table->columns[i].type};
    sc.table = table;
    scope.columns.push_back(sc);
  }
  used_tables_.insert(table->QualifiedName());
  if (table->person_column >= 0) get->person_columns.push_back(table->person_column);
  return get;
}

LogicalOpPtr Binder::BindDerivedTable(const sql::TableRef& t, Scope& scope) {
  auto op = BindSelect(*t.subquery, nullptr);
  size_t visible = 0;
  for (const auto& c : op->columns) {
    std::string name = c.name;
    if (!c.hidden && visible < t.column_aliases.size()) name = t.column_aliases[visible];
    visible += !c.hidden;
    scope.columns.push_back({t.alias, "", name, c.type, c.hidden});
  }
  return op;
}

LogicalOpPtr Binder::BindJoin(const sql::TableRef& t, const Scope* outer, Scope& scope) {
  Scope left_scope, right_scope;
  auto left = BindTableRef(*t.left, outer, left_scope);
  auto right = BindTableRef(*t.right, outer, right_scope);
  const int left_width = static_cast<int>(left->columns.size());
  size_t first_right = scope.columns.size() + left_scope.columns.size();
  for (auto& c : left_scope.columns) scope.columns.push_back(c);
  for (auto& c : right_scope.columns) scope.columns.push_back(c);
  auto join = std::make_unique<LogicalOp>(OpKind::kJoin);
  switch (t.join_type) {
    case sql::JoinType::kInner:
      join->join = JoinKind::kInner;
      break;
    case sql::JoinType::kLeft:
      join->join = JoinKind::kLeft;
      break;
    case sql::JoinType::kRight:
      join->join = JoinKind::kRight;
      break;
    case sql::JoinType::kFull:
      join->join = JoinKind::kFull;
      break;
    case sql::JoinType::kCross:
      join->join = JoinKind::kCross;
      break;
  }
  // The condition binds against exactly this join's two sides.
  Scope join_scope;
  join_scope.outer = outer;
  for (auto& c : left_scope.columns) join_scope.columns.push_back(c);
  for (auto& c : right_scope.columns) join_scope.columns.push_back(c);
  std::vector<std::string> using_columns = t.using_columns;
  if (t.natural) {
    for (const auto& l : left_scope.columns) {
      for (const auto& r : right_scope.columns) {
        if (!l.hidden && !r.hidden && l.name == r.name) using_columns.push_back(l.name);
      }
    }
  }
  if (t.on) {
    ExprContext ctx{&join_scope, nullptr, "JOIN conditions"};
    join->predicate = BindExpr(*t.on, ctx);
    if (join->predicate->type.id != TypeId::kBool) {
      Fail(ErrorCode::kInvalidArgument, "argument of JOIN/ON must be type boolean", t.on->location);
    }
  } else if (!using_columns.empty()) {
    join->predicate =
        BindUsing(t, using_columns, left_scope, right_scope, left_width, scope, first_right);
  } else if (join->join != JoinKind::kCross) {
    Fail(ErrorCode::kInvalidArgument, "JOIN needs ON or USING", t.location);
  }
  for (const auto& c : left->columns) join->columns.push_back(c);
  for (const auto& c : right->columns) join->columns.push_back(c);
  SetJoinLineage(*join, *left, *right, left_width);
  join->children.push_back(std::move(left));
  join->children.push_back(std::move(right));
  return join;
}

BoundExprPtr Binder::BindUsing(const sql::TableRef& t,
                               const std::vector<std::string>& using_columns,
                               const Scope& left_scope, const Scope& right_scope, int left_width,
                               Scope& scope, size_t first_right) {
  std::vector<BoundExprPtr> conjuncts;
  for (const auto& name : using_columns) {
    int l = -1, r = -1;
    for (size_t i = 0; i < left_scope.columns.size(); ++i) {
      if (!left_scope.columns[i].hidden && left_scope.columns[i].name == name)
        l = static_cast<int>(i);
    }
    for (size_t i = 0; i < right_scope.columns.size(); ++i) {
      if (!right_scope.columns[i].hidden && right_scope.columns[i].name == name)
        r = static_cast<int>(i);
    }
    if (l < 0 || r < 0) {
      Fail(ErrorCode::kNotFound,
           "column \"" + name + "\" specified in USING clause does not exist in " +
               (l < 0 ? "left" : "right") + " table",
           t.location);
    }
    Use(left_scope.columns[l]);
    Use(right_scope.columns[r]);
    std::vector<BoundExprPtr> eq;
    eq.push_back(BoundExpr::Column(l, left_scope.columns[l].type, name));
    eq.push_back(BoundExpr::Column(left_width + r, right_scope.columns[r].type, name));
    try {
      DataType type = ResolveCallType("=", eq);
      conjuncts.push_back(BoundExpr::Call("=", type, std::move(eq)));
    } catch (const Error& e) {
      Fail(e.code(), e.what(), t.location);
    }
    scope.columns[first_right + r].using_shadowed = true;
  }
  return JoinConjuncts(std::move(conjuncts));
}

LogicalOpPtr Binder::BindFrom(const sql::SelectStmt& s, const Scope* outer, Scope& scope) {
  if (s.from.empty()) {
    auto values = std::make_unique<LogicalOp>(OpKind::kValues);
    return values;
  }
  LogicalOpPtr op;
  for (const auto& item : s.from) {
    Scope item_scope;
    auto next = BindTableRef(*item, outer, item_scope);
    for (auto& c : item_scope.columns) scope.columns.push_back(c);
    if (!op) {
      op = std::move(next);
      continue;
    }
    // FROM a, b: a cross join; WHERE conditions become its join condition later.
    auto join = std::make_unique<LogicalOp>(OpKind::kJoin);
    join->join = JoinKind::kCross;
    const int left_width = static_cast<int>(op->columns.size());
    for (const auto& c : op->columns) join->columns.push_back(c);
    for (const auto& c : next->columns) join->columns.push_back(c);
    join->person_columns = op->person_columns;
    for (int c : next->person_columns) join->person_columns.push_back(left_width + c);
    if (join->person_columns.empty()) {
      join->persons_column = op->persons_column >= 0     ? op->persons_column
                             : next->persons_column >= 0 ? left_width + next->persons_column
                                                         : -1;
    }
    join->children.push_back(std::move(op));
    join->children.push_back(std::move(next));
    op = std::move(join);
  }
  return op;
}

}  // namespace fedgate::planner
