// A simple SELECT (no set operation): FROM, WHERE, the select list with * expanded, GROUP BY
// and HAVING (bind_group_by.cpp), window functions (bind_window.cpp), the projection,
// DISTINCT, ORDER BY and LIMIT (bind_order_limit.cpp).
#include "common/error.h"
#include "planner/binder/bind_util.h"
#include "planner/binder/binder.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

namespace {

bool ContainsAggregate(const sql::Expr& e) {
  if (e.kind == sql::ExprKind::kFunction && e.window) {
    // sum(x) OVER (...) is a window function; its arguments and window may hold aggregates.
    for (const auto& a : e.args) {
      if (a && ContainsAggregate(*a)) return true;
    }
    for (const auto& p : e.window->partition_by) {
      if (ContainsAggregate(*p)) return true;
    }
    for (const auto& o : e.window->order_by) {
      if (ContainsAggregate(*o.expr)) return true;
    }
    return false;
  }
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

LogicalOpPtr Binder::BindSimpleSelect(const sql::SelectStmt& s, const Scope* outer) {
  SelectState st;
  st.scope.outer = outer;
  LogicalOpPtr op = BindFrom(s, outer, st.scope);
  if (s.where) op = BindWhere(std::move(op), *s.where, st.scope);

  ExpandTargets(s, st);
  st.aggregated = !s.group_by.empty() || s.having != nullptr;
  for (const auto& t : st.targets) st.aggregated |= t.expr && ContainsAggregate(*t.expr);
  for (const auto& o : s.order_by) st.aggregated |= ContainsAggregate(*o.expr);
  ExpandGroupBy(s, st);
  BindTargets(st);
  BindOrderBy(s, st);
  if (st.aggregated) op = PlanAggregation(std::move(op), s, st);
  if (!st.windows.empty()) op = PlanWindows(std::move(op), st);
  op = ProjectSelect(std::move(op), s, st);
  op = SortSelect(std::move(op), st);
  return ApplyOrderLimit(std::move(op), s);
}

// The select list, with * expanded.
void Binder::ExpandTargets(const sql::SelectStmt& s, SelectState& st) {
  if (s.targets.empty()) {
    // PostgreSQL accepts an empty select list; a result of no columns means nothing to a BI
    // tool, and the planner assumes at least one (found by fuzzing: tests/fuzz/regressions).
    Fail(ErrorCode::kInvalidArgument, "SELECT needs at least one column", s.location);
  }
  for (const auto& t : s.targets) {
    if (t.expr->kind == sql::ExprKind::kStar) {
      bool any = false;
      for (size_t i = 0; i < st.scope.columns.size(); ++i) {
        const auto& c = st.scope.columns[i];
        if (c.hidden || c.using_shadowed) continue;
        if (!t.expr->names.empty() && c.qualifier != t.expr->names.back()) continue;
        st.targets.push_back({nullptr, static_cast<int>(i), c.name, t.location});
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
    st.targets.push_back({t.expr.get(), -1, TargetName(t), t.location});
  }
}

void Binder::BindTargets(SelectState& st) {
  st.ctx =
      ExprContext{&st.scope, st.aggregated ? &st.aggregates : nullptr, "this clause", &st.windows};
  for (const auto& t : st.targets) {
    BoundExprPtr b;
    if (!t.expr) {
      b = BoundExpr::Column(t.column, st.scope.columns[t.column].type,
                            st.scope.columns[t.column].name);
    } else {
      st.ctx.clause = "the select list";
      b = BindExpr(*t.expr, st.ctx);
      if (b->untyped_literal) b = CastTo(std::move(b), DataType::Text());
    }
    st.exprs.push_back(std::move(b));
  }
}

// The projection of the select list, then its hidden columns (grouping sets, sort keys), and
// DISTINCT over the visible columns.
LogicalOpPtr Binder::ProjectSelect(LogicalOpPtr op, const sql::SelectStmt& s, SelectState& st) {
  for (const auto& e : st.exprs) {
    if (e->IsColumn() && e->column >= kOuterBase) {
      Fail(ErrorCode::kInvalidArgument,
           "correlated references in the select list are not supported", s.location);
    }
  }
  std::vector<std::string> names;
  for (const auto& t : st.targets) names.push_back(t.name);
  for (const auto& h : st.hidden_names) names.push_back(h);
  const size_t visible = st.targets.size();
  for (auto& o : st.order) {
    if (!o.extra) continue;
    o.output = static_cast<int>(st.exprs.size());
    st.exprs.push_back(std::move(o.extra));
    names.push_back("__sort");
  }
  op = MakeProject(std::move(op), std::move(st.exprs), std::move(names));
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
  return op;
}

}  // namespace fedgate::planner
