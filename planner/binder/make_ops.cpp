// Plan nodes that carry the person lineage of their input (person key columns, or a hidden
// distinct-persons count) through projection, filtering and aggregation.
#include <algorithm>

#include "planner/binder/binder.h"

namespace fedgate::planner {

LogicalOpPtr MakeFilter(LogicalOpPtr child, BoundExprPtr predicate) {
  auto f = std::make_unique<LogicalOp>(OpKind::kFilter);
  f->columns = child->columns;
  f->person_columns = child->person_columns;
  f->persons_column = child->persons_column;
  f->predicate = std::move(predicate);
  f->children.push_back(std::move(child));
  return f;
}

LogicalOpPtr MakeAggregate(LogicalOpPtr child, std::vector<BoundExprPtr> groups,
                           std::vector<AggregateCall> aggregates) {
  auto agg = std::make_unique<LogicalOp>(OpKind::kAggregate);
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& e = *groups[g];
    std::string name = e.IsColumn() ? child->columns[e.column].name : e.ToString();
    agg->columns.push_back({name, e.type, false, true});
    if (e.IsColumn() &&
        std::count(child->person_columns.begin(), child->person_columns.end(), e.column)) {
      agg->per_person = true;
      agg->person_columns.push_back(static_cast<int>(g));
    }
  }
  for (const auto& a : aggregates)
    agg->columns.push_back({a.fn == "count_star" ? "count" : a.fn, a.type, false});
  if (!agg->per_person) {
    if (!child->person_columns.empty()) {
      for (int c : child->person_columns) {
        agg->person_inputs.push_back(
            BoundExpr::Column(c, DataType::Pseudonym(), child->columns[c].name));
      }
    } else if (child->persons_column >= 0) {
      agg->persons_input = child->persons_column;
    }
    if (!agg->person_inputs.empty() || agg->persons_input >= 0) {
      agg->persons_column = static_cast<int>(agg->columns.size());
      agg->columns.push_back({"__persons", DataType::Int64(), true});
    }
  }
  agg->groups = std::move(groups);
  agg->aggregates = std::move(aggregates);
  agg->children.push_back(std::move(child));
  return agg;
}

LogicalOpPtr MakeProject(LogicalOpPtr child, std::vector<BoundExprPtr> exprs,
                         std::vector<std::string> names) {
  auto p = std::make_unique<LogicalOp>(OpKind::kProject);
  for (size_t i = 0; i < exprs.size(); ++i) {
    const bool key = exprs[i]->IsColumn() &&
                     exprs[i]->column < static_cast<int>(child->columns.size()) &&
                     child->columns[exprs[i]->column].group_key;
    p->columns.push_back({names[i], exprs[i]->type, false, key});
    if (exprs[i]->IsColumn() &&
        std::count(child->person_columns.begin(), child->person_columns.end(), exprs[i]->column)) {
      p->person_columns.push_back(static_cast<int>(i));
    }
  }
  if (!child->person_columns.empty() && p->person_columns.empty()) {
    int c = child->person_columns.front();
    p->person_columns.push_back(static_cast<int>(exprs.size()));
    exprs.push_back(BoundExpr::Column(c, DataType::Pseudonym(), child->columns[c].name));
    p->columns.push_back({"__person", DataType::Pseudonym(), true});
  }
  if (child->persons_column >= 0) {
    p->persons_column = static_cast<int>(exprs.size());
    exprs.push_back(BoundExpr::Column(child->persons_column, DataType::Int64(), "__persons"));
    p->columns.push_back({"__persons", DataType::Int64(), true});
  }
  p->exprs = std::move(exprs);
  p->children.push_back(std::move(child));
  return p;
}

}  // namespace fedgate::planner
