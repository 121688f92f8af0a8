// Expression pushdown: an aggregate over a join whose group keys or aggregate arguments are
// expressions of one join input (an age band from a date of birth, say) gets them computed
// by a projection on that input, below the join: a source then evaluates them as part of its
// fragment, and the gateway only moves the result. Only the inputs whose rows are not
// NULL-extended by the join take expressions (an expression over a NULL-extended row need not
// be NULL, e.g. coalesce).

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "planner/optimizer/passes.h"
#include "planner/optimizer/rewrite_util.h"

namespace fedgate::planner::optimizer {

LogicalOpPtr ExpressionPushdown(LogicalOpPtr op) {
  for (auto& child : op->children) child = ExpressionPushdown(std::move(child));
  if (op->kind != OpKind::kAggregate || op->children[0]->kind != OpKind::kJoin) return op;
  LogicalOp& join = *op->children[0];
  const JoinKind kind = join.join;
  if (kind == JoinKind::kSemi || kind == JoinKind::kAnti || kind == JoinKind::kFull) return op;
  const int lw = static_cast<int>(join.children[0]->columns.size());
  const int rw = static_cast<int>(join.children[1]->columns.size());
  const bool left_ok = kind != JoinKind::kRight, right_ok = kind != JoinKind::kLeft;

  // The expressions to move: 0 = stays, 1 = left input, 2 = right input.
  std::vector<BoundExprPtr*> slots;
  for (auto& g : op->groups) slots.push_back(&g);
  for (auto& a : op->aggregates) {
    if (a.arg) slots.push_back(&a.arg);
  }
  std::vector<int> side(slots.size(), 0);
  bool any = false;
  for (size_t i = 0; i < slots.size(); ++i) {
    const BoundExpr& e = **slots[i];
    if (e.kind != BoundKind::kCall) continue;
    auto cols = ColumnsOf(e);
    if (cols.empty()) continue;
    bool all_left = std::all_of(cols.begin(), cols.end(), [&](int c) { return c < lw; });
    bool all_right = std::all_of(cols.begin(), cols.end(), [&](int c) { return c >= lw; });
    if (all_left && left_ok) side[i] = 1;
    if (all_right && right_ok) side[i] = 2;
    any |= side[i] != 0;
  }
  if (!any) return op;

  // Each input with expressions becomes a projection: its columns, then the expressions.
  std::vector<int> new_index[3];
  for (int s = 1; s <= 2; ++s) {
    LogicalOpPtr& input = join.children[s - 1];
    const int width = static_cast<int>(input->columns.size());
    const int base = s == 1 ? 0 : lw;
    std::vector<BoundExprPtr> exprs;
    std::vector<OutputColumn> columns = input->columns;
    for (int c = 0; c < width; ++c)
      exprs.push_back(BoundExpr::Column(c, input->columns[c].type, input->columns[c].name));
    new_index[s].assign(slots.size(), -1);
    for (size_t i = 0; i < slots.size(); ++i) {
      if (side[i] != s) continue;
      BoundExprPtr e = (*slots[i])->Clone();
      if (s == 2) e = Shift(std::move(e), -base);
      new_index[s][i] = static_cast<int>(exprs.size());
      columns.push_back({"__expr" + std::to_string(i + 1), e->type, true, false});
      exprs.push_back(std::move(e));
    }
    if (static_cast<int>(exprs.size()) == width) continue;
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    p->columns = std::move(columns);
    p->person_columns = input->person_columns;
    p->persons_column = input->persons_column;
    p->exprs = std::move(exprs);
    p->children.push_back(std::move(input));
    input = std::move(p);
  }
  const int new_lw = static_cast<int>(join.children[0]->columns.size());
  // Old join output index -> new.
  std::vector<int> map(static_cast<size_t>(lw + rw));
  for (int c = 0; c < lw + rw; ++c) map[c] = c < lw ? c : c - lw + new_lw;
  if (join.predicate) RemapColumns(*join.predicate, map);
  if (join.residual) RemapColumns(*join.residual, map);
  join.columns = join.children[0]->columns;
  join.columns.insert(join.columns.end(), join.children[1]->columns.begin(),
                      join.children[1]->columns.end());
  RemapLineage(join, map);
  for (size_t i = 0; i < slots.size(); ++i) {
    BoundExprPtr& e = *slots[i];
    if (side[i] == 0) {
      RemapColumns(*e, map);
    } else {
      int index = side[i] == 1 ? new_index[1][i] : new_lw + new_index[2][i];
      e = BoundExpr::Column(index, e->type, e->ToString());
    }
  }
  for (auto& e : op->person_inputs) RemapColumns(*e, map);
  if (op->persons_input >= 0) op->persons_input = map[op->persons_input];
  return op;
}

}  // namespace fedgate::planner::optimizer
