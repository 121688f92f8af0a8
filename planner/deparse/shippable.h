#pragma once

#include "planner/bound_expr.h"
#include "planner/logical_plan.h"
#include "sql/dialect.h"

// What may be shipped to a source: whether a source of a dialect can evaluate an expression or
// an operator with fedgate's semantics. The optimizer's splitter asks before it pushes a
// subtree, the agent's fragment decoder before it accepts one; planner/deparse/deparse.h then
// writes what passed (as postgres_fdw's foreign_expr_walker guards its deparse.c).
// Both functions are pure: they read their arguments only during the call, never throw, and
// may run on any thread.
namespace fedgate::planner {

// True when `dialect` can evaluate `e` with fedgate's semantics (every function in its
// table, no scalar subqueries). Person keys may be compared for equality and tested for
// NULL at a source, never ordered.
bool CanRender(const BoundExpr& e, const sql::Dialect& dialect);

// True when the operator itself (not its children) can run at a source of `dialect`.
bool CanPushOperator(const LogicalOp& op, const sql::Dialect& dialect);

}  // namespace fedgate::planner
