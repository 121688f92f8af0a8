#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "disclosure/rules.h"
#include "planner/binder/binder.h"
#include "planner/logical_plan.h"

namespace fedgate::disclosure {

// Builds disclosure control into a bound plan (before optimization), per DESIGN.md
// "Disclosure control semantics":
//  - rule 'extremes': MIN/MAX over person-level values are refused unless
//    `rules.extremes_allowed` (Error kPermissionDenied naming the rule and `dsa`);
//  - every output aggregation (the aggregates whose groups become result rows) gets a
//    kProtect above it, whose rows the executor hands to a Ledger (disclosure/ledger.h); the
//    aggregate is asked for what the rules read (record-key sums, per-person contributions),
//    so it runs in the gateway when perturbation, dominance or p% is on;
//  - rule 'threshold' at every other aggregation level that is not per person: only groups
//    of at least min_persons persons are kept (a filter sources may evaluate as HAVING);
//  - the ledger ids (`__sdc`) are carried to the top of the plan through projections,
//    filters, sorts, limits and UNION ALL, so each released cell can say which rule changed it.
// REQUIRES: `plan` is bound (Binder output), not optimized.
void ApplyDisclosureControl(planner::LogicalOpPtr& plan, const std::shared_ptr<const Rules>& rules,
                            const std::string& dsa);

// The refusals that look at a bound query as a whole, before anything runs; each throws
// Error(kPermissionDenied) naming its rule:
//  - rule 'output-level': the result is row-level (person keys in the output) and the DSA's
//    output level does not allow pseudonymised records (`allow_records`);
//  - rule 'secondary': a window function over the rows of ROLLUP, CUBE or GROUPING SETS (it
//    would see cells before secondary suppression);
//  - rule 'secondary': HAVING, DISTINCT, LIMIT or OFFSET would cut the rows of ROLLUP, CUBE
//    or GROUPING SETS, i.e. the totals that protect withheld cells;
//  - rule 'output-level' for scalar subqueries: a subquery used as a value must be an
//    aggregate, since its value flows into the result.
void CheckQuery(const planner::BoundQuery& query, bool allow_records);

// Rule 'threshold' for a scalar subquery's value, once it has run (with its own disclosure
// control): its single row must aggregate at least min_persons persons.
void CheckScalarValue(const planner::LogicalOp& plan, const Batch& rows, const Rules& rules);

// For the top of an optimized plan: per output column, the index of the protected aggregate
// it passes through unchanged (-1: a group key or a computed value), and the index of the
// `__sdc` column (-1 when the plan has none).
struct CellRuleMap {
  int sdc_column = -1;
  std::vector<int> aggregate_of_column;  // per column of the plan's top
};
CellRuleMap MapCellRules(const planner::LogicalOp& plan);

}  // namespace fedgate::disclosure
