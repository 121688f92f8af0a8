#pragma once

#include <string>
#include <vector>

#include "common/batch.h"
#include "disclosure/arithmetic.h"
#include "disclosure/rules.h"

// One released cell: every rule a DSA sets, checked in one fixed order, with the evidence a
// checker reads (each rule, what it compared, its verdict; never the cell's value, a person
// count or a contribution, only comparisons and coarse shares).
namespace fedgate::disclosure {

// One rule checked on one cell.
struct Check {
  Rule rule = Rule::kNone;
  bool pass = true;    // false: the rule changed the cell (withheld or adjusted)
  std::string inputs;  // what was compared, e.g. "persons >= 10", "x1+x2 = 60-65% of total"
};

struct CellOutcome {
  Rule rule = Rule::kNone;  // the rule that decided the released value (kNone: as computed)
  std::vector<Check> checks;
};

// What is known of the group a cell belongs to.
struct GroupFacts {
  int64_t persons = 0;  // distinct persons (counted up to the rules' PersonsNeeded())
  bool has_cell_key = false;
  double cell_key = 0;  // CellKey() of the group, when perturbation is on
  // A percentile or mode cell: the distinct persons on the thinner side of its value
  // (planner/exec/ordered_set.h PersonsAside); -1 for other cells.
  int64_t persons_aside = -1;
};

// Protects cell `row` of `cell` in place (NULL when withheld) and says why. `contributions`
// is null when the aggregate kept none (counts, or no rule needs them). The order:
// threshold, mean persons, percentile persons, zeros, dominance, p%, redaction (each on the
// computed value; the
// first that withholds decides), then perturbation and rounding, which accumulate (a
// perturbed count is then rounded, and marked perturbed).
CellOutcome ProtectCell(const Rules& rules, CellKind kind, const GroupFacts& group,
                        const Contributions* contributions, Column& cell, size_t row);

}  // namespace fedgate::disclosure
