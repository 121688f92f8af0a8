#pragma once

#include <string>

#include "planner/logical_plan.h"
#include "sql/dialect.h"

namespace fedgate::planner {

// True when `dialect` can evaluate `e` with fedgate's semantics (every function in its
// table, no scalar subqueries). Person keys may be compared for equality and tested for
// NULL at a source, never ordered.
bool CanRender(const BoundExpr& e, const sql::Dialect& dialect);

// True when the operator itself (not its children) can run at a source of `dialect`.
bool CanPushOperator(const LogicalOp& op, const sql::Dialect& dialect);

// Renders a subtree whose every table lives in one source as a single SELECT in the
// source's dialect, returning the subtree's output columns in order. Person keys appear
// as the raw identifier column where they are only returned, and as the dialect's
// canonical (normalised and checked) form wherever the source compares or groups them.
// REQUIRES: every node passed CanPushOperator.
std::string RenderFragmentSql(const LogicalOp& op, const sql::Dialect& dialect);

}  // namespace fedgate::planner
