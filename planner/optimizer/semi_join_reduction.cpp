// Semi-join reduction: a cohort filter (a semi-join on a person key) applied below a
// per-person aggregate, and to both inputs of a join on that key, so rows of people outside
// the cohort are dropped as they arrive instead of after being joined or aggregated.

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "planner/optimizer/passes.h"
#include "planner/optimizer/rewrite_util.h"

namespace fedgate::planner::optimizer {

namespace {

// The left column of a semi-join whose condition is exactly `left_person = right_column`
// (a cohort filter), or -1.
int CohortKey(const LogicalOp& join) {
  if (join.kind != OpKind::kJoin || join.join != JoinKind::kSemi || !join.predicate) return -1;
  const BoundExpr& p = *join.predicate;
  if (p.name != "=" || p.args.size() != 2 || !p.args[0]->IsColumn() || !p.args[1]->IsColumn())
    return -1;
  const int lw = static_cast<int>(join.children[0]->columns.size());
  int l = p.args[0]->column, r = p.args[1]->column;
  if (l >= lw) std::swap(l, r);
  if (l >= lw || r < lw) return -1;
  const auto& pc = join.children[0]->person_columns;
  return std::count(pc.begin(), pc.end(), l) ? l : -1;
}

// The cohort of a semi-join: its right input and which of its columns holds the key.
struct Cohort {
  const LogicalOp* subtree;
  int column;
};

Cohort CohortOf(const LogicalOp& semi) {
  const int lw = static_cast<int>(semi.children[0]->columns.size());
  const BoundExpr& p = *semi.predicate;
  int r = p.args[0]->column >= lw ? p.args[0]->column : p.args[1]->column;
  return {semi.children[1].get(), r - lw};
}

LogicalOpPtr MakeSemi(LogicalOpPtr input, int key, const Cohort& cohort) {
  const int lw = static_cast<int>(input->columns.size());
  auto join = std::make_unique<LogicalOp>(OpKind::kJoin);
  join->join = JoinKind::kSemi;
  join->columns = input->columns;
  join->person_columns = input->person_columns;
  join->persons_column = input->persons_column;
  std::vector<BoundExprPtr> eq;
  eq.push_back(BoundExpr::Column(key, DataType::Pseudonym(), input->columns[key].name));
  eq.push_back(BoundExpr::Column(lw + cohort.column, DataType::Pseudonym(), "cohort"));
  join->predicate = BoundExpr::Call("=", DataType::Bool(), std::move(eq));
  join->children.push_back(std::move(input));
  join->children.push_back(CloneSubtree(*cohort.subtree));
  return join;
}

// Pushes the cohort semi-join `semi` (whose input is its child 0) one level down when the
// input is a per-person aggregate or a join on the cohort key, and that input spans several
// sources (a single-source input is better left whole, to be pushed to its source).
LogicalOpPtr ReduceSemi(LogicalOpPtr semi) {
  int key = CohortKey(*semi);
  if (key < 0) return semi;
  LogicalOp& input = *semi->children[0];
  if (Sources(input).size() < 2) return semi;
  const Cohort cohort = CohortOf(*semi);  // stays valid: `semi` (and its right input) lives on
  if (input.kind == OpKind::kAggregate && input.per_person &&
      key < static_cast<int>(input.groups.size()) && input.groups[key]->IsColumn()) {
    LogicalOpPtr agg = std::move(semi->children[0]);
    int below = agg->groups[key]->column;
    agg->children[0] = ReduceSemi(MakeSemi(std::move(agg->children[0]), below, cohort));
    return agg;
  }
  if (input.kind == OpKind::kJoin && input.join == JoinKind::kInner && input.predicate &&
      input.predicate->name == "=" && input.predicate->args.size() == 2 &&
      input.predicate->args[0]->IsColumn() && input.predicate->args[1]->IsColumn()) {
    const int lw = static_cast<int>(input.children[0]->columns.size());
    int a = input.predicate->args[0]->column, b = input.predicate->args[1]->column;
    if (a >= lw) std::swap(a, b);
    const auto& lp = input.children[0]->person_columns;
    const auto& rp = input.children[1]->person_columns;
    if (a < lw && b >= lw && (key == a || key == b) && std::count(lp.begin(), lp.end(), a) &&
        std::count(rp.begin(), rp.end(), b - lw)) {
      LogicalOpPtr join = std::move(semi->children[0]);
      join->children[0] = ReduceSemi(MakeSemi(std::move(join->children[0]), a, cohort));
      join->children[1] = ReduceSemi(MakeSemi(std::move(join->children[1]), b - lw, cohort));
      return join;
    }
  }
  return semi;
}

}  // namespace

LogicalOpPtr SemiJoinReduction(LogicalOpPtr op) {
  for (auto& child : op->children) child = SemiJoinReduction(std::move(child));
  return ReduceSemi(std::move(op));
}

}  // namespace fedgate::planner::optimizer
