// WHERE: top-level [NOT] EXISTS and [NOT] IN (subquery) terms become semi and anti joins, the
// other terms one filter; uncorrelated scalar subqueries become numbered inputs of the plan.
#include <functional>

#include "common/error.h"
#include "planner/binder/binder.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

namespace {

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

}  // namespace

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

}  // namespace fedgate::planner
