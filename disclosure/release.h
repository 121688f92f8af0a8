#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/pseudonymiser.h"
#include "disclosure/cell.h"
#include "disclosure/ledger.h"
#include "disclosure/rules.h"
#include "planner/logical_plan.h"

namespace fedgate::disclosure {

// Why one released cell is what it is: each rule checked and its verdict.
struct CellEvidence {
  size_t row = 0;
  size_t column = 0;  // among the visible columns
  Rule rule = Rule::kNone;
  std::vector<Check> checks;
};

// What disclosure control did to one result: every front end shows this (evidence_json.h).
struct Released {
  std::shared_ptr<const Rules> rules;
  int64_t min_persons = 0;
  // Per row: 1 when the row's group had fewer than min_persons distinct persons, so every
  // value but its group keys was withheld (NULL).
  std::vector<uint8_t> suppressed;
  int64_t suppressed_rows = 0;
  // Per row, per visible column (row-major): the Rule that changed the cell (0: none).
  std::vector<uint8_t> cell_rules;
  size_t columns = 0;
  // How many cells each rule changed, by RuleName.
  std::map<std::string, int64_t> rule_counts;
  // Per aggregate cell, released or changed: the rules checked.
  std::vector<CellEvidence> evidence;
  bool records = false;  // pseudonymised records (person keys re-keyed for output)
};

// The last step before anything leaves: from the executed rows of the plan's top to what
// may be released, in place in `rows`:
//  - pseudonymised records (a plan with person columns, which the engine lets through only
//    when the DSA allows records): refused by rule 'threshold' when they cover fewer than
//    min_persons persons; person keys re-keyed with `output_key`;
//  - groups under min_persons withheld; each cell's rule read back from `ledger`;
//  - for tables with totals (grouping sets): totals as sums of the released cells when the
//    DSA redacts-then-rounds, else secondary suppression (disclosure/secondary.h).
// `ledger` may be null when the plan has no kProtect. Throws Error(kPermissionDenied).
Released Release(const planner::LogicalOp& plan, const std::vector<size_t>& visible, Batch& rows,
                 const Ledger* ledger, std::shared_ptr<const Rules> rules,
                 const Pseudonymiser& output_key);

}  // namespace fedgate::disclosure
