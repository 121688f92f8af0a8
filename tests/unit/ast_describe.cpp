#include "tests/unit/ast_describe.h"

#include <vector>

namespace fedgate::sql {
namespace {

std::string List(const std::vector<ExprPtr>& exprs, const char* separator = " ") {
  std::string out;
  for (const ExprPtr& e : exprs) out += (out.empty() ? "" : separator) + Describe(*e);
  return out;
}

std::string Names(const std::vector<std::string>& names, const char* separator = ".") {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : separator) + name;
  return out;
}

std::string Bound(const FrameBound& b);
std::string Window(const WindowSpec& w);

std::string Not(const Expr& e) {
  return e.negated ? "NOT " : "";
}

}  // namespace

std::string Describe(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kColumnRef:
      return Names(e.names);
    case ExprKind::kStar:
      return e.names.empty() ? "*" : Names(e.names) + ".*";
    case ExprKind::kLiteral:
      switch (e.literal_kind) {
        case LiteralKind::kNull:
          return "NULL";
        case LiteralKind::kBool:
          return e.literal == "t" ? "TRUE" : "FALSE";
        case LiteralKind::kInteger:
          return e.literal;
        case LiteralKind::kNumeric:
          return "numeric:" + e.literal;
        case LiteralKind::kString:
          return "'" + e.literal + "'";
      }
      return "?";
    case ExprKind::kFunction:
      return e.name + "(" + (e.distinct ? "DISTINCT " : "") + (e.agg_star ? "*" : "") +
             List(e.args, ", ") + ")" + (e.window ? " OVER " + Window(*e.window) : "");
    case ExprKind::kBinary:
      return "(" + Describe(*e.args[0]) + " " + e.op + " " + Describe(*e.args[1]) + ")";
    case ExprKind::kUnary:
      return "(" + e.op + Describe(*e.args[0]) + ")";
    case ExprKind::kAnd:
      return "(AND " + List(e.args) + ")";
    case ExprKind::kOr:
      return "(OR " + List(e.args) + ")";
    case ExprKind::kNot:
      return "(NOT " + Describe(*e.args[0]) + ")";
    case ExprKind::kIsNull:
      return "(" + Describe(*e.args[0]) + " IS " + Not(e) + "NULL)";
    case ExprKind::kIsTrue:
      return "(" + Describe(*e.args[0]) + " IS " + Not(e) + e.op + ")";
    case ExprKind::kCase: {
      std::string out = "CASE";
      if (e.case_operand) out += " " + Describe(*e.case_operand);
      for (const auto& [when, then] : e.whens) {
        out += " WHEN " + Describe(*when) + " THEN " + Describe(*then);
      }
      if (e.case_else) out += " ELSE " + Describe(*e.case_else);
      return out + " END";
    }
    case ExprKind::kCast: {
      std::string modifiers;
      for (int m : e.cast_type.modifiers)
        modifiers += (modifiers.empty() ? "" : ",") + std::to_string(m);
      return "CAST(" + Describe(*e.args[0]) + " AS " + e.cast_type.name +
             (modifiers.empty() ? "" : "(" + modifiers + ")") + ")";
    }
    case ExprKind::kInList: {
      std::string items;
      for (size_t i = 1; i < e.args.size(); ++i) items += " " + Describe(*e.args[i]);
      return "(" + Describe(*e.args[0]) + " " + Not(e) + "IN" + items + ")";
    }
    case ExprKind::kBetween:
      return "(" + Describe(*e.args[0]) + " " + Not(e) + "BETWEEN " + Describe(*e.args[1]) + " " +
             Describe(*e.args[2]) + ")";
    case ExprKind::kLike:
      return "(" + Describe(*e.args[0]) + " " + Not(e) + (e.case_insensitive ? "ILIKE " : "LIKE ") +
             Describe(*e.args[1]) + ")";
    case ExprKind::kExists:
      return "EXISTS[" + Describe(*e.subquery) + "]";
    case ExprKind::kInSubquery:
      return "(" + Describe(*e.args[0]) + " " + Not(e) + "IN [" + Describe(*e.subquery) + "])";
    case ExprKind::kScalarSubquery:
      return "[" + Describe(*e.subquery) + "]";
    case ExprKind::kCoalesce:
      return "COALESCE(" + List(e.args, ", ") + ")";
    case ExprKind::kNullIf:
      return "NULLIF(" + List(e.args, ", ") + ")";
    case ExprKind::kGreatest:
      return "GREATEST(" + List(e.args, ", ") + ")";
    case ExprKind::kLeast:
      return "LEAST(" + List(e.args, ", ") + ")";
    case ExprKind::kIsDistinctFrom:
      return "(" + Describe(*e.args[0]) + " IS " + Not(e) + "DISTINCT FROM " +
             Describe(*e.args[1]) + ")";
    case ExprKind::kGroupingSet:
      return e.op + "(" + List(e.args, ", ") + ")";
    case ExprKind::kParameter:
      return "$" + std::to_string(e.parameter);
  }
  return "?";
}

