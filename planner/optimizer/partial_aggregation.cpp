// Per-person partial aggregation: an aggregate grouped by a person key over a UNION ALL
// becomes the same aggregate in every branch (each then one source's job: events become
// one row per person before they leave the source) and a final aggregate over the partial
// results.

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "planner/binder/binder.h"
#include "planner/optimizer/passes.h"
#include "planner/optimizer/rewrite_util.h"

namespace fedgate::planner::optimizer {

namespace {

bool Decomposable(const AggregateCall& a) {
  if (a.fn == "min" || a.fn == "max") return true;
  return !a.distinct && (a.fn == "count_star" || a.fn == "count" || a.fn == "sum");
}

// A UNION ALL whose branches are themselves UNION ALLs (the binder nests `a UNION ALL b
// UNION ALL c` as ((a, b), c)), possibly under projections, becomes one flat UNION ALL.
// REQUIRES: op is a kUnion.
void FlattenUnion(LogicalOp& op) {
  std::vector<LogicalOpPtr> flat;
  for (auto& child : op.children) {
    LogicalOpPtr c = DistributeProject(std::move(child));
    if (c->kind == OpKind::kUnion) {
      FlattenUnion(*c);
      for (auto& grandchild : c->children) flat.push_back(std::move(grandchild));
    } else {
      flat.push_back(std::move(c));
    }
  }
  op.children = std::move(flat);
}

// Regroups a flat UNION ALL's branches so that branches of one source sit together under a
// UNION ALL of their own (which the splitter then sends as one query).
void GroupBranchesBySource(LogicalOp& u) {
  std::map<std::string, std::vector<LogicalOpPtr>> by_source;
  std::vector<LogicalOpPtr> mixed;
  std::vector<std::string> order;
  for (auto& branch : u.children) {
    auto sources = Sources(*branch);
    if (sources.size() != 1) {
      mixed.push_back(std::move(branch));
      continue;
    }
    const std::string& s = *sources.begin();
    if (!by_source.count(s)) order.push_back(s);
    by_source[s].push_back(std::move(branch));
  }
  std::vector<LogicalOpPtr> out;
  for (const auto& s : order) {
    auto& group = by_source[s];
    if (group.size() == 1) {
      out.push_back(std::move(group[0]));
      continue;
    }
    auto sub = std::make_unique<LogicalOp>(OpKind::kUnion);
    sub->columns = u.columns;
    sub->person_columns = u.person_columns;
    sub->persons_column = u.persons_column;
    sub->children = std::move(group);
    out.push_back(std::move(sub));
  }
  for (auto& m : mixed) out.push_back(std::move(m));
  u.children = std::move(out);
}

}  // namespace

LogicalOpPtr PerPersonAggregation(LogicalOpPtr op) {
  for (auto& child : op->children) child = PerPersonAggregation(std::move(child));
  if (op->kind != OpKind::kAggregate || !op->per_person || op->raw_person_keys ||
      op->combines_partials)
    return op;
  if (!std::all_of(op->aggregates.begin(), op->aggregates.end(), Decomposable)) return op;
  op->children[0] = DistributeProject(std::move(op->children[0]));
  if (op->children[0]->kind != OpKind::kUnion) {
    // One input: still split, so the source groups by its raw identifier.
    auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
    u->columns = op->children[0]->columns;
    u->person_columns = op->children[0]->person_columns;
    u->persons_column = op->children[0]->persons_column;
    u->children.push_back(std::move(op->children[0]));
    op->children[0] = std::move(u);
  }
  LogicalOp& u = *op->children[0];
  FlattenUnion(u);
  GroupBranchesBySource(u);
  // Every branch must carry person lineage in the same columns, so each partial aggregate
  // is per person too.
  for (const auto& branch : u.children) {
    if (branch->person_columns != u.person_columns) return op;
  }
  const size_t ng = op->groups.size();
  auto partials = std::make_unique<LogicalOp>(OpKind::kUnion);
  for (auto& branch : u.children) {
    std::vector<BoundExprPtr> groups;
    for (const auto& g : op->groups) groups.push_back(g->Clone());
    std::vector<AggregateCall> aggs;
    for (const auto& a : op->aggregates) aggs.push_back(a.Clone());
    auto partial = MakeAggregate(std::move(branch), std::move(groups), std::move(aggs));
    if (!partial->per_person)
      throw Error(ErrorCode::kInternal, "partial aggregate lost its person key");
    partial->raw_person_keys = true;
    partials->children.push_back(std::move(partial));
  }
  partials->columns = partials->children[0]->columns;
  partials->person_columns = partials->children[0]->person_columns;
  std::vector<BoundExprPtr> groups;
  for (size_t g = 0; g < ng; ++g) {
    groups.push_back(
        BoundExpr::Column(static_cast<int>(g), op->groups[g]->type, partials->columns[g].name));
  }
  std::vector<AggregateCall> finals;
  for (size_t a = 0; a < op->aggregates.size(); ++a) {
    const AggregateCall& orig = op->aggregates[a];
    AggregateCall f;
    f.fn = orig.fn == "count" || orig.fn == "count_star" ? "sum" : orig.fn;
    f.type = orig.type;
    f.arg = BoundExpr::Column(static_cast<int>(ng + a), orig.type, partials->columns[ng + a].name);
    finals.push_back(std::move(f));
  }
  LogicalOpPtr input = std::move(partials);
  if (input->children.size() == 1) input = std::move(input->children[0]);
  auto final_agg = MakeAggregate(std::move(input), std::move(groups), std::move(finals));
  final_agg->columns = op->columns;
  final_agg->combines_partials = true;
  return final_agg;
}

}  // namespace fedgate::planner::optimizer
