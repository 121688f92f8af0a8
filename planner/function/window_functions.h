#pragma once

// The window functions: one row per function, holding how the binder types a call and how
// the executor (planner/exec/window.cpp) computes it over one partition. Adding a window
// function is one Compute function in window_functions.cpp, one row in its table, and its
// signature in function_list.cpp (for SHOW FUNCTIONS).
//
// Semantics are PostgreSQL's (and the SQL standard's, which every pushed-down dialect
// follows): ranking functions read the ORDER BY (peers: rows equal on every key), value
// functions read rows by position, aggregates read the frame.
//
// Thread-safety: the table is immutable; every function may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "planner/logical_plan.h"
#include "planner/value.h"

namespace fedgate::planner {

// One partition of a window's input, in the window's order, as a function sees it. Row i of
// the partition is row `rows[i]` of the input; `args` are the call's arguments evaluated over
// the whole input. Peer group g holds partition rows [group_start[g], group_start[g + 1]);
// row i is in group `group[i]`. The frame of row i is [frame_start[i], frame_end[i]) (empty
// when start >= end).
struct WindowPartition {
  const uint32_t* rows = nullptr;
  size_t size = 0;
  const std::vector<size_t>* group = nullptr;
  const std::vector<size_t>* group_start = nullptr;  // one entry more than there are groups
  const std::vector<size_t>* frame_start = nullptr;
  const std::vector<size_t>* frame_end = nullptr;
  const std::vector<Column>* args = nullptr;

  Value Arg(size_t arg, size_t i) const { return GetValue((*args)[arg], rows[i]); }
};

enum class WindowKind {
  kRanking,    // row_number, rank, ...: from the row's position among its peers
  kValue,      // lag, lead (by position in the partition), first/last/nth_value (the frame)
  kAggregate,  // count, sum, avg, min, max over the frame
};

// Computes the call for every row of one partition: out[i] for partition row i (out is
// sized by the caller). Throws Error(kInvalidArgument) for a bad argument (ntile(0)).
using WindowComputeFn = void (*)(const WindowCall& call, const WindowPartition& partition,
                                 std::vector<Value>& out);
// Types a call whose arguments are bound; may cast them (lag's default to the value's type).
// Throws Error(kInvalidArgument) when they do not fit.
using WindowResolveFn = DataType (*)(const std::string& fn, std::vector<BoundExprPtr>& args);

struct WindowFunction {
  std::string_view name;  // as WindowCall::fn (count(*) is count_star)
  WindowKind kind;
  size_t min_args, max_args;
  WindowResolveFn resolve;
  WindowComputeFn compute;
};

// Whether the function reads its frame (aggregates, first/last/nth_value); the others ignore
// it, so a frame written for them changes nothing (and T-SQL refuses one).
bool ReadsFrame(const WindowFunction& f);

// The row for `name` (count_star for count(*)), or null.
const WindowFunction* FindWindowFunction(std::string_view name);
// Every window function, in name order.
const std::vector<WindowFunction>& WindowFunctions();

}  // namespace fedgate::planner
