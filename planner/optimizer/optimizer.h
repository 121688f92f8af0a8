#pragma once

#include <string>
#include <vector>

#include "planner/catalog.h"
#include "planner/logical_plan.h"

namespace fedgate::planner {

// The optimizer's passes, each of which can be switched off (for tests, and to measure what a
// pass is worth). With every pass off, each table is fetched whole and all the work is done
// in the gateway: slow, but the reference for what the passes must not change.
// A plain value: copy it freely; one instance is not to be changed while another thread reads
// it.
struct OptimizerOptions {
  bool filter_pushdown = true;         // move filters towards the tables; evaluate at sources
  bool projection_pruning = true;      // fetch only the columns a query uses
  bool aggregate_pushdown = true;      // run GROUP BY at a source when its input lives there
  bool per_person_aggregation = true;  // per-person partial aggregates in each UNION branch
  bool join_pushdown = true;           // joins within one source run as one remote query
  bool limit_pushdown = true;          // ORDER BY / LIMIT at a source where that is exact
  bool semi_join_reduction = true;     // cohort semi-joins applied before joins/aggregation
  bool expression_pushdown = true;     // grouping/aggregated expressions of one join input are
                                       // computed below the join (so at that input's source)
  bool window_pushdown = true;         // window functions at a source when their input is there

  // The pass names, as `Set` accepts them.
  static std::vector<std::string> Names();
  // Switches a pass by name; throws Error(kInvalidArgument) listing the names when unknown.
  void Set(const std::string& name, bool on);
  // "name=on|off,..." (also "all=off"); throws Error(kInvalidArgument) on a bad item.
  void Parse(const std::string& spec);
  // The passes that are off, comma-separated ("" when all are on).
  std::string DisabledList() const;
};

// Rewrites a bound plan (scalar subqueries already replaced by constants) and splits it:
// every maximal subtree that one source can compute becomes a kRemote node with a Fragment
// in that source's dialect. The result's top node has the same columns and person lineage
// as the input's.
// Takes ownership of `plan` and returns the optimized plan. Uses `catalog` (its connectors'
// dialects) only during the call; keeps no state, so calls on different plans may run
// concurrently (the catalog is thread-safe). The passes run in a fixed order
// (planner/optimizer/passes.cpp), each only when its switch in `options` is on.
// REQUIRES: `plan` comes from the binder (with the lineage it records).
// Throws Error(kInternal) when the plan breaks an invariant the binder guarantees; errors
// from the catalog (an unknown source) pass through.
LogicalOpPtr Optimize(LogicalOpPtr plan, Catalog& catalog, const OptimizerOptions& options);

}  // namespace fedgate::planner