std::string Describe(const TableRef& ref) {
  std::string out;
  switch (ref.kind) {
    case TableRefKind::kTable:
      out = Names(ref.names);
      break;
    case TableRefKind::kSubquery:
      out = "[" + Describe(*ref.subquery) + "]";
      break;
    case TableRefKind::kJoin: {
      static const char* kTypes[] = {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN"};
      out = "(" + Describe(*ref.left) + (ref.natural ? " NATURAL " : " ") +
            kTypes[static_cast<int>(ref.join_type)] + " " + Describe(*ref.right);
      if (ref.on) out += " ON " + Describe(*ref.on);
      if (!ref.using_columns.empty()) out += " USING (" + Names(ref.using_columns, ", ") + ")";
      out += ")";
      break;
    }
  }
  if (!ref.alias.empty()) out += " AS " + ref.alias;
  if (!ref.column_aliases.empty()) out += "(" + Names(ref.column_aliases, ", ") + ")";
  return out;
}

std::string Describe(const SelectStmt& s) {
  std::string out;
  for (const CommonTableExpr& cte : s.with) {
    out += (out.empty() ? "WITH " : ", ") + cte.name;
    if (!cte.column_names.empty()) out += "(" + Names(cte.column_names, ", ") + ")";
    out += " AS [" + Describe(*cte.query) + "]";
  }
  if (!out.empty()) out += " ";
  if (s.set_op != SetOp::kNone) {
    static const char* kOps[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    out += "[" + Describe(*s.left) + "] " + kOps[static_cast<int>(s.set_op)] +
           (s.set_all ? " ALL" : "") + " [" + Describe(*s.right) + "]";
  } else {
    out += s.distinct ? "SELECT DISTINCT " : "SELECT ";
    for (size_t i = 0; i < s.targets.size(); ++i) {
      out += (i ? ", " : "") + Describe(*s.targets[i].expr);
      if (!s.targets[i].alias.empty()) out += " AS " + s.targets[i].alias;
    }
    for (size_t i = 0; i < s.from.size(); ++i) out += (i ? ", " : " FROM ") + Describe(*s.from[i]);
    if (s.where) out += " WHERE " + Describe(*s.where);
    if (!s.group_by.empty()) out += " GROUP BY " + List(s.group_by, ", ");
    if (s.having) out += " HAVING " + Describe(*s.having);
  }
  for (size_t i = 0; i < s.order_by.size(); ++i) {
    const OrderItem& item = s.order_by[i];
    out += (i ? ", " : " ORDER BY ") + Describe(*item.expr) + (item.descending ? " DESC" : "");
    if (item.nulls_first) out += *item.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  if (s.limit) out += " LIMIT " + Describe(*s.limit);
  if (s.offset) out += " OFFSET " + Describe(*s.offset);
  return out;
}

namespace {

std::string Bound(const FrameBound& b) {
  switch (b.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kPreceding:
      return Describe(*b.offset) + " PRECEDING";
    case FrameBoundKind::kCurrentRow:
      return "CURRENT ROW";
    case FrameBoundKind::kFollowing:
      return Describe(*b.offset) + " FOLLOWING";
    case FrameBoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

std::string Window(const WindowSpec& w) {
  std::string out = "(";
  if (!w.partition_by.empty()) out += "PARTITION BY " + List(w.partition_by, ", ");
  for (size_t i = 0; i < w.order_by.size(); ++i) {
    const OrderItem& item = w.order_by[i];
    out += (i                ? ", "
            : out.size() > 1 ? " ORDER BY "
                             : "ORDER BY ") +
           Describe(*item.expr) + (item.descending ? " DESC" : "");
    if (item.nulls_first) out += *item.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  if (w.frame_written) {
    out += std::string(out.size() > 1 ? " " : "") +
           (w.mode == FrameMode::kRows     ? "ROWS"
            : w.mode == FrameMode::kGroups ? "GROUPS"
                                           : "RANGE") +
           " BETWEEN " + Bound(w.start) + " AND " + Bound(w.end);
  }
  return out + ")";
}

}  // namespace

}  // namespace fedgate::sql
