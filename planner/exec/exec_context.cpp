// The per-query memory budget and cancellation every operator checks.
#include "common/error.h"
#include "planner/exec/operator.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

void QueryMemory::Reserve(int64_t bytes, const char* what) {
  int64_t now = used_.fetch_add(bytes) + bytes;
  if (now > budget_) {
    used_.fetch_sub(bytes);
    throw Error(ErrorCode::kResourceExhausted,
                std::string("the query needs more than its memory budget of ") +
                    std::to_string(budget_ >> 20) + " MiB (at " + what +
                    "); narrow it down or raise memory_budget_mb");
  }
  int64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
}

void ExecContext::CheckCancelled() const {
  if (cancelled.load()) throw Error(ErrorCode::kCancelled, "the query was cancelled");
}

int64_t BatchBytes(const Batch& b) {
  int64_t n = 0;
  for (const auto& c : b.columns) n += static_cast<int64_t>(c.MemoryBytes());
  return n;
}

}  // namespace fedgate::planner::exec
