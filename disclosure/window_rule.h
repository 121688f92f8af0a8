#pragma once

#include <string>

#include "planner/logical_plan.h"

namespace fedgate::disclosure {

// Rule 'window', for window functions over person-level rows (rows with person keys: events,
// or a per-person aggregate). A window function gives a row a value computed from other rows;
// over person-level rows those may be other persons' rows, and a later aggregate would then
// count the row's person for another person's value (first_value(cost) OVER (ORDER BY
// <one admission first>) puts one person's cost on every row, and avg() of it over everyone
// releases it). So:
//  - lag, lead, first_value, last_value, nth_value and aggregates OVER (...) must be
//    partitioned by a person key of their input (PARTITION BY person_id): every value they
//    read is of the row's own person. Rows whose key is NULL (unlinkable records, the missing
//    side of an outer join) form one partition of many persons in SQL; there, the function
//    reads NULL (count: 0), so nothing moves between them. The rewrite is in the plan, so it
//    holds wherever the window runs (gateway or source).
//  - ranking functions (row_number, rank, dense_rank, percent_rank, cume_dist, ntile) may run
//    over any rows, as ntile(5) OVER (ORDER BY cost) over persons must: a rank says where the
//    row's own value stands. A rank may be grouped by (buckets then meet the threshold like
//    any group), filtered on, joined on or counted; an aggregate of ranks other than count
//    (sum, avg, min, max, percentiles: a sum of ranks moves by the number of rows above a
//    person when that person is added) and ranks released row by row are refused.
// Windows over aggregated rows (a released table's cells, which they see protected, or an
// intermediate level already thresholded) are not restricted.
// Throws Error(kPermissionDenied) naming the rule, the function and `dsa`.
// REQUIRES: `plan` is bound, disclosure control not yet applied (ApplyDisclosureControl
// calls this first).
void ApplyWindowRule(planner::LogicalOp& plan, const std::string& dsa);

}  // namespace fedgate::disclosure
