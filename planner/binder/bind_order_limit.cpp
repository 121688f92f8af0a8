// ORDER BY (of a simple SELECT: output columns by name or position, or expressions over the
// input projected as hidden columns; of a UNION: output columns only), LIMIT and OFFSET.
#include <algorithm>

#include "common/error.h"
#include "planner/binder/bind_util.h"
#include "planner/binder/binder.h"

namespace fedgate::planner {

void Binder::BindOrderBy(const sql::SelectStmt& s, SelectState& st) {
  for (const auto& o : s.order_by) {
    SelectState::OrderRef ref{-1, nullptr, o.descending, o.nulls_first.value_or(o.descending)};
    const sql::Expr& e = *o.expr;
    if (e.kind == sql::ExprKind::kLiteral && e.literal_kind == sql::LiteralKind::kInteger) {
      const int64_t n = WholeNumber(e.literal).value_or(INT64_MAX);
      if (n < 1 || n > static_cast<int64_t>(st.targets.size())) {
        Fail(ErrorCode::kInvalidArgument,
             "ORDER BY position " + e.literal + " is not in select list", e.location);
      }
      ref.output = static_cast<int>(n - 1);
    } else if (e.kind == sql::ExprKind::kColumnRef && e.names.size() == 1) {
      for (size_t i = 0; i < st.targets.size(); ++i) {
        if (st.targets[i].name == e.names[0]) {
          ref.output = static_cast<int>(i);
          break;
        }
      }
    }
    if (ref.output < 0) {
      st.ctx.clause = "ORDER BY";
      ref.extra = BindExpr(e, st.ctx);
      for (size_t i = 0; i < st.exprs.size(); ++i) {
        if (st.exprs[i]->ToString() == ref.extra->ToString()) {
          ref.output = static_cast<int>(i);
          ref.extra.reset();
          break;
        }
      }
      if (ref.extra && s.distinct) {
        Fail(ErrorCode::kInvalidArgument,
             "for SELECT DISTINCT, ORDER BY expressions must appear in select list", e.location);
      }
    }
    st.order.push_back(std::move(ref));
  }
}

LogicalOpPtr Binder::SortSelect(LogicalOpPtr op, const SelectState& st) {
  if (!st.order.empty()) {
    auto sort = std::make_unique<LogicalOp>(OpKind::kSort);
    for (auto& o : st.order) {
      sort->sort_keys.push_back(
          {BoundExpr::Column(o.output, op->columns[o.output].type, op->columns[o.output].name),
           o.descending, o.nulls_first});
    }
    sort->columns = op->columns;
    sort->person_columns = op->person_columns;
    sort->persons_column = op->persons_column;
    sort->children.push_back(std::move(op));
    op = std::move(sort);
  }
  return op;
}

LogicalOpPtr Binder::ApplyOrderLimit(LogicalOpPtr op, const sql::SelectStmt& s) {
  auto constant = [&](const sql::ExprPtr& written, const char* what) -> int64_t {
    if (!written) return -1;
    const sql::Expr* e = &ParameterValue(*written);
    if (e->kind != sql::ExprKind::kLiteral || e->literal_kind != sql::LiteralKind::kInteger) {
      if (e->kind == sql::ExprKind::kLiteral && e->literal_kind == sql::LiteralKind::kNull)
        return -1;
      Fail(ErrorCode::kInvalidArgument, std::string(what) + " must be a whole number", e->location);
    }
    const auto parsed = WholeNumber(e->literal);
    if (!parsed)
      Fail(ErrorCode::kInvalidArgument, std::string(what) + " is out of range (at most 2^63 - 1)",
           e->location);
    const int64_t v = *parsed;
    if (v < 0)
      Fail(ErrorCode::kInvalidArgument, std::string(what) + " must not be negative", e->location);
    return v;
  };
  if (s.set_op != sql::SetOp::kNone && !s.order_by.empty()) {
    auto sort = std::make_unique<LogicalOp>(OpKind::kSort);
    for (const auto& o : s.order_by) {
      int col = -1;
      const sql::Expr& e = *o.expr;
      if (e.kind == sql::ExprKind::kLiteral && e.literal_kind == sql::LiteralKind::kInteger) {
        col = static_cast<int>(
                  std::min<int64_t>(WholeNumber(e.literal).value_or(INT32_MAX), INT32_MAX)) -
              1;
      } else if (e.kind == sql::ExprKind::kColumnRef && e.names.size() == 1) {
        for (size_t i = 0; i < op->columns.size(); ++i) {
          if (!op->columns[i].hidden && op->columns[i].name == e.names[0])
            col = static_cast<int>(i);
        }
      }
      if (col < 0 || col >= static_cast<int>(op->VisibleCount())) {
        Fail(ErrorCode::kInvalidArgument,
             "ORDER BY on a UNION result must name an output column or position", e.location);
      }
      sort->sort_keys.push_back(
          {BoundExpr::Column(col, op->columns[col].type, op->columns[col].name), o.descending,
           o.nulls_first.value_or(o.descending)});
    }
    sort->columns = op->columns;
    sort->person_columns = op->person_columns;
    sort->persons_column = op->persons_column;
    sort->children.push_back(std::move(op));
    op = std::move(sort);
  }
  int64_t limit = constant(s.limit, "LIMIT"), offset = constant(s.offset, "OFFSET");
  if (limit >= 0 || offset > 0) {
    auto l = std::make_unique<LogicalOp>(OpKind::kLimit);
    l->limit = limit;
    l->offset = std::max<int64_t>(offset, 0);
    l->columns = op->columns;
    l->person_columns = op->person_columns;
    l->persons_column = op->persons_column;
    l->children.push_back(std::move(op));
    op = std::move(l);
  }
  return op;
}

}  // namespace fedgate::planner
