#include "planner/optimizer/passes.h"

namespace fedgate::planner::optimizer {

namespace {

// In the order they run: each pass sees the plan as the ones before it left it, so the order
// is part of what the SQL shipped to each source looks like (the golden tests pin it down).
constexpr Pass kPasses[] = {
    {"filter_pushdown", &OptimizerOptions::filter_pushdown, FilterPushdown},
    {"per_person_aggregation", &OptimizerOptions::per_person_aggregation, PerPersonAggregation},
    {"semi_join_reduction", &OptimizerOptions::semi_join_reduction, SemiJoinReduction},
    {"expression_pushdown", &OptimizerOptions::expression_pushdown, ExpressionPushdown},
    {"limit_pushdown", &OptimizerOptions::limit_pushdown, LimitPushdown},
    {"projection_pruning", &OptimizerOptions::projection_pruning, ProjectionPruning},
};

}  // namespace

std::span<const Pass> Passes() {
  return kPasses;
}

}  // namespace fedgate::planner::optimizer
