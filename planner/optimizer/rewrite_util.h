#pragma once

#include <set>
#include <string>
#include <vector>

#include "planner/bound_expr.h"
#include "planner/logical_plan.h"

// Helpers the optimizer's passes share to rewrite plans. Internal to planner/optimizer/.
// Functions taking a LogicalOpPtr or BoundExprPtr take ownership and return the rewritten
// tree; none keeps state, so all may be called from any thread on trees the caller owns.
namespace fedgate::planner::optimizer {

// The column indices `e` references.
std::set<int> ColumnsOf(const BoundExpr& e);

// `e` with every column reference i replaced by a copy of exprs[i].
// REQUIRES: every column `e` references is an index into `exprs`.
BoundExprPtr Substitute(const BoundExpr& e, const std::vector<BoundExprPtr>& exprs);

// `e` with `delta` added to every column index (moving it between a join's output and one
// of its inputs).
BoundExprPtr Shift(BoundExprPtr e, int delta);

// A projection over a UNION ALL becomes a UNION ALL of projections (through nested
// projections too); any other `op` is returned as it is.
LogicalOpPtr DistributeProject(LogicalOpPtr op);

// The sources of the tables `op` reads.
std::set<std::string> Sources(const LogicalOp& op);

// Renumbers `op`'s person lineage (person_columns, persons_column) through `map` (old output
// index -> new, -1 when dropped); a dropped person column leaves the lineage.
// REQUIRES: `map` covers every index the lineage holds.
void RemapLineage(LogicalOp& op, const std::vector<int>& map);

}  // namespace fedgate::planner::optimizer
