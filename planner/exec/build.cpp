// The physical plan: one operator per logical operator (BuildOperator), and Drain.
#include "common/error.h"
#include "planner/exec/operator.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

Batch Drain(Operator& op, ExecContext& ctx, const std::vector<OutputColumn>& columns) {
  Batch all;
  for (const auto& c : columns) all.columns.emplace_back(c.type);
  Batch b;
  while (op.Next(b)) {
    ctx.CheckCancelled();
    for (size_t c = 0; c < all.columns.size(); ++c) {
      for (size_t r = 0; r < b.rows; ++r) all.columns[c].AppendFrom(b.columns[c], r);
    }
    all.rows += b.rows;
  }
  return all;
}

namespace {

OperatorPtr Build(const LogicalOp& op, ExecContext& ctx, SharedScans& shared) {
  auto child = [&](size_t i) { return Build(*op.children[i], ctx, shared); };
  switch (op.kind) {
    case OpKind::kRemote:
      return shared.Make(op, ctx);
    case OpKind::kFilter:
      return MakeFilter(op, child(0), ctx);
    case OpKind::kProject:
      return MakeProject(op, child(0), ctx);
    case OpKind::kLimit:
      return MakeLimit(op, child(0));
    case OpKind::kSort:
      return MakeSort(op, child(0), ctx);
    case OpKind::kUnion: {
      std::vector<OperatorPtr> children;
      for (size_t i = 0; i < op.children.size(); ++i) children.push_back(child(i));
      return MakeUnion(std::move(children));
    }
    case OpKind::kValues:
      return MakeValues(op);
    case OpKind::kJoin:
      return MakeHashJoin(op, child(0), child(1), ctx);
    case OpKind::kAggregate:
      return MakeHashAggregate(op, child(0), ctx);
    case OpKind::kProtect:
      return MakeProtect(op, child(0), ctx);
    case OpKind::kWindow:
      return MakeWindow(op, child(0), ctx);
    case OpKind::kGet:
      throw Error(ErrorCode::kInternal, "a table scan was not assigned to its source");
  }
  throw Error(ErrorCode::kInternal, "unknown operator");
}

}  // namespace

OperatorPtr BuildOperator(const LogicalOp& op, ExecContext& ctx) {
  SharedScans shared(op);
  return Build(op, ctx, shared);
}

}  // namespace fedgate::planner::exec
