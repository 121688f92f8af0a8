// Window functions: a function with OVER in the select list or ORDER BY is bound as a
// placeholder (BindWindowCall), and PlanWindows puts one kWindow per distinct window
// (PARTITION BY and ORDER BY) between the FROM clause or the aggregation and the projection,
// as PostgreSQL evaluates them: after WHERE, GROUP BY and HAVING, before DISTINCT, ORDER BY
// and LIMIT.
#include <functional>
#include <map>

#include "common/error.h"
#include "planner/binder/bind_util.h"
#include "planner/binder/binder.h"
#include "planner/function/functions.h"
#include "planner/function/window_functions.h"
#include "sql/parser.h"

namespace fedgate::planner {

namespace {

using Bound = WindowFrame::Bound;

Bound BoundOf(sql::FrameBoundKind k) {
  switch (k) {
    case sql::FrameBoundKind::kUnboundedPreceding:
      return Bound::kUnboundedPreceding;
    case sql::FrameBoundKind::kPreceding:
      return Bound::kPreceding;
    case sql::FrameBoundKind::kCurrentRow:
      return Bound::kCurrentRow;
    case sql::FrameBoundKind::kFollowing:
      return Bound::kFollowing;
    case sql::FrameBoundKind::kUnboundedFollowing:
      return Bound::kUnboundedFollowing;
  }
  return Bound::kCurrentRow;
}

}  // namespace

std::string Binder::BoundWindow::Spec() const {
  std::string out = "partition(";
  for (const auto& p : partition) out += p->ToString() + ",";
  out += ")order(";
  for (const auto& k : order)
    out += k.expr->ToString() + (k.descending ? " desc" : "") + (k.nulls_first ? " nf," : ",");
  return out + ")";
}

BoundExprPtr Binder::BindWindowCall(const sql::Expr& e, ExprContext& ctx) {
  if (ctx.windows == nullptr) {
    Fail(ErrorCode::kInvalidArgument,
         std::string("window functions are not allowed in ") + ctx.clause, e.location);
  }
  std::string fn = e.name;
  if (e.agg_star) {
    if (fn != "count") Fail(ErrorCode::kInvalidArgument, fn + "(*) is not valid", e.location);
    fn = "count_star";
  }
  const WindowFunction* f = FindWindowFunction(fn);
  if (f == nullptr) {
    Fail(ErrorCode::kInvalidArgument,
         IsAggregateFunction(fn) ? fn + " is not supported as a window function"
                                 : "function " + fn + "() is not a window function",
         e.location);
  }
  if (e.distinct) {
    Fail(ErrorCode::kInvalidArgument, "DISTINCT is not supported in window functions", e.location);
  }
  if (e.args.size() < f->min_args || e.args.size() > f->max_args) {
    Fail(ErrorCode::kInvalidArgument,
         "window function " + e.name + " takes " +
             (f->min_args == f->max_args
                  ? std::to_string(f->min_args)
                  : std::to_string(f->min_args) + " to " + std::to_string(f->max_args)) +
             (f->max_args == 1 ? " argument" : " arguments"),
         e.location);
  }
  // Arguments and the window are over the same input as the select list (aggregates
  // allowed where the select list allows them); a window inside them is not.
  ExprContext inner{ctx.scope, ctx.aggregates, "window function arguments", nullptr};
  BoundWindow w;
  w.call.fn = fn;
  for (const auto& a : e.args) w.call.args.push_back(BindExpr(*a, inner));
  try {
    w.call.type = f->resolve(fn, w.call.args);
  } catch (const Error& err) {
    Fail(err.code(), err.what(), e.location);
  }
  const sql::WindowSpec& spec = *e.window;
  inner.clause = "a window's PARTITION BY";
  for (const auto& p : spec.partition_by) {
    BoundExprPtr b = BindExpr(*p, inner);
    if (b->untyped_literal) b = CastTo(std::move(b), DataType::Text());
    w.partition.push_back(std::move(b));
  }
  inner.clause = "a window's ORDER BY";
  for (const auto& o : spec.order_by) {
    BoundExprPtr b = BindExpr(*o.expr, inner);
    if (b->untyped_literal) b = CastTo(std::move(b), DataType::Text());
    w.order.push_back({std::move(b), o.descending, o.nulls_first.value_or(o.descending)});
  }
  w.call.frame = BindFrame(spec, w.order, inner);

  // The same call over the same window and frame is one column.
  auto identity = [](const BoundWindow& b) {
    return b.call.ToString() + " " + b.call.frame.ToString() + " " + b.Spec();
  };
  const std::string key = identity(w);
  for (size_t i = 0; i < ctx.windows->size(); ++i) {
    const BoundWindow& other = (*ctx.windows)[i];
    if (identity(other) == key)
      return BoundExpr::Column(kWindowBase + static_cast<int>(i), other.call.type,
                               other.call.ToString());
  }
  DataType type = w.call.type;
  std::string display = w.call.ToString();
  ctx.windows->push_back(std::move(w));
  return BoundExpr::Column(kWindowBase + static_cast<int>(ctx.windows->size() - 1), type, display);
}

WindowFrame Binder::BindFrame(const sql::WindowSpec& spec, const std::vector<SortKey>& order,
                              ExprContext& ctx) {
  WindowFrame frame;
  if (!spec.frame_written) return frame;
  frame.written = true;
  frame.mode = spec.mode == sql::FrameMode::kRows     ? WindowFrame::Mode::kRows
               : spec.mode == sql::FrameMode::kGroups ? WindowFrame::Mode::kGroups
                                                      : WindowFrame::Mode::kRange;
  frame.start = BoundOf(spec.start.kind);
  frame.end = BoundOf(spec.end.kind);
  if (static_cast<int>(frame.start) > static_cast<int>(frame.end)) {
    Fail(ErrorCode::kInvalidArgument,
         "the window frame starts after it ends (" + frame.ToString() + ")", spec.location);
  }
  if (frame.mode == WindowFrame::Mode::kGroups && order.empty()) {
    Fail(ErrorCode::kInvalidArgument, "GROUPS mode requires an ORDER BY clause", spec.location);
  }
  const bool offsets = frame.start == Bound::kPreceding || frame.start == Bound::kFollowing ||
                       frame.end == Bound::kPreceding || frame.end == Bound::kFollowing;
  if (frame.mode == WindowFrame::Mode::kRange && offsets && order.size() != 1) {
    Fail(ErrorCode::kInvalidArgument,
         "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
         spec.location);
  }
  auto bind_offset = [&](const sql::FrameBound& b) -> Value {
    if (b.kind != sql::FrameBoundKind::kPreceding && b.kind != sql::FrameBoundKind::kFollowing)
      return Value::Null();
    ExprContext none{ctx.scope, nullptr, "a window frame's offset", nullptr};
    BoundExprPtr o = BindExpr(*b.offset, none);
    if (o->kind != BoundKind::kConstant || o->value.null)
      Fail(ErrorCode::kInvalidArgument, "a window frame's offset must be a constant",
           b.offset->location);
    const Value& v = o->value;
    if (frame.mode != WindowFrame::Mode::kRange) {
      if (v.type.id != TypeId::kInt64)
        Fail(ErrorCode::kInvalidArgument, "a ROWS or GROUPS offset must be an integer",
             b.offset->location);
      if (v.i < 0)
        Fail(ErrorCode::kInvalidArgument, "frame offset must not be negative", b.offset->location);
      return v;
    }
    // RANGE: a number for a numeric key, an interval of days (and time) for a date or
    // timestamp key.
    const DataType& key = order[0].expr->type;
    if (key.IsNumeric()) {
      if (!v.type.IsNumeric())
        Fail(ErrorCode::kInvalidArgument,
             "a RANGE offset over " + key.ToString() + " must be a number", b.offset->location);
      if (v.AsDouble() < 0)
        Fail(ErrorCode::kInvalidArgument, "invalid preceding or following size in window function",
             b.offset->location);
      return v;
    }
    if (key.id == TypeId::kDate || key.id == TypeId::kTimestamp) {
      Value iv = o->untyped_literal ? CastValue(v, DataType::Interval()) : v;
      if (iv.type.id != TypeId::kInterval)
        Fail(ErrorCode::kInvalidArgument,
             "a RANGE offset over " + key.ToString() + " must be an interval ('30 days')",
             b.offset->location);
      if (iv.iv.months != 0)
        Fail(ErrorCode::kInvalidArgument,
             "RANGE offsets in months or years are not supported (write days)", b.offset->location);
      if (iv.iv.days < 0 || iv.iv.micros < 0)
        Fail(ErrorCode::kInvalidArgument, "invalid preceding or following size in window function",
             b.offset->location);
      if (key.id == TypeId::kDate && iv.iv.micros != 0)
        Fail(ErrorCode::kInvalidArgument, "a RANGE offset over a date must be whole days",
             b.offset->location);
      return iv;
    }
    Fail(ErrorCode::kInvalidArgument,
         "RANGE with an offset is not supported for ORDER BY of type " + key.ToString(),
         b.offset->location);
  };
  frame.start_offset = bind_offset(spec.start);
  frame.end_offset = bind_offset(spec.end);
  return frame;
}

LogicalOpPtr Binder::PlanWindows(LogicalOpPtr op, SelectState& st) {
  if (st.has_grouping_sets && !grouping_sets_window_) {
    // A disclosure matter: recorded here, refused by disclosure/ (CheckQuery).
    const int at = st.targets.empty() ? -1 : st.targets[0].location;
    grouping_sets_window_ = at >= 0 ? sql::LocationOf(sql_text_, at) : TextLocation{};
  }
  // The calls grouped by window, in order of first appearance.
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> group_of;
  for (size_t i = 0; i < st.windows.size(); ++i) {
    for (const auto& a : st.windows[i].call.args) {
      VisitColumns(*a, [&](const BoundExpr& c) {
        if (c.column >= kOuterBase)
          Fail(ErrorCode::kInvalidArgument,
               "correlated references in window functions are not supported", -1);
      });
    }
    auto [it, fresh] = group_of.emplace(st.windows[i].Spec(), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  // One kWindow per window, stacked; each passes its input's columns through, so every
  // call's expressions (over the bottom input) stay valid above.
  std::vector<int> column_of(st.windows.size());
  for (const auto& group : groups) {
    auto win = std::make_unique<LogicalOp>(OpKind::kWindow);
    win->columns = op->columns;
    win->person_columns = op->person_columns;
    win->persons_column = op->persons_column;
    BoundWindow& first = st.windows[group[0]];
    win->window_partition = std::move(first.partition);
    win->sort_keys = std::move(first.order);
    for (size_t i : group) {
      WindowCall& call = st.windows[i].call;
      column_of[i] = static_cast<int>(win->columns.size());
      win->columns.push_back({call.fn == "count_star" ? "count" : call.fn, call.type});
      win->windows.push_back(std::move(call));
    }
    win->children.push_back(std::move(op));
    op = std::move(win);
  }
  std::function<void(BoundExpr&)> remap = [&](BoundExpr& e) {
    if (e.IsColumn() && e.column >= kWindowBase && e.column < kOuterBase)
      e.column = column_of[e.column - kWindowBase];
    for (auto& a : e.args) remap(*a);
  };
  for (auto& e : st.exprs) remap(*e);
  for (auto& o : st.order) {
    if (o.extra) remap(*o.extra);
  }
  return op;
}

}  // namespace fedgate::planner
