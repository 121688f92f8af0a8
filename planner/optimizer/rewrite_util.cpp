#include "planner/optimizer/rewrite_util.h"

#include <functional>
#include <memory>

namespace fedgate::planner::optimizer {

std::set<int> ColumnsOf(const BoundExpr& e) {
  std::set<int> out;
  VisitColumns(e, [&](const BoundExpr& c) { out.insert(c.column); });
  return out;
}

BoundExprPtr Substitute(const BoundExpr& e, const std::vector<BoundExprPtr>& exprs) {
  if (e.IsColumn()) return exprs.at(static_cast<size_t>(e.column))->Clone();
  auto out = e.Clone();
  for (size_t i = 0; i < e.args.size(); ++i) out->args[i] = Substitute(*e.args[i], exprs);
  return out;
}

BoundExprPtr Shift(BoundExprPtr e, int delta) {
  std::function<void(BoundExpr&)> fix = [&](BoundExpr& x) {
    if (x.IsColumn()) x.column += delta;
    for (auto& a : x.args) fix(*a);
  };
  fix(*e);
  return e;
}

LogicalOpPtr DistributeProject(LogicalOpPtr op) {
  if (op->kind != OpKind::kProject) return op;
  op->children[0] = DistributeProject(std::move(op->children[0]));
  if (op->children[0]->kind != OpKind::kUnion) return op;
  LogicalOpPtr u = std::move(op->children[0]);
  auto out = std::make_unique<LogicalOp>(OpKind::kUnion);
  out->columns = op->columns;
  out->person_columns = op->person_columns;
  out->persons_column = op->persons_column;
  for (auto& child : u->children) {
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    p->columns = op->columns;
    p->person_columns = op->person_columns;
    p->persons_column = op->persons_column;
    for (const auto& e : op->exprs) p->exprs.push_back(e->Clone());
    p->children.push_back(std::move(child));
    out->children.push_back(std::move(p));
  }
  return out;
}

std::set<std::string> Sources(const LogicalOp& op) {
  std::set<std::string> out;
  VisitPlan(op, [&](const LogicalOp& n) {
    if (n.kind == OpKind::kGet) out.insert(n.table->source);
  });
  return out;
}

void RemapLineage(LogicalOp& op, const std::vector<int>& map) {
  std::vector<int> persons;
  for (int c : op.person_columns) {
    if (map[c] >= 0) persons.push_back(map[c]);
  }
  op.person_columns = std::move(persons);
  if (op.persons_column >= 0) op.persons_column = map[op.persons_column];
}

}  // namespace fedgate::planner::optimizer
