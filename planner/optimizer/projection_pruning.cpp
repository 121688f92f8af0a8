// Projection pruning. Prune(op, needed) drops the output columns of `op` that nobody needs
// (where the operator allows) and returns, per old output column, its new index (-1 when
// dropped).

#include <algorithm>
#include <memory>
#include <vector>

#include "planner/optimizer/passes.h"
#include "planner/optimizer/rewrite_util.h"

namespace fedgate::planner::optimizer {

namespace {

std::vector<OutputColumn> Kept(const std::vector<OutputColumn>& columns,
                               const std::vector<int>& map) {
  std::vector<OutputColumn> out(
      std::count_if(map.begin(), map.end(), [](int m) { return m >= 0; }));
  for (size_t i = 0; i < map.size(); ++i) {
    if (map[i] >= 0) out[map[i]] = columns[i];
  }
  return out;
}

void Need(std::vector<bool>& needed, const BoundExpr* e) {
  if (!e) return;
  VisitColumns(*e, [&](const BoundExpr& c) { needed.at(c.column) = true; });
}

std::vector<int> Prune(LogicalOp& op, std::vector<bool> needed);

// A projection selecting `indices` of `child`, with its lineage.
LogicalOpPtr Select(LogicalOpPtr child, const std::vector<int>& indices) {
  auto p = std::make_unique<LogicalOp>(OpKind::kProject);
  std::vector<int> map(child->columns.size(), -1);
  for (size_t i = 0; i < indices.size(); ++i) {
    p->exprs.push_back(BoundExpr::Column(indices[i], child->columns[indices[i]].type,
                                         child->columns[indices[i]].name));
    p->columns.push_back(child->columns[indices[i]]);
    map[indices[i]] = static_cast<int>(i);
  }
  p->person_columns = child->person_columns;
  p->persons_column = child->persons_column;
  RemapLineage(*p, map);
  p->children.push_back(std::move(child));
  return p;
}

std::vector<int> Identity(size_t n) {
  std::vector<int> map(n);
  for (size_t i = 0; i < n; ++i) map[i] = static_cast<int>(i);
  return map;
}

std::vector<int> Prune(LogicalOp& op, std::vector<bool> needed) {
  const size_t width = op.columns.size();
  needed.resize(width, false);
  switch (op.kind) {
    case OpKind::kGet: {
      if (std::none_of(needed.begin(), needed.end(), [](bool b) { return b; })) {
        needed[op.person_columns.empty() ? 0 : op.person_columns[0]] = true;
      }
      std::vector<int> map(width, -1);
      std::vector<int> table_columns;
      for (size_t i = 0; i < width; ++i) {
        if (!needed[i]) continue;
        map[i] = static_cast<int>(table_columns.size());
        table_columns.push_back(op.table_columns[i]);
      }
      op.columns = Kept(op.columns, map);
      op.table_columns = std::move(table_columns);
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kFilter: {
      Need(needed, op.predicate.get());
      auto map = Prune(*op.children[0], needed);
      RemapColumns(*op.predicate, map);
      op.columns = op.children[0]->columns;
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kSort: {
      for (const auto& k : op.sort_keys) Need(needed, k.expr.get());
      auto map = Prune(*op.children[0], needed);
      for (auto& k : op.sort_keys) RemapColumns(*k.expr, map);
      op.columns = op.children[0]->columns;
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kLimit: {
      auto map = Prune(*op.children[0], needed);
      op.columns = op.children[0]->columns;
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kProject: {
      if (std::none_of(needed.begin(), needed.end(), [](bool b) { return b; })) needed[0] = true;
      std::vector<int> map(width, -1);
      std::vector<BoundExprPtr> exprs;
      std::vector<bool> child_needed(op.children[0]->columns.size(), false);
      for (size_t i = 0; i < width; ++i) {
        if (!needed[i]) continue;
        map[i] = static_cast<int>(exprs.size());
        Need(child_needed, op.exprs[i].get());
        exprs.push_back(std::move(op.exprs[i]));
      }
      auto child_map = Prune(*op.children[0], child_needed);
      for (auto& e : exprs) RemapColumns(*e, child_map);
      op.exprs = std::move(exprs);
      op.columns = Kept(op.columns, map);
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kAggregate: {
      std::vector<bool> child_needed(op.children[0]->columns.size(), false);
      for (const auto& g : op.groups) Need(child_needed, g.get());
      for (const auto& a : op.aggregates) Need(child_needed, a.arg.get());
      for (const auto& e : op.person_inputs) Need(child_needed, e.get());
      if (op.persons_input >= 0) child_needed[op.persons_input] = true;
      auto child_map = Prune(*op.children[0], child_needed);
      for (auto& g : op.groups) RemapColumns(*g, child_map);
      for (auto& a : op.aggregates) {
        if (a.arg) RemapColumns(*a.arg, child_map);
      }
      for (auto& e : op.person_inputs) RemapColumns(*e, child_map);
      if (op.persons_input >= 0) op.persons_input = child_map[op.persons_input];
      return Identity(width);
    }
    case OpKind::kJoin: {
      LogicalOp& l = *op.children[0];
      LogicalOp& r = *op.children[1];
      const size_t lw = l.columns.size(), rw = r.columns.size();
      const bool semi = op.join == JoinKind::kSemi || op.join == JoinKind::kAnti;
      std::vector<bool> both(lw + rw, false);
      for (size_t i = 0; i < width; ++i) both[i] = needed[i];
      Need(both, op.predicate.get());
      Need(both, op.residual.get());
      for (const auto& [a, b] : op.equi) {
        Need(both, a.get());
        VisitColumns(*b, [&](const BoundExpr& c) { both.at(lw + c.column) = true; });
      }
      auto lmap = Prune(l, std::vector<bool>(both.begin(), both.begin() + lw));
      auto rmap = Prune(r, std::vector<bool>(both.begin() + lw, both.end()));
      const int new_lw = static_cast<int>(l.columns.size());
      std::vector<int> all = lmap;
      for (int m : rmap) all.push_back(m >= 0 ? m + new_lw : -1);
      if (op.predicate) RemapColumns(*op.predicate, all);
      if (op.residual) RemapColumns(*op.residual, all);
      for (auto& [a, b] : op.equi) {
        RemapColumns(*a, lmap);
        RemapColumns(*b, rmap);
      }
      std::vector<int> map = semi ? lmap : all;
      op.columns = l.columns;
      if (!semi) op.columns.insert(op.columns.end(), r.columns.begin(), r.columns.end());
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kWindow: {
      // The input's columns the output or the window reads; every call is kept.
      LogicalOp& child = *op.children[0];
      const size_t cw = child.columns.size();
      std::vector<bool> child_needed(needed.begin(), needed.begin() + cw);
      for (const auto& p : op.window_partition) Need(child_needed, p.get());
      for (const auto& k : op.sort_keys) Need(child_needed, k.expr.get());
      for (const auto& w : op.windows) {
        for (const auto& a : w.args) Need(child_needed, a.get());
      }
      auto map = Prune(child, child_needed);
      for (auto& p : op.window_partition) RemapColumns(*p, map);
      for (auto& k : op.sort_keys) RemapColumns(*k.expr, map);
      for (auto& w : op.windows) {
        for (auto& a : w.args) RemapColumns(*a, map);
      }
      std::vector<OutputColumn> columns = child.columns;
      for (size_t k = cw; k < width; ++k) {
        map.push_back(static_cast<int>(columns.size()));
        columns.push_back(op.columns[k]);
      }
      op.columns = std::move(columns);
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kUnion: {
      std::vector<int> kept;
      for (size_t i = 0; i < width; ++i) {
        if (needed[i]) kept.push_back(static_cast<int>(i));
      }
      if (kept.empty()) kept.push_back(op.person_columns.empty() ? 0 : op.person_columns[0]);
      for (auto& child : op.children) {
        auto map = Prune(*child, needed);
        std::vector<int> indices;
        for (int k : kept) indices.push_back(map[k]);
        if (indices != Identity(child->columns.size())) child = Select(std::move(child), indices);
      }
      std::vector<int> map(width, -1);
      for (size_t k = 0; k < kept.size(); ++k) map[kept[k]] = static_cast<int>(k);
      op.columns = Kept(op.columns, map);
      RemapLineage(op, map);
      return map;
    }
    default:
      for (auto& child : op.children) Prune(*child, std::vector<bool>(child->columns.size(), true));
      return Identity(width);
  }
}

}  // namespace

LogicalOpPtr ProjectionPruning(LogicalOpPtr plan) {
  Prune(*plan, std::vector<bool>(plan->columns.size(), true));
  return plan;
}

}  // namespace fedgate::planner::optimizer
