#include "planner/binder.h"

#include <algorithm>
#include <functional>
#include <set>

#include "common/error.h"
#include "planner/functions.h"
#include "sql/parser.h"

namespace fedgate::planner {

namespace {

// An integer literal's value; nullopt when it does not fit an int64 (std::stoll's
// out_of_range escaped the binder and ended the gateway: found by fuzzing).
std::optional<int64_t> WholeNumber(const std::string& literal) {
  try {
    return std::stoll(literal);
  } catch (const std::logic_error&) {
    return std::nullopt;
  }
}

bool ContainsAggregate(const sql::Expr& e) {
  if (e.kind == sql::ExprKind::kFunction && IsAggregateFunction(e.name)) return true;
  // Subqueries have their own aggregation level.
  if (e.kind == sql::ExprKind::kScalarSubquery || e.kind == sql::ExprKind::kExists) return false;
  for (const auto& a : e.args) {
    if (a && ContainsAggregate(*a)) return true;
  }
  if (e.case_operand && ContainsAggregate(*e.case_operand)) return true;
  for (const auto& [w, t] : e.whens) {
    if (ContainsAggregate(*w) || ContainsAggregate(*t)) return true;
  }
  return e.case_else && ContainsAggregate(*e.case_else);
}

bool HasOuterRef(const BoundExpr& e) {
  bool found = false;
  VisitColumns(e, [&](const BoundExpr& c) { found |= c.column >= kOuterBase; });
  return found;
}

bool PlanHasOuterRef(const LogicalOp& op) {
  bool found = false;
  VisitPlan(op, [&](const LogicalOp& n) {
    auto check = [&](const BoundExprPtr& e) {
      if (e) found |= HasOuterRef(*e);
    };
    check(n.predicate);
    check(n.residual);
    for (const auto& e : n.exprs) check(e);
    for (const auto& e : n.groups) check(e);
    for (const auto& a : n.aggregates) check(a.arg);
    for (const auto& k : n.sort_keys) check(k.expr);
  });
  return found;
}

std::string TargetName(const sql::ResultTarget& t) {
  if (!t.alias.empty()) return t.alias;
  const sql::Expr* e = t.expr.get();
  while (e->kind == sql::ExprKind::kCast && !e->args.empty()) e = e->args[0].get();
  if (e->kind == sql::ExprKind::kColumnRef) return e->names.back();
  if (e->kind == sql::ExprKind::kFunction) return e->name;
  if (e->kind == sql::ExprKind::kCase) return "case";
  if (e->kind == sql::ExprKind::kCoalesce) return "coalesce";
  return "?column?";
}

}  // namespace

LogicalOpPtr MakeFilter(LogicalOpPtr child, BoundExprPtr predicate) {
  auto f = std::make_unique<LogicalOp>(OpKind::kFilter);
  f->columns = child->columns;
  f->person_columns = child->person_columns;
  f->persons_column = child->persons_column;
  f->predicate = std::move(predicate);
  f->children.push_back(std::move(child));
  return f;
}

LogicalOpPtr MakeAggregate(LogicalOpPtr child, std::vector<BoundExprPtr> groups,
                           std::vector<AggregateCall> aggregates) {
  auto agg = std::make_unique<LogicalOp>(OpKind::kAggregate);
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& e = *groups[g];
    std::string name = e.IsColumn() ? child->columns[e.column].name : e.ToString();
    agg->columns.push_back({name, e.type, false, true});
    if (e.IsColumn() &&
        std::count(child->person_columns.begin(), child->person_columns.end(), e.column)) {
      agg->per_person = true;
      agg->person_columns.push_back(static_cast<int>(g));
    }
  }
  for (const auto& a : aggregates)
    agg->columns.push_back({a.fn == "count_star" ? "count" : a.fn, a.type, false});
  if (!agg->per_person) {
    if (!child->person_columns.empty()) {
      for (int c : child->person_columns) {
        agg->person_inputs.push_back(
            BoundExpr::Column(c, DataType::Pseudonym(), child->columns[c].name));
      }
    } else if (child->persons_column >= 0) {
      agg->persons_input = child->persons_column;
    }
    if (!agg->person_inputs.empty() || agg->persons_input >= 0) {
      agg->persons_column = static_cast<int>(agg->columns.size());
      agg->columns.push_back({"__persons", DataType::Int64(), true});
    }
  }
  agg->groups = std::move(groups);
  agg->aggregates = std::move(aggregates);
  agg->children.push_back(std::move(child));
  return agg;
}

