// UNION [ALL]: both branches typed alike and given one layout (visible columns, then one
// hidden lineage column), then DISTINCT unless ALL. INTERSECT and EXCEPT are refused.
#include <algorithm>

#include "common/error.h"
#include "planner/binder/binder.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

LogicalOpPtr Binder::BindSetOp(const sql::SelectStmt& s, const Scope* outer) {
  if (s.set_op != sql::SetOp::kUnion) {
    Fail(ErrorCode::kInvalidArgument, "INTERSECT and EXCEPT are not supported", s.location);
  }
  auto left = BindSelect(*s.left, outer);
  auto right = BindSelect(*s.right, outer);
  const size_t n = left->VisibleCount();
  if (right->VisibleCount() != n) {
    Fail(ErrorCode::kInvalidArgument, "each UNION query must have the same number of columns",
         s.location);
  }
  const bool row_level = !left->person_columns.empty();
  if (row_level != !right->person_columns.empty() ||
      (!row_level && (left->persons_column >= 0) != (right->persons_column >= 0))) {
    Fail(ErrorCode::kInvalidArgument,
         "UNION of person-level rows with aggregated rows is not supported", s.location);
  }
  // Unify types, and give both branches the same layout: visible columns, then one hidden
  // lineage column (a person key, or a persons count).
  std::vector<DataType> types;
  for (size_t i = 0; i < n; ++i) {
    std::vector<BoundExprPtr> pair;
    pair.push_back(BoundExpr::Column(0, left->columns[i].type, ""));
    pair.push_back(BoundExpr::Column(1, right->columns[i].type, ""));
    DataType t;
    try {
      t = ResolveCallType("coalesce", pair);
    } catch (const Error&) {
      Fail(ErrorCode::kInvalidArgument,
           "UNION types " + left->columns[i].type.ToString() + " and " +
               right->columns[i].type.ToString() + " cannot be matched",
           s.location);
    }
    types.push_back(t.id == TypeId::kNull ? DataType::Text() : t);
  }
  std::vector<int> shared_persons;
  for (size_t i = 0; i < n; ++i) {
    auto has = [i](const LogicalOp& op) {
      return std::count(op.person_columns.begin(), op.person_columns.end(), static_cast<int>(i)) >
             0;
    };
    if (has(*left) && has(*right)) shared_persons.push_back(static_cast<int>(i));
  }
  std::vector<OutputColumn> out_columns;
  for (size_t i = 0; i < n; ++i) {
    out_columns.push_back({left->columns[i].name, types[i], false,
                           left->columns[i].group_key && right->columns[i].group_key});
  }
  auto normalise = [&](LogicalOpPtr branch) {
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    for (size_t i = 0; i < n; ++i) {
      auto col =
          BoundExpr::Column(static_cast<int>(i), branch->columns[i].type, branch->columns[i].name);
      p->exprs.push_back(CastTo(std::move(col), types[i]));
      p->columns.push_back(out_columns[i]);
    }
    if (shared_persons.empty() && !branch->person_columns.empty()) {
      int c = branch->person_columns.front();
      p->exprs.push_back(BoundExpr::Column(c, DataType::Pseudonym(), "__person"));
      p->columns.push_back({"__person", DataType::Pseudonym(), true});
      p->person_columns = {static_cast<int>(n)};
    } else if (!branch->person_columns.empty()) {
      p->person_columns = shared_persons;
    } else if (branch->persons_column >= 0) {
      p->exprs.push_back(BoundExpr::Column(branch->persons_column, DataType::Int64(), "__persons"));
      p->columns.push_back({"__persons", DataType::Int64(), true});
      p->persons_column = static_cast<int>(n);
    }
    p->children.push_back(std::move(branch));
    return p;
  };
  auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
  u->children.push_back(normalise(std::move(left)));
  u->children.push_back(normalise(std::move(right)));
  u->columns = u->children[0]->columns;
  if (row_level) {
    u->person_columns =
        shared_persons.empty() ? std::vector<int>{static_cast<int>(n)} : shared_persons;
  } else if (u->columns.size() > n) {
    u->persons_column = static_cast<int>(n);
  }
  LogicalOpPtr op = std::move(u);
  if (!s.set_all) {
    std::vector<BoundExprPtr> groups;
    for (size_t i = 0; i < n; ++i)
      groups.push_back(
          BoundExpr::Column(static_cast<int>(i), op->columns[i].type, op->columns[i].name));
    op = MakeAggregate(std::move(op), std::move(groups), {});
  }
  return ApplyOrderLimit(std::move(op), s);
}

}  // namespace fedgate::planner
