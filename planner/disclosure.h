#pragma once

#include <memory>
#include <string>

#include "planner/logical_plan.h"
#include "policy/sdc.h"

namespace fedgate::planner {

// Builds disclosure control into a bound plan (before optimization), per DESIGN.md
// "Disclosure control semantics":
//  - MIN/MAX over person-level values are refused unless `rules.extremes_allowed`
//    (Error kPermissionDenied naming the rule and `dsa`);
//  - every output aggregation (the aggregates whose groups become result rows) gets a
//    kProtect above it: threshold, perturbation, rounding, dominance, with the aggregate asked
//    to compute what those need (record-key sums, per-person contributions), so it runs in the
//    gateway when perturbation or dominance is on;
//  - every other aggregation level that is not per person keeps only groups of at least
//    min_persons persons (a filter that sources may evaluate as HAVING);
//  - the protection codes (`__sdc`) are carried to the top of the plan through projections,
//    filters, sorts and limits, so each released cell can say which rule changed it.
void ApplyDisclosureControl(LogicalOpPtr& plan, const std::shared_ptr<const sdc::Rules>& rules,
                            const std::string& dsa);

// For the top of an optimized plan: per visible output column, the index of the protected
// aggregate it passes through unchanged (-1: a group key or a computed value), and the index
// of the `__sdc` column (-1 when the plan has none).
struct CellRuleMap {
  int sdc_column = -1;
  std::vector<int> aggregate_of_column;  // per column of the plan's top
};
CellRuleMap MapCellRules(const LogicalOp& plan);

}  // namespace fedgate::planner
