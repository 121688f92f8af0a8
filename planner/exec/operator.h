#pragma once

#include <atomic>
#include <functional>
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

// Disclosure control as the executor sees it: rows that reach a kProtect node are handed to
// the query's Protector (implemented by disclosure/ledger.h), which knows the rules; the
// executor knows only where output aggregates are.
class Protector {
 public:
  virtual ~Protector() = default;
  // Protects the rows of one batch coming out of `op`'s child in place (cells withheld are
  // NULL, others may be adjusted) and appends the hidden int64 `__sdc` column: per row, an
  // id under which the protector keeps what it did. May be called for several kProtect
  // nodes of one plan, and from any of the query's threads; throws Error to fail the query.
  virtual void Protect(const LogicalOp& op, Batch& batch) = 0;
};

// What every operator of one query shares.
struct ExecContext {
  Catalog* catalog = nullptr;
  QueryMemory* memory = nullptr;
  std::atomic<bool> cancelled{false};
  connectors::QueryContext source_context;
  // A person's record key in [0, 1) for cell-key perturbation (fixed per DSA and secret);
  // empty when no plan node asks for cell keys.
  std::function<double(const Pseudonym&)> record_key;
  // Applies disclosure control at kProtect nodes; null only for plans without them.
  Protector* protector = nullptr;
  std::mutex stats_mu;
  std::vector<FragmentStats> fragments;

  // Throws Error(kCancelled) when the query was cancelled.
  void CheckCancelled() const;
};

// A physical operator: Open() once (starting remote queries, so that every source of the
// query works in parallel), then Next() until it returns false, from one thread.
//  - Next replaces `batch` with the next rows (possibly zero rows) and returns true, or
//    returns false at the end of the stream, and false again if called after that (a LIMIT
//    may ask once more). Errors are thrown (Error naming the source or the limit that
//    failed); after an error the operator is only cancelled or destroyed.
//  - Cancel may be called from any thread, any number of times, before, during or after
//    Next; it must pass the cancellation on to every child and remote scan, so that a Next
//    blocked on a source returns (by throwing, or false) promptly. After Cancel, the rows
//    returned are not a complete result; the caller discards them.
//  - The destructor joins any thread the operator started.
class Operator {
 public:
  virtual ~Operator() = default;
  virtual void Open() = 0;
  virtual bool Next(Batch& batch) = 0;
  virtual void Cancel() = 0;
};

using OperatorPtr = std::unique_ptr<Operator>;

// Builds the physical plan for a split logical plan (every Get inside a kRemote). A fragment
// the plan reads more than once (same source, SQL and columns) is fetched once and shared.
OperatorPtr BuildOperator(const LogicalOp& op, ExecContext& ctx);

// Runs `op` to the end and returns all its rows as one batch.
Batch Drain(Operator& op, ExecContext& ctx, const std::vector<OutputColumn>& columns);

}  // namespace fedgate::planner::exec