// GROUP BY with grouping sets: one aggregation per set, each projected to the layout of an
// aggregation over all keys (keys absent from the set are NULL), then a hidden persons count
// and a hidden `__gset`: the bit mask of the keys in the row's set. A UNION ALL of those.
LogicalOpPtr MakeGroupingSets(LogicalOpPtr input, std::vector<BoundExprPtr> keys,
                              std::vector<AggregateCall> aggregates,
                              const std::vector<std::vector<int>>& sets) {
  auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
  for (const auto& set : sets) {
    std::vector<BoundExprPtr> groups;
    for (int k : set) groups.push_back(keys[k]->Clone());
    std::vector<AggregateCall> aggs;
    for (const auto& a : aggregates) aggs.push_back(a.Clone());
    auto agg = MakeAggregate(CloneSubtree(*input), std::move(groups), std::move(aggs));
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    int64_t mask = 0;
    for (size_t k = 0; k < keys.size(); ++k) {
      auto at = std::find(set.begin(), set.end(), static_cast<int>(k));
      if (at != set.end()) {
        mask |= int64_t{1} << k;
        p->exprs.push_back(
            BoundExpr::Column(static_cast<int>(at - set.begin()), keys[k]->type, ""));
      } else {
        p->exprs.push_back(BoundExpr::Constant(Value::Null(keys[k]->type)));
      }
      std::string name = keys[k]->IsColumn() ? keys[k]->name : keys[k]->ToString();
      auto dot = name.rfind('.');
      p->columns.push_back(
          {dot == std::string::npos ? name : name.substr(dot + 1), keys[k]->type, false, true});
    }
    for (size_t a = 0; a < aggregates.size(); ++a) {
      p->exprs.push_back(
          BoundExpr::Column(static_cast<int>(set.size() + a), aggregates[a].type, ""));
      p->columns.push_back({aggregates[a].fn == "count_star" ? "count" : aggregates[a].fn,
                            aggregates[a].type, false});
    }
    if (agg->persons_column >= 0) {
      p->exprs.push_back(BoundExpr::Column(agg->persons_column, DataType::Int64(), "__persons"));
      p->columns.push_back({"__persons", DataType::Int64(), true});
      p->persons_column = static_cast<int>(p->columns.size()) - 1;
    }
    p->exprs.push_back(BoundExpr::Constant(Value::Int(mask)));
    p->columns.push_back({"__gset", DataType::Int64(), true});
    p->children.push_back(std::move(agg));
    u->children.push_back(std::move(p));
  }
  u->columns = u->children[0]->columns;
  u->persons_column = u->children[0]->persons_column;
  return u;
}

namespace {

// Rewrites an expression bound over the FROM scope (with aggregate placeholders) into one
// over the aggregate's output: group expressions become group columns, placeholders become
// aggregate columns; any other column reference is an error.
BoundExprPtr OverAggregate(BoundExprPtr e, const std::vector<BoundExprPtr>& groups,
                           const std::function<void(const BoundExpr&)>& not_grouped) {
  if (e->IsColumn() && e->column >= kAggregateBase && e->column < kOuterBase) {
    e->column = static_cast<int>(groups.size()) + (e->column - kAggregateBase);
    return e;
  }
  if (e->kind != BoundKind::kConstant) {
    std::string key = e->ToString();
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g]->ToString() == key) return BoundExpr::Column(static_cast<int>(g), e->type, key);
    }
  }
  if (e->IsColumn()) not_grouped(*e);
  for (auto& a : e->args) a = OverAggregate(std::move(a), groups, not_grouped);
  return e;
}

}  // namespace

LogicalOpPtr MakeProject(LogicalOpPtr child, std::vector<BoundExprPtr> exprs,
                         std::vector<std::string> names) {
  auto p = std::make_unique<LogicalOp>(OpKind::kProject);
  for (size_t i = 0; i < exprs.size(); ++i) {
    const bool key = exprs[i]->IsColumn() &&
                     exprs[i]->column < static_cast<int>(child->columns.size()) &&
                     child->columns[exprs[i]->column].group_key;
    p->columns.push_back({names[i], exprs[i]->type, false, key});
    if (exprs[i]->IsColumn() &&
        std::count(child->person_columns.begin(), child->person_columns.end(), exprs[i]->column)) {
      p->person_columns.push_back(static_cast<int>(i));
    }
  }
  if (!child->person_columns.empty() && p->person_columns.empty()) {
    int c = child->person_columns.front();
    p->person_columns.push_back(static_cast<int>(exprs.size()));
    exprs.push_back(BoundExpr::Column(c, DataType::Pseudonym(), child->columns[c].name));
    p->columns.push_back({"__person", DataType::Pseudonym(), true});
  }
  if (child->persons_column >= 0) {
    p->persons_column = static_cast<int>(exprs.size());
    exprs.push_back(BoundExpr::Column(child->persons_column, DataType::Int64(), "__persons"));
    p->columns.push_back({"__persons", DataType::Int64(), true});
  }
  p->exprs = std::move(exprs);
  p->children.push_back(std::move(child));
  return p;
}

Binder::Binder(Catalog& catalog, std::string_view sql_text, Names names)
    : catalog_(catalog), sql_text_(sql_text), names_(std::move(names)) {}

Binder::Binder(Catalog& catalog, std::string_view sql_text) : Binder(catalog, sql_text, Names()) {}

const sql::Expr& Binder::ParameterValue(const sql::Expr& e) const {
  if (e.kind != sql::ExprKind::kParameter) return e;
  const size_t n = static_cast<size_t>(e.parameter);
  if (n >= 1 && n <= names_.parameters.size() && names_.parameters[n - 1])
    return *names_.parameters[n - 1];
  if (names_.unbound_parameters_as_null && n >= 1) {
    static const sql::Expr kNull(sql::ExprKind::kLiteral);
    return kNull;
  }
  Fail(ErrorCode::kInvalidArgument,
       "parameter " + std::to_string(e.parameter) + " has no value (the statement has " +
           std::to_string(names_.parameters.size()) +
           (names_.parameters.size() == 1 ? " value" : " values") + ": EXECUTE ... USING v1, ...)",
       e.location);
}

