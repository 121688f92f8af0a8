#include "planner/logical_plan.h"

namespace fedgate::planner {

std::string_view JoinKindName(JoinKind k) {
  switch (k) {
    case JoinKind::kInner:
      return "INNER";
    case JoinKind::kLeft:
      return "LEFT";
    case JoinKind::kRight:
      return "RIGHT";
    case JoinKind::kFull:
      return "FULL";
    case JoinKind::kSemi:
      return "SEMI";
    case JoinKind::kAnti:
      return "ANTI";
    case JoinKind::kCross:
      return "CROSS";
  }
  return "?";
}

namespace {

std::string BoundText(WindowFrame::Bound b, const Value& offset) {
  switch (b) {
    case WindowFrame::Bound::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case WindowFrame::Bound::kPreceding:
      return offset.ToString() + " PRECEDING";
    case WindowFrame::Bound::kCurrentRow:
      return "CURRENT ROW";
    case WindowFrame::Bound::kFollowing:
      return offset.ToString() + " FOLLOWING";
    case WindowFrame::Bound::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

}  // namespace

std::string WindowFrame::ToString() const {
  const char* m = mode == Mode::kRows ? "ROWS" : mode == Mode::kGroups ? "GROUPS" : "RANGE";
  return std::string(m) + " BETWEEN " + BoundText(start, start_offset) + " AND " +
         BoundText(end, end_offset);
}

WindowCall WindowCall::Clone() const {
  WindowCall out;
  out.fn = fn;
  for (const auto& a : args) out.args.push_back(a->Clone());
  out.type = type;
  out.frame = frame;
  return out;
}

std::string WindowCall::ToString() const {
  std::string out = (fn == "count_star" ? std::string("count") : fn) + "(";
  if (fn == "count_star") out += "*";
  for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i]->ToString();
  out += ")";
  if (frame.written) out += " " + frame.ToString();
  return out;
}

size_t LogicalOp::VisibleCount() const {
  size_t n = 0;
  for (const auto& c : columns) n += !c.hidden;
  return n;
}

void VisitPlan(const LogicalOp& op, const std::function<void(const LogicalOp&)>& fn) {
  fn(op);
  for (const auto& c : op.children) VisitPlan(*c, fn);
}

std::string LogicalOp::ToString(int indent) const {
  std::string pad(indent * 2, ' ');
  std::string line;
  auto list = [](const std::vector<BoundExprPtr>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i]->ToString();
    return out;
  };
  switch (kind) {
    case OpKind::kGet: {
      line = "Get " + table->QualifiedName() +
             (alias.empty() || alias == table->name ? "" : " AS " + alias) + " [";
      for (size_t i = 0; i < columns.size(); ++i) line += (i ? ", " : "") + columns[i].name;
      line += "]";
      break;
    }
    case OpKind::kFilter:
      line = "Filter " + predicate->ToString();
      break;
    case OpKind::kProject:
      line = "Project " + list(exprs);
      break;
    case OpKind::kAggregate: {
      line = std::string(raw_person_keys     ? "Partial aggregate per person"
                         : combines_partials ? "Final aggregate per person"
                         : per_person        ? "Aggregate per person"
                                             : "Aggregate") +
             " groups=[" + list(groups) + "] aggs=[";
      for (size_t i = 0; i < aggregates.size(); ++i)
        line += (i ? ", " : "") + aggregates[i].ToString();
      line += "]";
      if (cellkey_column >= 0) line += " +cell keys";
      if (contributions_column >= 0) line += " +contributions";
      break;
    }
    case OpKind::kProtect:
      line = "Protect " + protect_label;
      break;
    case OpKind::kJoin:
      line = std::string(JoinKindName(join)) + " Join";
      if (predicate) line += " ON " + predicate->ToString();
      if (null_aware) line += " (null-aware)";
      break;
    case OpKind::kSort: {
      line = "Sort ";
      for (size_t i = 0; i < sort_keys.size(); ++i) {
        line += (i ? ", " : "") + sort_keys[i].expr->ToString() +
                (sort_keys[i].descending ? " DESC" : "");
      }
      break;
    }
    case OpKind::kWindow: {
      line = "Window";
      if (!window_partition.empty()) line += " partition=[" + list(window_partition) + "]";
      if (!sort_keys.empty()) {
        line += " order=[";
        for (size_t i = 0; i < sort_keys.size(); ++i)
          line += (i ? ", " : "") + sort_keys[i].expr->ToString() +
                  (sort_keys[i].descending ? " DESC" : "");
        line += "]";
      }
      line += " [";
      for (size_t i = 0; i < windows.size(); ++i) line += (i ? ", " : "") + windows[i].ToString();
      line += "]";
      break;
    }
    case OpKind::kLimit:
      line = "Limit " + (limit >= 0 ? std::to_string(limit) : "ALL") +
             (offset ? " OFFSET " + std::to_string(offset) : "");
      break;
    case OpKind::kUnion:
      line = "Union All";
      break;
    case OpKind::kValues:
      line = "Values " + list(exprs);
      break;
    case OpKind::kRemote: {
      line = "Remote " + source + "\n" + pad + "  SQL: " + fragment.sql;
      if (pushed) line += "\n" + pad + "  pushed:\n" + pushed->ToString(indent + 2);
      return pad + line;
    }
  }
  std::string out = pad + line;
  for (const auto& c : children) out += "\n" + c->ToString(indent + 1);
  return out;
}

LogicalOpPtr CloneSubtree(const LogicalOp& op) {
  auto out = std::make_unique<LogicalOp>(op.kind);
  for (const auto& c : op.children) out->children.push_back(CloneSubtree(*c));
  out->columns = op.columns;
  out->person_columns = op.person_columns;
  out->persons_column = op.persons_column;
  out->table = op.table;
  out->table_columns = op.table_columns;
  out->alias = op.alias;
  if (op.predicate) out->predicate = op.predicate->Clone();
  for (const auto& e : op.exprs) out->exprs.push_back(e->Clone());
  for (const auto& g : op.groups) out->groups.push_back(g->Clone());
  for (const auto& a : op.aggregates) out->aggregates.push_back(a.Clone());
  for (const auto& e : op.person_inputs) out->person_inputs.push_back(e->Clone());
  out->persons_input = op.persons_input;
  out->per_person = op.per_person;
  out->raw_person_keys = op.raw_person_keys;
  out->combines_partials = op.combines_partials;
  out->persons_cap = op.persons_cap;
  out->join = op.join;
  if (op.residual) out->residual = op.residual->Clone();
  out->null_aware = op.null_aware;
  for (const auto& k : op.sort_keys)
    out->sort_keys.push_back({k.expr->Clone(), k.descending, k.nulls_first});
  for (const auto& p : op.window_partition) out->window_partition.push_back(p->Clone());
  for (const auto& w : op.windows) out->windows.push_back(w.Clone());
  out->limit = op.limit;
  out->offset = op.offset;
  out->cellkey_column = op.cellkey_column;
  out->contributions_column = op.contributions_column;
  out->contributions_top = op.contributions_top;
  out->contribution_aggregates = op.contribution_aggregates;
  out->percentile_guard_column = op.percentile_guard_column;
  out->percentile_aggregates = op.percentile_aggregates;
  out->filtered_persons_column = op.filtered_persons_column;
  out->filtered_aggregates = op.filtered_aggregates;
  out->unlinked_column = op.unlinked_column;
  out->protect_groups = op.protect_groups;
  out->protect_functions = op.protect_functions;
  out->protect_label = op.protect_label;
  out->protect_key = op.protect_key;
  return out;
}

}  // namespace fedgate::planner
