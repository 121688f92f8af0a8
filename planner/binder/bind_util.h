#pragma once

// Internal to the binder (planner/binder/*.cpp): pieces its files share. Not for use
// elsewhere.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "planner/binder/binder.h"

namespace fedgate::planner {

// An integer literal's value; nullopt when it does not fit an int64 (std::stoll's
// out_of_range escaped the binder and ended the gateway: found by fuzzing).
inline std::optional<int64_t> WholeNumber(const std::string& literal) {
  try {
    return std::stoll(literal);
  } catch (const std::logic_error&) {
    return std::nullopt;
  }
}

// One SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... ORDER BY while BindSimpleSelect
// binds it. Each step fills in its part, in the order the members are declared; `ctx` points
// at `scope` and `aggregates`, so a SelectState is never copied or moved.
struct Binder::SelectState {
  // An item of the select list, with * expanded.
  struct Target {
    const sql::Expr* expr = nullptr;
    int column = -1;  // for * expansion
    std::string name;
    int location = -1;
  };
  // ORDER BY: an output column by name or position, or an expression over the input.
  struct OrderRef {
    int output = -1;     // visible output column
    BoundExprPtr extra;  // otherwise an extra (hidden) projected expression
    bool descending;
    bool nulls_first;
  };

  SelectState() = default;
  SelectState(const SelectState&) = delete;
  SelectState& operator=(const SelectState&) = delete;

  Scope scope;  // the FROM clause
  std::vector<Target> targets;
  bool aggregated = false;  // GROUP BY, HAVING, or an aggregate in the select list or ORDER BY
  // GROUP BY items as grouping sets over one list of key expressions (ROLLUP, CUBE and
  // GROUPING SETS expand to several sets; plain keys are in every set).
  std::vector<const sql::Expr*> key_exprs;
  std::vector<std::vector<int>> grouping_sets = {{}};
  bool has_grouping_sets = false;
  std::vector<AggregateCall> aggregates;
  std::vector<BoundWindow> windows;
  ExprContext ctx;  // over `scope`, collecting `aggregates` when aggregated, and `windows`
  std::vector<BoundExprPtr> exprs;  // the bound select list
  std::vector<OrderRef> order;
  std::vector<std::string> hidden_names;  // hidden columns appended to the select list
};

}  // namespace fedgate::planner
