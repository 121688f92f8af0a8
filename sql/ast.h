#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fedgate::sql {

// fedgate's own syntax tree for the SQL analysts write (PostgreSQL dialect), produced from
// libpg_query's parse tree by Parse() (parser.h). It keeps what the binder needs and nothing
// of libpg_query's representation. Names are as written but lower-cased unless quoted.
// `location` is a byte offset into the query text (-1 when unknown).

struct Expr;
struct SelectStmt;
struct WindowSpec;
using ExprPtr = std::unique_ptr<Expr>;
using SelectPtr = std::unique_ptr<SelectStmt>;

enum class ExprKind {
  kColumnRef,       // names: {"person_id"} or {"p", "person_id"} or {"gp", "patients", "x"}
  kStar,            // names: qualifier ({} for *, {"p"} for p.*)
  kLiteral,         // literal_kind + literal
  kFunction,        // name, args, distinct, agg_star (count(*)); also current_date etc.
  kBinary,          // op in + - * / % = <> < <= > >= || ; args {left, right}
  kUnary,           // op "-" or "+"; args {operand}
  kAnd,             // args: 2 or more
  kOr,              // args: 2 or more
  kNot,             // args {operand}
  kIsNull,          // args {operand}; negated for IS NOT NULL
  kIsTrue,          // IS [NOT] TRUE/FALSE: op "true"/"false", negated; args {operand}
  kCase,            // case_operand (may be null), whens, case_else (may be null)
  kCast,            // args {operand}, cast_type (also typed literals: DATE '2024-01-01')
  kInList,          // args {operand, item...}; negated for NOT IN
  kBetween,         // args {operand, low, high}; negated for NOT BETWEEN
  kLike,            // args {operand, pattern}; negated; case_insensitive for ILIKE
  kExists,          // subquery; negated is never set (NOT EXISTS is kNot over kExists)
  kInSubquery,      // args {operand}, subquery; negated for NOT IN (subquery)
  kScalarSubquery,  // subquery
  kCoalesce,        // args
  kNullIf,          // args {a, b}
  kGreatest,        // args
  kLeast,           // args
  kIsDistinctFrom,  // args {a, b}; negated for IS NOT DISTINCT FROM
  kParameter,       // $n (Trino's ?): parameter, 1-based; bound from the statement's values
  kGroupingSet,     // only in GROUP BY: op "rollup" | "cube" | "sets" | "empty" | "simple";
                    // args are expressions or nested kGroupingSet("simple") lists
};

enum class LiteralKind { kNull, kBool, kInteger, kNumeric, kString };

// A type as written in a CAST or typed literal: name lower-cased and normalised to
// PostgreSQL's canonical spelling where libpg_query gives it (int4 -> "integer",
// int8 -> "bigint", float8 -> "double precision", varchar -> "varchar", bpchar -> "char",
// numeric, text, date, timestamp, interval, bool -> "boolean"), modifiers as integers
// (numeric(10,2) -> {10, 2}).
struct TypeName {
  std::string name;
  std::vector<int> modifiers;
  int location = -1;
};

struct Expr {
  explicit Expr(ExprKind k, int loc = -1) : kind(k), location(loc) {}

  ExprKind kind;
  int location = -1;

  std::vector<std::string> names;  // kColumnRef, kStar

  LiteralKind literal_kind = LiteralKind::kNull;  // kLiteral
  std::string literal;  // integer/numeric digits as written, string contents, "t"/"f"

  std::string name;       // kFunction: unqualified, lower-cased ("count", "date_trunc")
  bool distinct = false;  // kFunction: count(DISTINCT x)
  bool agg_star = false;  // kFunction: count(*)
  // kFunction written with FILTER (WHERE c): the parser has already rewritten the argument to
  // CASE WHEN c THEN arg END (count(*) to count(CASE WHEN c THEN 1 END)), which every dialect
  // runs and which aggregates the same rows; this is where FILTER was, for the binder's check
  // that the function is an aggregate (-1: no FILTER).
  int filter_location = -1;
  // kFunction written with WITHIN GROUP (ORDER BY x [DESC]): percentile_cont(f),
  // percentile_disc(f) and mode(); args are then {f, x} (mode: {x}).
  bool within_group = false;
  bool order_descending = false;
  // kFunction written with OVER (...): a window function (named windows already resolved).
  std::shared_ptr<const WindowSpec> window;

  std::string op;  // kBinary, kUnary, kIsTrue, kGroupingSet
  std::vector<ExprPtr> args;
  bool negated = false;           // NOT IN / NOT BETWEEN / NOT LIKE / IS NOT NULL ...
  bool case_insensitive = false;  // ILIKE

  ExprPtr case_operand;                            // kCase: CASE x WHEN ...
  std::vector<std::pair<ExprPtr, ExprPtr>> whens;  // kCase: WHEN cond THEN result
  ExprPtr case_else;                               // kCase

  int parameter = 0;   // kParameter
  TypeName cast_type;  // kCast
  SelectPtr subquery;  // kExists, kInSubquery, kScalarSubquery
};

// OVER (PARTITION BY ... ORDER BY ... frame), as written or as a named window (WINDOW w AS
// (...)) resolved by the parser. `frame_written` is false for the default frame (RANGE
// UNBOUNDED PRECEDING to CURRENT ROW, the whole partition without ORDER BY).
enum class FrameMode { kRange, kRows, kGroups };
enum class FrameBoundKind {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};
struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kUnboundedPreceding;
  ExprPtr offset;  // kPreceding, kFollowing
};
struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // nullopt: the PostgreSQL default for the direction
};

struct WindowSpec {
  int location = -1;
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  bool frame_written = false;
  FrameMode mode = FrameMode::kRange;
  FrameBound start;
  FrameBound end{FrameBoundKind::kCurrentRow, nullptr};
};

enum class TableRefKind { kTable, kJoin, kSubquery };
enum class JoinType { kInner, kLeft, kRight, kFull, kCross };

struct TableRef {
  explicit TableRef(TableRefKind k, int loc = -1) : kind(k), location(loc) {}

  TableRefKind kind;
  int location = -1;
  std::vector<std::string> names;           // kTable: {"gp", "patients"} or {"patients"}
  std::string alias;                        // "" when none
  std::vector<std::string> column_aliases;  // AS t(a, b)

  JoinType join_type = JoinType::kInner;   // kJoin
  std::unique_ptr<TableRef> left, right;   // kJoin
  ExprPtr on;                              // kJoin: ON condition (null for USING/NATURAL/CROSS)
  std::vector<std::string> using_columns;  // kJoin: USING (a, b)
  bool natural = false;                    // kJoin

  SelectPtr subquery;  // kSubquery
};

struct ResultTarget {
  ExprPtr expr;
  std::string alias;  // "" when none
  int location = -1;
};

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> column_names;
  SelectPtr query;
  int location = -1;
};

enum class SetOp { kNone, kUnion, kIntersect, kExcept };

struct SelectStmt {
  int location = -1;
  std::vector<CommonTableExpr> with;

  // A plain SELECT (set_op == kNone).
  bool distinct = false;
  std::vector<ResultTarget> targets;
  std::vector<std::unique_ptr<TableRef>> from;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;

  // A set operation: left op right (targets/from/where/group_by/having unused).
  SetOp set_op = SetOp::kNone;
  bool set_all = false;
  SelectPtr left, right;

  // Both kinds.
  std::vector<OrderItem> order_by;
  ExprPtr limit;   // null when none (LIMIT ALL is none)
  ExprPtr offset;  // null when none
};

}  // namespace fedgate::sql
