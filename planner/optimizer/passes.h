#pragma once

#include <span>

#include "planner/logical_plan.h"
#include "planner/optimizer/optimizer.h"

// The optimizer's rewrite passes, internal to planner/optimizer/ (one file each). A pass
// takes a plan, owns it, and returns the rewritten plan with the same output columns and
// person lineage. Passes keep no state: each may run on any thread, on a plan the caller
// owns. A pass throws Error(kInternal) only when it finds the plan in a state the binder
// never produces.
namespace fedgate::planner::optimizer {

// Conjuncts travel down until an operator stops them (filter_pushdown.cpp).
LogicalOpPtr FilterPushdown(LogicalOpPtr plan);

// Per-person aggregates over UNION ALL split into per-branch partials and a final merge by
// pseudonym (partial_aggregation.cpp).
LogicalOpPtr PerPersonAggregation(LogicalOpPtr plan);

// Cohort semi-joins pushed below per-person aggregates and joins on the person key
// (semi_join_reduction.cpp).
LogicalOpPtr SemiJoinReduction(LogicalOpPtr plan);

// Grouping and aggregated expressions of one join input computed below the join
// (expression_pushdown.cpp).
LogicalOpPtr ExpressionPushdown(LogicalOpPtr plan);

// ORDER BY / LIMIT sunk towards the sources, and LIMIT copied into UNION ALL branches
// (limit_pushdown.cpp).
LogicalOpPtr LimitPushdown(LogicalOpPtr plan);

// Output columns nobody needs dropped, down to the columns each table is read with
// (projection_pruning.cpp).
LogicalOpPtr ProjectionPruning(LogicalOpPtr plan);

// A rewrite pass: its name (as OptimizerOptions::Set accepts it), the switch that turns it
// on, and the function.
struct Pass {
  const char* name;
  bool OptimizerOptions::*enabled;
  LogicalOpPtr (*run)(LogicalOpPtr plan);
};

// The rewrite passes in the order Optimize runs them (passes.cpp). aggregate_pushdown and
// join_pushdown have no rewrite of their own: the splitter reads them (as it reads
// filter_pushdown and limit_pushdown), deciding what a source may compute.
std::span<const Pass> Passes();

}  // namespace fedgate::planner::optimizer
