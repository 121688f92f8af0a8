#pragma once

#include <string>

#include "planner/logical_plan.h"
#include "sql/dialect.h"

// Deparsing: a pushed subtree written as the SQL its source runs. What may be pushed at all
// is decided beforehand, in planner/deparse/shippable.h (as postgres_fdw's deparse.c
// separates foreign_expr_walker from the deparse functions).
namespace fedgate::planner {

// Renders a subtree whose every table lives in one source as a single SELECT in the
// source's dialect, returning the subtree's output columns in order. Person keys appear
// as the raw identifier column where they are only returned, and as the dialect's
// canonical (normalised and checked) form wherever the source compares or groups them.
// Pure: reads `op` and `dialect` only during the call and may run on any thread.
// REQUIRES: every node passed CanPushOperator (shippable.h) for `dialect`.
// Throws Error(kInternal) when a node or expression cannot be written after all (a broken
// REQUIRES).
std::string RenderFragmentSql(const LogicalOp& op, const sql::Dialect& dialect);

}  // namespace fedgate::planner
