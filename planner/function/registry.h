#pragma once

// The scalar function registry: one row per function, holding how the binder types a call
// (resolve) and how the executor computes it (evaluate). Adding a function is one
// Resolve/Evaluate pair in the file of its family (arithmetic.cpp, text.cpp, ...) plus one
// row in registry.cpp's table, plus its signature row in function_list.cpp for SHOW FUNCTIONS
// (tests/unit/function_list_test.cpp fails when the two disagree).
//
// Thread-safety: the table is immutable after static initialisation; every function below
// may be called from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "planner/bound_expr.h"
#include "planner/value.h"

namespace fedgate::planner::function {

// Types a call: may replace arguments by casts (literals coerced as PostgreSQL would).
// REQUIRES: every argument is bound. Throws Error(kInvalidArgument) naming the function and
// the argument types when they do not fit.
using ResolveFn = DataType (*)(const std::string& fn, std::vector<BoundExprPtr>& args);

// Computes a call whose arguments are evaluated. `type` is the type resolve returned.
// REQUIRES: for a strict function, no argument is NULL (the caller returns NULL first).
// Throws Error(kInvalidArgument) for a run-time error (division by zero, out of range).
using EvaluateFn = Value (*)(const std::string& fn, const DataType& type, std::vector<Value>& args);

struct ScalarFunction {
  std::string_view name;  // canonical name, as the binder writes it in BoundExpr::fn
  bool strict;            // NULL in any argument gives NULL without calling evaluate
  ResolveFn resolve;      // null when calls are typed elsewhere (cast: by CastTo)
  EvaluateFn evaluate;
};

// Every scalar function, in name order.
const std::vector<ScalarFunction>& ScalarFunctions();

// The row for `name`, or null when there is no scalar function of that name (aggregates are
// not here: see aggregates.cpp).
const ScalarFunction* FindScalarFunction(std::string_view name);

}  // namespace fedgate::planner::function