BoundQuery Binder::Bind(const sql::SelectStmt& stmt) {
  BoundQuery q;
  q.plan = BindSelect(stmt, nullptr);
  q.subqueries = std::move(subqueries_);
  q.tables = std::move(used_tables_);
  q.columns = std::move(used_columns_);
  q.grouping_sets_cut = grouping_sets_cut_;
  return q;
}

LogicalOpPtr Binder::BindSelect(const sql::SelectStmt& s, const Scope* outer) {
  std::map<std::string, const sql::CommonTableExpr*> ctes;
  for (const auto& cte : s.with) {
    if (!ctes.emplace(cte.name, &cte).second) {
      Fail(ErrorCode::kInvalidArgument,
           "WITH query name \"" + cte.name + "\" specified more than once", cte.location);
    }
  }
  ctes_.push_back(std::move(ctes));
  struct Pop {
    std::vector<std::map<std::string, const sql::CommonTableExpr*>>& v;
    ~Pop() { v.pop_back(); }
  } pop{ctes_};
  return s.set_op == sql::SetOp::kNone ? BindSimpleSelect(s, outer) : BindSetOp(s, outer);
}

LogicalOpPtr Binder::BindTableRef(const sql::TableRef& t, const Scope* outer, Scope& scope) {
  switch (t.kind) {
    case sql::TableRefKind::kTable: {
      if (t.names.size() == 1) {
        for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
          auto found = it->find(t.names[0]);
          if (found == it->end()) continue;
          const sql::CommonTableExpr* cte = found->second;
          static thread_local std::set<const sql::CommonTableExpr*> in_progress;
          if (!in_progress.insert(cte).second) {
            Fail(ErrorCode::kInvalidArgument,
                 "recursive reference to WITH query \"" + cte->name + "\" is not supported",
                 t.location);
          }
          LogicalOpPtr op;
          try {
            op = BindSelect(*cte->query, nullptr);
          } catch (...) {
            in_progress.erase(cte);
            throw;
          }
          in_progress.erase(cte);
          std::string alias = t.alias.empty() ? cte->name : t.alias;
          size_t visible = 0;
          for (const auto& c : op->columns) {
            std::string name = c.name;
            if (!c.hidden) {
              if (visible < t.column_aliases.size())
                name = t.column_aliases[visible];
              else if (visible < cte->column_names.size())
                name = cte->column_names[visible];
              ++visible;
            }
            scope.columns.push_back({alias, "", name, c.type, c.hidden});
          }
          return op;
        }
        if (names_.default_schema.empty()) {
          std::string sources;
          for (const auto& n : catalog_.SourceNames()) sources += (sources.empty() ? "" : ", ") + n;
          Fail(ErrorCode::kNotFound,
               "table \"" + t.names[0] +
                   "\" does not exist: tables are named source.table (sources: " + sources + ")",
               t.location);
        }
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
        std::string name =
            i < t.column_aliases.size() ? t.column_aliases[i] : table->columns[i].name;
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
    case sql::TableRefKind::kSubquery: {
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
    case sql::TableRefKind::kJoin: {
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
          Fail(ErrorCode::kInvalidArgument, "argument of JOIN/ON must be type boolean",
               t.on->location);
        }
      } else if (!using_columns.empty()) {
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
        join->predicate = JoinConjuncts(std::move(conjuncts));
      } else if (join->join != JoinKind::kCross) {
        Fail(ErrorCode::kInvalidArgument, "JOIN needs ON or USING", t.location);
      }
      for (const auto& c : left->columns) join->columns.push_back(c);
      for (const auto& c : right->columns) join->columns.push_back(c);
      // Lineage: persons on either side stay persons of the joined rows, except that a join
      // on person keys makes the inner side's key redundant (equal, or NULL when unmatched).
      std::set<int> redundant;
      if (join->predicate && (join->join == JoinKind::kInner || join->join == JoinKind::kLeft ||
                              join->join == JoinKind::kRight)) {
        auto is_person = [](const LogicalOp& side, int c) {
          return std::count(side.person_columns.begin(), side.person_columns.end(), c) > 0;
        };
        for (const auto& c : SplitConjuncts(join->predicate->Clone())) {
          if (c->name != "=" || c->args.size() != 2 || !c->args[0]->IsColumn() ||
              !c->args[1]->IsColumn())
            continue;
          int a = c->args[0]->column, b = c->args[1]->column;
          if (a > b) std::swap(a, b);
          if (a >= left_width || b < left_width || !is_person(*left, a) ||
              !is_person(*right, b - left_width))
            continue;
          redundant.insert(join->join == JoinKind::kRight ? a : b);
        }
      }
      for (int c : left->person_columns) {
        if (!redundant.count(c)) join->person_columns.push_back(c);
      }
      for (int c : right->person_columns) {
        if (!redundant.count(left_width + c)) join->person_columns.push_back(left_width + c);
      }
      if (join->person_columns.empty()) {
        join->persons_column = left->persons_column >= 0    ? left->persons_column
                               : right->persons_column >= 0 ? left_width + right->persons_column
                                                            : -1;
      }
      join->children.push_back(std::move(left));
      join->children.push_back(std::move(right));
      return join;
    }
  }
  return nullptr;
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

LogicalOpPtr Binder::BindSubqueryJoin(LogicalOpPtr input, const sql::Expr& e, bool negate,
                                      Scope& scope) {
  const int left_width = static_cast<int>(input->columns.size());
  auto join = std::make_unique<LogicalOp>(OpKind::kJoin);
  join->join = negate ? JoinKind::kAnti : JoinKind::kSemi;
  LogicalOpPtr right;
  if (e.kind == sql::ExprKind::kExists) {
    const sql::SelectStmt& sub = *e.subquery;
    if (sub.set_op != sql::SetOp::kNone || !sub.group_by.empty() || sub.having) {
      Fail(ErrorCode::kInvalidArgument,
           "EXISTS subqueries with GROUP BY, HAVING or set operations are not supported",
           e.location);
    }
    Scope sub_scope;
    sub_scope.outer = &scope;
    right = BindFrom(sub, nullptr, sub_scope);
    std::vector<BoundExprPtr> correlated, local;
    if (sub.where) {
      ExprContext ctx{&sub_scope, nullptr, "WHERE"};
      for (auto& c : SplitConjuncts(BindExpr(*sub.where, ctx))) {
        (HasOuterRef(*c) ? correlated : local).push_back(std::move(c));
      }
    }
    if (!local.empty()) right = MakeFilter(std::move(right), JoinConjuncts(std::move(local)));
    // Over the join's input: outer refs are left columns, the subquery's are right columns.
    std::vector<BoundExprPtr> conditions;
    for (auto& c : correlated) {
      std::function<void(BoundExpr&)> fix = [&](BoundExpr& x) {
        if (x.IsColumn())
          x.column = x.column >= kOuterBase ? x.column - kOuterBase : x.column + left_width;
        for (auto& a : x.args) fix(*a);
      };
      fix(*c);
      conditions.push_back(std::move(c));
    }
    join->predicate = JoinConjuncts(std::move(conditions));
  } else {  // x [NOT] IN (SELECT y ...)
    ExprContext ctx{&scope, nullptr, "WHERE"};
    auto left_expr = BindExpr(*e.args[0], ctx);
    right = BindSelect(*e.subquery, &scope);
    if (PlanHasOuterRef(*right)) {
      Fail(ErrorCode::kInvalidArgument,
           "correlated IN subqueries are not supported; write them with EXISTS", e.location);
    }
    if (right->VisibleCount() != 1) {
      Fail(ErrorCode::kInvalidArgument, "subquery has too many columns", e.subquery->location);
    }
    std::vector<BoundExprPtr> eq;
    eq.push_back(std::move(left_expr));
    eq.push_back(BoundExpr::Column(left_width, right->columns[0].type, right->columns[0].name));
    try {
      DataType t = ResolveCallType("=", eq);
      join->predicate = BoundExpr::Call("=", t, std::move(eq));
    } catch (const Error& err) {
      Fail(err.code(), err.what(), e.location);
    }
    join->null_aware = negate;
  }
  join->columns = input->columns;
  join->person_columns = input->person_columns;
  join->persons_column = input->persons_column;
  join->children.push_back(std::move(input));
  join->children.push_back(std::move(right));
  return join;
}

LogicalOpPtr Binder::BindWhere(LogicalOpPtr input, const sql::Expr& where, Scope& scope) {
  // Top-level AND terms that are [NOT] EXISTS / [NOT] IN (subquery) become semi/anti joins.
  std::vector<const sql::Expr*> terms;
  std::function<void(const sql::Expr&)> split = [&](const sql::Expr& e) {
    if (e.kind == sql::ExprKind::kAnd) {
      for (const auto& a : e.args) split(*a);
    } else {
      terms.push_back(&e);
    }
  };
  split(where);
  std::vector<BoundExprPtr> plain;
  std::vector<std::pair<const sql::Expr*, bool>> subqueries;
  for (const sql::Expr* t : terms) {
    const sql::Expr* inner = t;
    bool negate = false;
    if (t->kind == sql::ExprKind::kNot && !t->args.empty() &&
        (t->args[0]->kind == sql::ExprKind::kExists ||
         t->args[0]->kind == sql::ExprKind::kInSubquery)) {
      inner = t->args[0].get();
      negate = true;
    }
    if (inner->kind == sql::ExprKind::kExists || inner->kind == sql::ExprKind::kInSubquery) {
      subqueries.emplace_back(inner, negate != inner->negated);
      continue;
    }
    ExprContext ctx{&scope, nullptr, "WHERE"};
    auto b = BindExpr(*t, ctx);
    if (b->untyped_literal) b = CastTo(std::move(b), DataType::Bool());
    if (b->type.id != TypeId::kBool && b->type.id != TypeId::kNull) {
      Fail(ErrorCode::kInvalidArgument,
           "argument of WHERE must be type boolean, not type " + b->type.ToString(), t->location);
    }
    if (HasOuterRef(*b)) {
      Fail(ErrorCode::kInvalidArgument, "this correlated reference is not supported here",
           t->location);
    }
    plain.push_back(std::move(b));
  }
  if (!plain.empty()) input = MakeFilter(std::move(input), JoinConjuncts(std::move(plain)));
  for (const auto& [e, negate] : subqueries)
    input = BindSubqueryJoin(std::move(input), *e, negate, scope);
  return input;
}

BoundExprPtr Binder::BindScalarSubquery(const sql::Expr& e) {
  auto plan = BindSelect(*e.subquery, nullptr);
  if (plan->VisibleCount() != 1) {
    Fail(ErrorCode::kInvalidArgument, "subquery must return only one column", e.location);
  }
  auto call = BoundExpr::Call("scalar_subquery", plan->columns[0].type, {});
  call->value = Value::Int(static_cast<int64_t>(subqueries_.size()));
  subqueries_.push_back(std::move(plan));
  return call;
}

LogicalOpPtr Binder::BindSimpleSelect(const sql::SelectStmt& s, const Scope* outer) {
  Scope scope;
  scope.outer = outer;
  LogicalOpPtr op = BindFrom(s, outer, scope);
  if (s.where) op = BindWhere(std::move(op), *s.where, scope);

  // The select list, with * expanded.
  struct Target {
    const sql::Expr* expr = nullptr;
    int column = -1;  // for * expansion
    std::string name;
    int location = -1;
  };
  std::vector<Target> targets;
  if (s.targets.empty()) {
    // PostgreSQL accepts an empty select list; a result of no columns means nothing to a BI
    // tool, and the planner assumes at least one (found by fuzzing: tests/fuzz/regressions).
    Fail(ErrorCode::kInvalidArgument, "SELECT needs at least one column", s.location);
  }
  for (const auto& t : s.targets) {
    if (t.expr->kind == sql::ExprKind::kStar) {
      bool any = false;
      for (size_t i = 0; i < scope.columns.size(); ++i) {
        const auto& c = scope.columns[i];
        if (c.hidden || c.using_shadowed) continue;
        if (!t.expr->names.empty() && c.qualifier != t.expr->names.back()) continue;
        targets.push_back({nullptr, static_cast<int>(i), c.name, t.location});
        Use(c);
        any = true;
      }
      if (!any) {
        Fail(ErrorCode::kNotFound,
             t.expr->names.empty()
                 ? "SELECT * with no tables"
                 : "missing FROM-clause entry for table \"" + t.expr->names.back() + "\"",
             t.location);
      }
      continue;
    }
    targets.push_back({t.expr.get(), -1, TargetName(t), t.location});
  }

  bool aggregated = !s.group_by.empty() || s.having != nullptr;
  for (const auto& t : targets) aggregated |= t.expr && ContainsAggregate(*t.expr);
  for (const auto& o : s.order_by) aggregated |= ContainsAggregate(*o.expr);
  // GROUP BY items as grouping sets over one list of key expressions (ROLLUP, CUBE and
  // GROUPING SETS expand to several sets; plain keys are in every set).
  std::vector<const sql::Expr*> key_exprs;
  std::vector<std::vector<int>> grouping_sets = {{}};
  bool has_grouping_sets = false;
  for (const auto& g : s.group_by) {
    if (g->kind != sql::ExprKind::kGroupingSet) {
      key_exprs.push_back(g.get());
      for (auto& set : grouping_sets) set.push_back(static_cast<int>(key_exprs.size()) - 1);
      continue;
    }
    has_grouping_sets = true;
    std::function<std::vector<std::vector<int>>(const sql::Expr&)> expand =
        [&](const sql::Expr& e) -> std::vector<std::vector<int>> {
      if (e.kind != sql::ExprKind::kGroupingSet) {
        key_exprs.push_back(&e);
        return {{static_cast<int>(key_exprs.size()) - 1}};
      }
      if (e.op == "empty") return {{}};
      std::vector<std::vector<int>> items;  // each argument as one set of keys
      if (e.op == "simple" || e.op == "rollup" || e.op == "cube") {
        for (const auto& a : e.args) {
          std::vector<int> item;
          for (const auto& set : expand(*a)) item.insert(item.end(), set.begin(), set.end());
          items.push_back(item);
        }
      }
      std::vector<std::vector<int>> out;
      if (e.op == "simple") {
        std::vector<int> all;
        for (const auto& item : items) all.insert(all.end(), item.begin(), item.end());
        out.push_back(all);
      } else if (e.op == "rollup") {
        for (size_t n = items.size() + 1; n-- > 0;) {
          std::vector<int> set;
          for (size_t i = 0; i < n; ++i) set.insert(set.end(), items[i].begin(), items[i].end());
          out.push_back(set);
        }
      } else if (e.op == "cube") {
        if (items.size() > 6)
          Fail(ErrorCode::kInvalidArgument, "CUBE of more than 6 items", e.location);
        for (size_t mask = (size_t{1} << items.size()); mask-- > 0;) {
          std::vector<int> set;
          for (size_t i = 0; i < items.size(); ++i) {
            if (mask & (size_t{1} << i)) set.insert(set.end(), items[i].begin(), items[i].end());
          }
          out.push_back(set);
        }
      } else {  // GROUPING SETS (...)
        for (const auto& a : e.args) {
          for (auto& set : expand(*a)) out.push_back(set);
        }
      }
      return out;
    };
    auto sets = expand(*g);
    std::vector<std::vector<int>> product;
    for (const auto& base : grouping_sets) {
      for (const auto& set : sets) {
        auto combined = base;
        combined.insert(combined.end(), set.begin(), set.end());
        product.push_back(combined);
      }
    }
    grouping_sets = std::move(product);
  }
  if (has_grouping_sets) {
    // Cutting the totals is a disclosure matter: recorded here, refused by disclosure/.
    if ((s.having || s.limit || s.offset || s.distinct) && !grouping_sets_cut_)
      grouping_sets_cut_ =
          s.location >= 0 ? sql::LocationOf(sql_text_, s.location) : TextLocation{};
    if (grouping_sets.size() > 64) {
      Fail(ErrorCode::kInvalidArgument, "more than 64 grouping sets", s.location);
    }
  }

  std::vector<AggregateCall> aggregates;
  ExprContext ctx{&scope, aggregated ? &aggregates : nullptr, "this clause"};
  auto bind_target = [&](const Target& t) -> BoundExprPtr {
    if (!t.expr)
      return BoundExpr::Column(t.column, scope.columns[t.column].type,
                               scope.columns[t.column].name);
    ctx.clause = "the select list";
    auto b = BindExpr(*t.expr, ctx);
    if (b->untyped_literal) b = CastTo(std::move(b), DataType::Text());
    return b;
  };
  std::vector<BoundExprPtr> exprs;
  for (const auto& t : targets) exprs.push_back(bind_target(t));

  // ORDER BY: an output column by name or position, or an expression over the input.
  struct OrderRef {
    int output = -1;     // visible output column
    BoundExprPtr extra;  // otherwise an extra (hidden) projected expression
    bool descending;
    bool nulls_first;
  };
  std::vector<OrderRef> order;
  for (const auto& o : s.order_by) {
    OrderRef ref{-1, nullptr, o.descending, o.nulls_first.value_or(o.descending)};
    const sql::Expr& e = *o.expr;
    if (e.kind == sql::ExprKind::kLiteral && e.literal_kind == sql::LiteralKind::kInteger) {
      const int64_t n = WholeNumber(e.literal).value_or(INT64_MAX);
      if (n < 1 || n > static_cast<int64_t>(targets.size())) {
        Fail(ErrorCode::kInvalidArgument,
             "ORDER BY position " + e.literal + " is not in select list", e.location);
      }
      ref.output = static_cast<int>(n - 1);
    } else if (e.kind == sql::ExprKind::kColumnRef && e.names.size() == 1) {
      for (size_t i = 0; i < targets.size(); ++i) {
        if (targets[i].name == e.names[0]) {
          ref.output = static_cast<int>(i);
          break;
        }
      }
    }
    if (ref.output < 0) {
      ctx.clause = "ORDER BY";
      ref.extra = BindExpr(e, ctx);
      for (size_t i = 0; i < exprs.size(); ++i) {
        if (exprs[i]->ToString() == ref.extra->ToString()) {
          ref.output = static_cast<int>(i);
          ref.extra.reset();
          break;
        }
      }
      if (ref.extra && s.distinct) {
        Fail(ErrorCode::kInvalidArgument,
             "for SELECT DISTINCT, ORDER BY expressions must appear in select list", e.location);
      }
    }
    order.push_back(std::move(ref));
  }

  BoundExprPtr having;
  std::vector<std::string> hidden_names;  // hidden columns appended to the select list
  if (aggregated) {
    std::vector<BoundExprPtr> groups;
    for (const sql::Expr* g : key_exprs) {
      BoundExprPtr bound;
      if (g->kind == sql::ExprKind::kLiteral && g->literal_kind == sql::LiteralKind::kInteger) {
        const int64_t n = WholeNumber(g->literal).value_or(INT64_MAX);
        if (n < 1 || n > static_cast<int64_t>(targets.size())) {
          Fail(ErrorCode::kInvalidArgument,
               "GROUP BY position " + g->literal + " is not in select list", g->location);
        }
        bound = exprs[n - 1]->Clone();
      } else {
        ExprContext gctx{&scope, nullptr, "GROUP BY"};
        try {
          bound = BindExpr(*g, gctx);
        } catch (const Error& err) {
          // PostgreSQL also accepts an output column name in GROUP BY.
          bool alias = false;
          if (g->kind == sql::ExprKind::kColumnRef && g->names.size() == 1 &&
              err.code() == ErrorCode::kNotFound) {
            for (size_t i = 0; i < targets.size(); ++i) {
              if (targets[i].name == g->names[0]) {
                bound = exprs[i]->Clone();
                alias = true;
                break;
              }
            }
          }
          if (!alias) throw;
        }
      }
      // Anywhere in the key, not only at its top: GROUP BY 2 where item 2 is
      // round(sum(x) / count(*), 2) reached the optimizer (found by fuzzing).
      bool has_aggregate = false;
      VisitColumns(*bound,
                   [&](const BoundExpr& c) { has_aggregate |= c.column >= kAggregateBase; });
      if (has_aggregate) {
        Fail(ErrorCode::kInvalidArgument, "aggregate functions are not allowed in GROUP BY",
             g->location);
      }
      groups.push_back(std::move(bound));
    }
    if (s.having) {
      ctx.clause = "HAVING";
      having = BindExpr(*s.having, ctx);
    }
    if (has_grouping_sets) {
      // One key per distinct expression: ROLLUP (a, b), a names `a` twice.
      std::vector<int> remap(groups.size());
      std::vector<BoundExprPtr> unique;
      for (size_t i = 0; i < groups.size(); ++i) {
        remap[i] = -1;
        for (size_t j = 0; j < unique.size(); ++j) {
          if (unique[j]->ToString() == groups[i]->ToString()) remap[i] = static_cast<int>(j);
        }
        if (remap[i] < 0) {
          remap[i] = static_cast<int>(unique.size());
          unique.push_back(std::move(groups[i]));
        }
      }
      groups = std::move(unique);
      for (auto& set : grouping_sets) {
        std::vector<int> mapped;
        for (int k : set) {
          if (std::find(mapped.begin(), mapped.end(), remap[k]) == mapped.end())
            mapped.push_back(remap[k]);
        }
        set = std::move(mapped);
      }
      key_exprs.resize(groups.size());
    }
    auto fail_not_grouped = [&](const BoundExpr& c) {
      Fail(ErrorCode::kInvalidArgument,
           "column \"" + c.name +
               "\" must appear in the GROUP BY clause or be used in an aggregate function",
           s.location);
    };
    for (auto& e : exprs) e = OverAggregate(std::move(e), groups, fail_not_grouped);
    for (auto& o : order) {
      if (o.extra) o.extra = OverAggregate(std::move(o.extra), groups, fail_not_grouped);
    }
    if (having) having = OverAggregate(std::move(having), groups, fail_not_grouped);
    if (has_grouping_sets) {
      op = MakeGroupingSets(std::move(op), std::move(groups), std::move(aggregates), grouping_sets);
      // The grouping set of each row and every key, hidden, for secondary suppression.
      const int width = static_cast<int>(op->columns.size());
      exprs.push_back(BoundExpr::Column(width - 1, DataType::Int64(), "__gset"));
      hidden_names.push_back("__gset");
      for (size_t k = 0; k < key_exprs.size(); ++k) {
        exprs.push_back(BoundExpr::Column(static_cast<int>(k), op->columns[k].type, "__gkey"));
        hidden_names.push_back("__gkey" + std::to_string(k));
      }
    } else {
      op = MakeAggregate(std::move(op), std::move(groups), std::move(aggregates));
    }
    if (having) op = MakeFilter(std::move(op), std::move(having));
  }

  for (const auto& e : exprs) {
    if (e->IsColumn() && e->column >= kOuterBase) {
      Fail(ErrorCode::kInvalidArgument,
           "correlated references in the select list are not supported", s.location);
    }
  }
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(t.name);
  for (const auto& h : hidden_names) names.push_back(h);
  const size_t visible = targets.size();
  std::vector<int> extra_positions;
  for (auto& o : order) {
    if (!o.extra) continue;
    o.output = static_cast<int>(exprs.size());
    exprs.push_back(std::move(o.extra));
    names.push_back("__sort");
  }
  op = MakeProject(std::move(op), std::move(exprs), std::move(names));
  for (size_t i = visible; i < op->columns.size(); ++i) {
    const std::string& n = op->columns[i].name;
    if (n == "__sort" || n == "__gset" || n.rfind("__gkey", 0) == 0) op->columns[i].hidden = true;
  }

  if (s.distinct) {
    std::vector<BoundExprPtr> groups;
    for (size_t i = 0; i < visible; ++i)
      groups.push_back(
          BoundExpr::Column(static_cast<int>(i), op->columns[i].type, op->columns[i].name));
    op = MakeAggregate(std::move(op), std::move(groups), {});
    for (size_t i = 0; i < visible; ++i) op->columns[i].name = op->children[0]->columns[i].name;
  }
  if (!order.empty()) {
    auto sort = std::make_unique<LogicalOp>(OpKind::kSort);
    for (auto& o : order) {
      sort->sort_keys.push_back(
          {BoundExpr::Column(o.output, op->columns[o.output].type, op->columns[o.output].name),
           o.descending, o.nulls_first});
    }
    sort->columns = op->columns;
    sort->person_columns = op->person_columns;
    sort->persons_column = op->persons_column;
    sort->children.push_back(std::move(op));
    op = std::move(sort);
  }
  return ApplyOrderLimit(std::move(op), s);
}

LogicalOpPtr Binder::ApplyOrderLimit(LogicalOpPtr op, const sql::SelectStmt& s) {
  auto constant = [&](const sql::ExprPtr& written, const char* what) -> int64_t {
    if (!written) return -1;
    const sql::Expr* e = &ParameterValue(*written);
    if (e->kind != sql::ExprKind::kLiteral || e->literal_kind != sql::LiteralKind::kInteger) {
      if (e->kind == sql::ExprKind::kLiteral && e->literal_kind == sql::LiteralKind::kNull)
        return -1;
      Fail(ErrorCode::kInvalidArgument, std::string(what) + " must be a whole number", e->location);
    }
    const auto parsed = WholeNumber(e->literal);
    if (!parsed)
      Fail(ErrorCode::kInvalidArgument, std::string(what) + " is out of range (at most 2^63 - 1)",
           e->location);
    const int64_t v = *parsed;
    if (v < 0)
      Fail(ErrorCode::kInvalidArgument, std::string(what) + " must not be negative", e->location);
    return v;
  };
  if (s.set_op != sql::SetOp::kNone && !s.order_by.empty()) {
    auto sort = std::make_unique<LogicalOp>(OpKind::kSort);
    for (const auto& o : s.order_by) {
      int col = -1;
      const sql::Expr& e = *o.expr;
      if (e.kind == sql::ExprKind::kLiteral && e.literal_kind == sql::LiteralKind::kInteger) {
        col = static_cast<int>(
                  std::min<int64_t>(WholeNumber(e.literal).value_or(INT32_MAX), INT32_MAX)) -
              1;
      } else if (e.kind == sql::ExprKind::kColumnRef && e.names.size() == 1) {
        for (size_t i = 0; i < op->columns.size(); ++i) {
          if (!op->columns[i].hidden && op->columns[i].name == e.names[0])
            col = static_cast<int>(i);
        }
      }
      if (col < 0 || col >= static_cast<int>(op->VisibleCount())) {
        Fail(ErrorCode::kInvalidArgument,
             "ORDER BY on a UNION result must name an output column or position", e.location);
      }
      sort->sort_keys.push_back(
          {BoundExpr::Column(col, op->columns[col].type, op->columns[col].name), o.descending,
           o.nulls_first.value_or(o.descending)});
    }
    sort->columns = op->columns;
    sort->person_columns = op->person_columns;
    sort->persons_column = op->persons_column;
    sort->children.push_back(std::move(op));
    op = std::move(sort);
  }
  int64_t limit = constant(s.limit, "LIMIT"), offset = constant(s.offset, "OFFSET");
  if (limit >= 0 || offset > 0) {
    auto l = std::make_unique<LogicalOp>(OpKind::kLimit);
    l->limit = limit;
    l->offset = std::max<int64_t>(offset, 0);
    l->columns = op->columns;
    l->person_columns = op->person_columns;
    l->persons_column = op->persons_column;
    l->children.push_back(std::move(op));
    op = std::move(l);
  }
  return op;
}

LogicalOpPtr Binder::BindSetOp(const sql::SelectStmt& s, const Scope* outer) {
  if (s.set_op != sql::SetOp::kUnion) {
    Fail(ErrorCode::kInvalidArgument, "INTERSECT and EXCEPT are not supported", s.location);
  }
  auto left = BindSelect(*s.left, outer);
  auto right = BindSelect(*s.right, outer);
  const size_t n = left->VisibleCount();
  if (right->VisibleCount() != n) {
    Fail(ErrorCode::kInvalidArgument, "each UNION query must have the same number of columns",
         s.location);
  }
  const bool row_level = !left->person_columns.empty();
  if (row_level != !right->person_columns.empty() ||
      (!row_level && (left->persons_column >= 0) != (right->persons_column >= 0))) {
    Fail(ErrorCode::kInvalidArgument,
         "UNION of person-level rows with aggregated rows is not supported", s.location);
  }
  // Unify types, and give both branches the same layout: visible columns, then one hidden
  // lineage column (a person key, or a persons count).
  std::vector<DataType> types;
  for (size_t i = 0; i < n; ++i) {
    std::vector<BoundExprPtr> pair;
    pair.push_back(BoundExpr::Column(0, left->columns[i].type, ""));
    pair.push_back(BoundExpr::Column(1, right->columns[i].type, ""));
    DataType t;
    try {
      t = ResolveCallType("coalesce", pair);
    } catch (const Error&) {
      Fail(ErrorCode::kInvalidArgument,
           "UNION types " + left->columns[i].type.ToString() + " and " +
               right->columns[i].type.ToString() + " cannot be matched",
           s.location);
    }
    types.push_back(t.id == TypeId::kNull ? DataType::Text() : t);
  }
  std::vector<int> shared_persons;
  for (size_t i = 0; i < n; ++i) {
    auto has = [i](const LogicalOp& op) {
      return std::count(op.person_columns.begin(), op.person_columns.end(), static_cast<int>(i)) >
             0;
    };
    if (has(*left) && has(*right)) shared_persons.push_back(static_cast<int>(i));
  }
  std::vector<OutputColumn> out_columns;
  for (size_t i = 0; i < n; ++i) {
    out_columns.push_back({left->columns[i].name, types[i], false,
                           left->columns[i].group_key && right->columns[i].group_key});
  }
  auto normalise = [&](LogicalOpPtr branch) {
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    for (size_t i = 0; i < n; ++i) {
      auto col =
          BoundExpr::Column(static_cast<int>(i), branch->columns[i].type, branch->columns[i].name);
      p->exprs.push_back(CastTo(std::move(col), types[i]));
      p->columns.push_back(out_columns[i]);
    }
    if (shared_persons.empty() && !branch->person_columns.empty()) {
      int c = branch->person_columns.front();
      p->exprs.push_back(BoundExpr::Column(c, DataType::Pseudonym(), "__person"));
      p->columns.push_back({"__person", DataType::Pseudonym(), true});
      p->person_columns = {static_cast<int>(n)};
    } else if (!branch->person_columns.empty()) {
      p->person_columns = shared_persons;
    } else if (branch->persons_column >= 0) {
      p->exprs.push_back(BoundExpr::Column(branch->persons_column, DataType::Int64(), "__persons"));
      p->columns.push_back({"__persons", DataType::Int64(), true});
      p->persons_column = static_cast<int>(n);
    }
    p->children.push_back(std::move(branch));
    return p;
  };
  auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
  u->children.push_back(normalise(std::move(left)));
  u->children.push_back(normalise(std::move(right)));
  u->columns = u->children[0]->columns;
  if (row_level) {
    u->person_columns =
        shared_persons.empty() ? std::vector<int>{static_cast<int>(n)} : shared_persons;
  } else if (u->columns.size() > n) {
    u->persons_column = static_cast<int>(n);
  }
  LogicalOpPtr op = std::move(u);
  if (!s.set_all) {
    std::vector<BoundExprPtr> groups;
    for (size_t i = 0; i < n; ++i)
      groups.push_back(
          BoundExpr::Column(static_cast<int>(i), op->columns[i].type, op->columns[i].name));
    op = MakeAggregate(std::move(op), std::move(groups), {});
  }
  return ApplyOrderLimit(std::move(op), s);
}

}  // namespace fedgate::planner
