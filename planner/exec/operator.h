#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/batch.h"
#include "connectors/connector.h"
#include "planner/catalog.h"
#include "planner/logical_plan.h"

namespace fedgate::planner::exec {

// Memory accounting for one query: operators that hold rows (hash tables, sort buffers,
// queued batches) reserve what they hold, and going over the budget is a clear error
// instead of the process being killed. Thread-safe.
class QueryMemory {
 public:
  explicit QueryMemory(int64_t budget_bytes) : budget_(budget_bytes) {}
  // Throws Error(kResourceExhausted) naming `what` when the budget would be exceeded.
  void Reserve(int64_t bytes, const char* what);
  void Release(int64_t bytes) { used_.fetch_sub(bytes); }
  int64_t peak() const { return peak_.load(); }
  int64_t budget() const { return budget_; }

 private:
  int64_t budget_;
  std::atomic<int64_t> used_{0};
  std::atomic<int64_t> peak_{0};
};

struct FragmentStats {
  std::string source;
  std::string sql;
  int64_t rows = 0;
  double seconds = 0;  // from sending the query to its last row
};

// What every operator of one query shares.
struct ExecContext {
  Catalog* catalog = nullptr;
  QueryMemory* memory = nullptr;
  std::atomic<bool> cancelled{false};
  connectors::QueryContext source_context;
  // Keys persons' record keys for cell-key perturbation (per DSA); null when not needed.
  const Pseudonymiser* record_keys = nullptr;
  std::mutex stats_mu;
  std::vector<FragmentStats> fragments;

  // Throws Error(kCancelled) when the query was cancelled.
  void CheckCancelled() const;
};

// A physical operator: Open() once (starting remote queries, so that every source of the
// query works in parallel), then Next() until it returns false, from one thread. Cancel()
// may come from any thread.
class Operator {
 public:
  virtual ~Operator() = default;
  virtual void Open() = 0;
  // Replaces `batch` with the next rows; false at the end.
  virtual bool Next(Batch& batch) = 0;
  virtual void Cancel() {}
};

using OperatorPtr = std::unique_ptr<Operator>;

// Builds the physical plan for a split logical plan (every Get inside a kRemote).
OperatorPtr BuildOperator(const LogicalOp& op, ExecContext& ctx);

// Runs `op` to the end and returns all its rows as one batch.
Batch Drain(Operator& op, ExecContext& ctx, const std::vector<OutputColumn>& columns);

}  // namespace fedgate::planner::exec
