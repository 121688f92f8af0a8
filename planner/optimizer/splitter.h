#pragma once

#include "planner/catalog.h"
#include "planner/logical_plan.h"
#include "planner/optimizer/optimizer.h"

namespace fedgate::planner::optimizer {

// The last step of Optimize, after the rewrite passes: every maximal subtree that one source
// can compute (its dialect can evaluate every operator, and the switches in `options` allow
// each operator to leave the gateway) becomes a kRemote node holding the subtree (`pushed`)
// and its Fragment: the SQL in the source's dialect, the structured fragment when the
// connector takes one, and the output columns. With filter_pushdown on, a filter its
// source can evaluate only in part is split first, so the conjuncts it can evaluate go with
// their input. Takes ownership of `plan` and returns the split plan, with the same columns
// and lineage. Uses `catalog` only during the call, for the sources' connectors.
// Throws Error(kInternal) when a table cannot be sent to its source (its dialect can run no
// operator); errors from the catalog (ConnectorFor) pass through.
LogicalOpPtr SplitIntoFragments(LogicalOpPtr plan, Catalog& catalog,
                                const OptimizerOptions& options);

}  // namespace fedgate::planner::optimizer
