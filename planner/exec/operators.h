#pragma once

// The physical operators, one per file of planner/exec/, as BuildOperator (build.cpp) makes
// them. Internal to the executor: the rest of the code builds plans with BuildOperator
// (operator.h). Each Make* takes ownership of its children; the operator keeps references to
// `op` and `ctx`, which must outlive it (the engine keeps both for the whole query).

#include <map>
#include <string>
#include <vector>

#include "planner/exec/operator.h"

namespace fedgate::planner::exec {

OperatorPtr MakeScan(const LogicalOp& op, ExecContext& ctx);  // kRemote (scan.cpp)

// The kRemote nodes of one plan that read the same fragment (source, SQL, columns): each such
// fragment is fetched once and its batches handed to every reader (shared_scan.cpp). Made
// per plan by BuildOperator; must outlive nothing (readers keep the shared fragment alive).
class SharedScans {
 public:
  explicit SharedScans(const LogicalOp& plan);
  ~SharedScans();
  // A scan of `op`: a reader of the shared fragment when the plan reads it more than once.
  OperatorPtr Make(const LogicalOp& op, ExecContext& ctx);

 private:
  struct Entry;
  static std::string Key(const LogicalOp& op);
  std::map<std::string, Entry> entries_;
};
OperatorPtr MakeFilter(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);
OperatorPtr MakeProject(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);
OperatorPtr MakeLimit(const LogicalOp& op, OperatorPtr child);
OperatorPtr MakeSort(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);
OperatorPtr MakeUnion(std::vector<OperatorPtr> children);  // UNION ALL (union_all.cpp)
OperatorPtr MakeValues(const LogicalOp& op);
OperatorPtr MakeHashJoin(const LogicalOp& op, OperatorPtr left, OperatorPtr right,
                         ExecContext& ctx);
OperatorPtr MakeHashAggregate(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);
OperatorPtr MakeWindow(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);
OperatorPtr MakeProtect(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);

// Bytes a batch holds, as the memory budget counts them (exec_context.cpp).
int64_t BatchBytes(const Batch& b);

// Appends row `row` of `column` to a composite hash key (row_key.cpp); returns false for
// NULL, appending nothing (the caller decides what a NULL key means).
bool AppendKey(const Column& column, size_t row, std::string& key);

}  // namespace fedgate::planner::exec
