#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "disclosure/cell.h"
#include "disclosure/rules.h"
#include "planner/exec/operator.h"

namespace fedgate::disclosure {

// The outcome of every protected cell of one row of an output aggregate.
struct RowRecord {
  const planner::LogicalOp* protect = nullptr;  // the kProtect node the row came through
  std::vector<CellOutcome> cells;               // per aggregate of that node
};

// Disclosure control over the rows of output aggregates, for one execution of one query:
// the executor hands it every batch that reaches a kProtect node; each cell is protected in
// place by ProtectCell and its outcome kept here, under an id the row carries in its hidden
// `__sdc` column to the top of the plan, where Release reads it back.
//
// Threading: Protect may be called from any of the query's threads (calls are serialised);
// Row only after execution has finished. The ledger must outlive the operators built with it.
class Ledger : public planner::exec::Protector {
 public:
  explicit Ledger(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}

  void Protect(const planner::LogicalOp& op, Batch& batch) override;

  // REQUIRES: `id` came from a `__sdc` column of this ledger's query.
  const RowRecord& Row(int64_t id) const { return rows_.at(static_cast<size_t>(id)); }
  const Rules& rules() const { return *rules_; }

 private:
  std::shared_ptr<const Rules> rules_;
  std::mutex mu_;
  std::vector<RowRecord> rows_;
};

}  // namespace fedgate::disclosure
