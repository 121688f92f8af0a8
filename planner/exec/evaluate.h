#pragma once

#include "common/batch.h"
#include "planner/bound_expr.h"

namespace fedgate::planner::exec {

// Evaluates `e` for every row of `input` into a column of e.type.
Column Evaluate(const BoundExpr& e, const Batch& input);
// Evaluates `e` for one row. CASE, AND, OR and COALESCE evaluate their arguments lazily, so
// a branch not taken cannot raise an error (division by zero in an ELSE, say).
Value EvaluateRow(const BoundExpr& e, const Batch& input, size_t row);
// For predicates: rows where `e` is TRUE (NULL and FALSE are dropped).
std::vector<uint32_t> SelectRows(const BoundExpr& e, const Batch& input);

}  // namespace fedgate::planner::exec
