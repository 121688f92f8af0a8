// Filter pushdown: conjuncts travel down until an operator stops them; what stops them
// becomes a filter right above it.

#include <algorithm>
#include <vector>

#include "planner/binder/binder.h"
#include "planner/optimizer/passes.h"
#include "planner/optimizer/rewrite_util.h"

namespace fedgate::planner::optimizer {

namespace {

LogicalOpPtr WithFilters(LogicalOpPtr op, std::vector<BoundExprPtr> preds) {
  if (preds.empty()) return op;
  return MakeFilter(std::move(op), JoinConjuncts(std::move(preds)));
}

LogicalOpPtr PushFilters(LogicalOpPtr op, std::vector<BoundExprPtr> preds) {
  switch (op->kind) {
    case OpKind::kFilter: {
      for (auto& c : SplitConjuncts(std::move(op->predicate))) preds.push_back(std::move(c));
      return PushFilters(std::move(op->children[0]), std::move(preds));
    }
    case OpKind::kProject: {
      std::vector<BoundExprPtr> below;
      for (auto& p : preds) below.push_back(Substitute(*p, op->exprs));
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(below));
      return op;
    }
    case OpKind::kSort: {
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(preds));
      return op;
    }
    case OpKind::kUnion: {
      for (auto& child : op->children) {
        std::vector<BoundExprPtr> copy;
        for (const auto& p : preds) copy.push_back(p->Clone());
        child = PushFilters(std::move(child), std::move(copy));
      }
      return op;
    }
    case OpKind::kProtect: {
      // Group keys pass through disclosure control unchanged; the rest stays above it, so
      // it sees protected values.
      std::vector<BoundExprPtr> below, above;
      for (auto& p : preds) {
        auto cols = ColumnsOf(*p);
        bool keys_only = !cols.empty() && std::all_of(cols.begin(), cols.end(), [&](int c) {
          return c < op->protect_groups;
        });
        (keys_only ? below : above).push_back(std::move(p));
      }
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(below));
      return WithFilters(std::move(op), std::move(above));
    }
    case OpKind::kAggregate: {
      // Conjuncts on group keys only can filter the input instead (not for a global
      // aggregate: it returns one row even when its input is empty).
      std::vector<BoundExprPtr> below, above;
      const int ngroups = static_cast<int>(op->groups.size());
      for (auto& p : preds) {
        auto cols = ColumnsOf(*p);
        bool keys_only = ngroups > 0 &&
                         std::all_of(cols.begin(), cols.end(), [&](int c) { return c < ngroups; });
        if (keys_only) {
          below.push_back(Substitute(*p, op->groups));
        } else {
          above.push_back(std::move(p));
        }
      }
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(below));
      return WithFilters(std::move(op), std::move(above));
    }
    case OpKind::kJoin: {
      const int lw = static_cast<int>(op->children[0]->columns.size());
      const JoinKind kind = op->join;
      std::vector<BoundExprPtr> left, right, above, on;
      auto side = [&](const BoundExpr& e) {
        auto cols = ColumnsOf(e);
        bool l = std::any_of(cols.begin(), cols.end(), [&](int c) { return c < lw; });
        bool r = std::any_of(cols.begin(), cols.end(), [&](int c) { return c >= lw; });
        return l && r ? 3 : r ? 2 : l ? 1 : 0;
      };
      // Conjuncts from above, over the join's output.
      for (auto& p : preds) {
        int s = side(*p);
        bool semi = kind == JoinKind::kSemi || kind == JoinKind::kAnti;
        if (semi || ((s == 1 || s == 0) && (kind == JoinKind::kInner || kind == JoinKind::kCross ||
                                            kind == JoinKind::kLeft))) {
          left.push_back(std::move(p));
        } else if (s == 2 && (kind == JoinKind::kInner || kind == JoinKind::kCross ||
                              kind == JoinKind::kRight)) {
          right.push_back(Shift(std::move(p), -lw));
        } else if (s == 3 && (kind == JoinKind::kInner || kind == JoinKind::kCross)) {
          on.push_back(std::move(p));
        } else {
          above.push_back(std::move(p));
        }
      }
      // Conjuncts of the ON condition.
      if (op->predicate && !op->null_aware) {
        for (auto& c : SplitConjuncts(std::move(op->predicate))) {
          int s = side(*c);
          bool inner = kind == JoinKind::kInner || kind == JoinKind::kCross;
          if (s == 1 && (inner || kind == JoinKind::kRight || kind == JoinKind::kSemi)) {
            left.push_back(std::move(c));
          } else if (s == 2 && (inner || kind == JoinKind::kLeft || kind == JoinKind::kSemi ||
                                kind == JoinKind::kAnti)) {
            right.push_back(Shift(std::move(c), -lw));
          } else {
            on.push_back(std::move(c));
          }
        }
      }
      if (!op->null_aware) op->predicate = JoinConjuncts(std::move(on));
      if (op->join == JoinKind::kCross && op->predicate) op->join = JoinKind::kInner;
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(left));
      op->children[1] = PushFilters(std::move(op->children[1]), std::move(right));
      return WithFilters(std::move(op), std::move(above));
    }
    default: {
      for (auto& child : op->children) child = PushFilters(std::move(child), {});
      return WithFilters(std::move(op), std::move(preds));
    }
  }
}

}  // namespace

LogicalOpPtr FilterPushdown(LogicalOpPtr plan) {
  return PushFilters(std::move(plan), {});
}

}  // namespace fedgate::planner::optimizer
