#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "planner/value.h"

namespace fedgate::planner {

// An expression after binding: names resolved to input column positions, types known.
// Every operator and function is a kCall with a canonical name (see functions.h), so the
// evaluator, the type rules and the SQL writer all dispatch on one table.
enum class BoundKind { kColumn, kConstant, kCall };

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;

struct BoundExpr {
  BoundKind kind = BoundKind::kConstant;
  DataType type;
  int column = -1;                 // kColumn: index into the operator's input
  std::string name;                // kColumn: display name; kCall: function name
  Value value;                     // kConstant
  std::vector<BoundExprPtr> args;  // kCall
  bool untyped_literal = false;    // a string literal whose type comes from context

  static BoundExprPtr Column(int index, DataType type, std::string display);
  static BoundExprPtr Constant(Value v);
  static BoundExprPtr Call(std::string fn, DataType type, std::vector<BoundExprPtr> args);

  BoundExprPtr Clone() const;
  std::string ToString() const;
  bool IsColumn() const { return kind == BoundKind::kColumn; }
};

// Calls `fn` on every column reference in `e` (pre-order).
void VisitColumns(const BoundExpr& e, const std::function<void(const BoundExpr&)>& fn);
// Rewrites column indices through `map` (old index -> new index). REQUIRES: every
// referenced index is in the map (>= 0).
void RemapColumns(BoundExpr& e, const std::vector<int>& map);
// Splits a predicate on AND into its conjuncts.
std::vector<BoundExprPtr> SplitConjuncts(BoundExprPtr e);
// ANDs conjuncts back together; null when empty.
BoundExprPtr JoinConjuncts(std::vector<BoundExprPtr> conjuncts);

struct AggregateCall {
  // count_star, count, sum, avg, min, max; the ordered-set aggregates percentile_cont,
  // percentile_disc (of `fraction`) and mode (median(x) binds as percentile_cont(0.5)).
  std::string fn;
  bool distinct = false;
  BoundExprPtr arg;  // null for count_star; the ordering expression of an ordered-set aggregate
  DataType type;
  double fraction = 0;      // percentile_cont, percentile_disc: in [0, 1]
  bool descending = false;  // WITHIN GROUP (ORDER BY x DESC)
  // Written with FILTER (WHERE ...) (its argument is then CASE WHEN ... THEN x END): at the
  // output, disclosure control thresholds it on the persons of the rows it aggregates.
  bool filtered = false;

  bool OrderedSet() const {
    return fn == "percentile_cont" || fn == "percentile_disc" || fn == "mode";
  }

  AggregateCall Clone() const;
  std::string ToString() const;
};

}  // namespace fedgate::planner
