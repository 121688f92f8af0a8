// LIMIT pushdown: a LIMIT (with or without ORDER BY) over a UNION ALL also limits every
// branch to limit + offset rows, so a source can stop early; the gateway keeps the exact
// LIMIT on top.

#include <algorithm>
#include <memory>
#include <vector>

#include "planner/optimizer/passes.h"
#include "planner/optimizer/rewrite_util.h"

namespace fedgate::planner::optimizer {

namespace {

// ORDER BY and LIMIT sink below row-wise operators that keep every row: a projection (keys
// rewritten through it), and disclosure control when the keys are group keys only (ordering
// by exact aggregate values would leak them, so such a sort stays above protection). Once
// directly over an aggregate, they can go to its source with it.
LogicalOpPtr SinkSortLimit(LogicalOpPtr op) {
  for (auto& child : op->children) child = SinkSortLimit(std::move(child));
  if (op->kind != OpKind::kSort && op->kind != OpKind::kLimit) return op;
  LogicalOp& below = *op->children[0];
  if (below.kind == OpKind::kProject) {
    if (op->kind == OpKind::kSort) {
      for (auto& k : op->sort_keys) k.expr = Substitute(*k.expr, below.exprs);
    }
  } else if (below.kind == OpKind::kProtect) {
    if (op->kind == OpKind::kSort) {
      for (const auto& k : op->sort_keys) {
        auto cols = ColumnsOf(*k.expr);
        if (!std::all_of(cols.begin(), cols.end(), [&](int c) { return c < below.protect_groups; }))
          return op;
      }
    }
  } else {
    return op;
  }
  // op(below(x)) -> below(op(x))
  LogicalOpPtr mid = std::move(op->children[0]);
  LogicalOpPtr x = std::move(mid->children[0]);
  op->columns = x->columns;
  op->person_columns = x->person_columns;
  op->persons_column = x->persons_column;
  op->children[0] = std::move(x);
  mid->children[0] = SinkSortLimit(std::move(op));
  return mid;
}

LogicalOpPtr PushLimits(LogicalOpPtr op) {
  for (auto& child : op->children) child = PushLimits(std::move(child));
  if (op->kind != OpKind::kLimit || op->limit < 0) return op;
  const LogicalOp* sort = op->children[0]->kind == OpKind::kSort ? op->children[0].get() : nullptr;
  LogicalOpPtr& slot = sort ? op->children[0]->children[0] : op->children[0];
  slot = DistributeProject(std::move(slot));  // a projection over the UNION goes into its branches
  LogicalOp* below = slot.get();
  if (below->kind != OpKind::kUnion) return op;
  for (auto& branch : below->children) {
    if (branch->kind == OpKind::kLimit) continue;
    LogicalOpPtr input = std::move(branch);
    if (sort) {
      auto s = std::make_unique<LogicalOp>(OpKind::kSort);
      s->columns = input->columns;
      s->person_columns = input->person_columns;
      s->persons_column = input->persons_column;
      for (const auto& k : sort->sort_keys)
        s->sort_keys.push_back({k.expr->Clone(), k.descending, k.nulls_first});
      s->children.push_back(std::move(input));
      input = std::move(s);
    }
    auto l = std::make_unique<LogicalOp>(OpKind::kLimit);
    l->columns = input->columns;
    l->person_columns = input->person_columns;
    l->persons_column = input->persons_column;
    l->limit = op->limit + op->offset;
    l->children.push_back(std::move(input));
    branch = std::move(l);
  }
  return op;
}

}  // namespace

LogicalOpPtr LimitPushdown(LogicalOpPtr plan) {
  return PushLimits(SinkSortLimit(std::move(plan)));
}

}  // namespace fedgate::planner::optimizer
