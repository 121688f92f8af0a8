#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "planner/bound_expr.h"

namespace fedgate::planner {

// FNV-1a of a function name: the executor dispatches its lazily evaluated forms (case, and,
// or, coalesce, scalar_subquery) on it. Distinct for all of fedgate's names (checked by a
// unit test over KnownFunctionNames()).
constexpr uint64_t FnHash(std::string_view name) {
  uint64_t h = 1469598103934665603ull;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Every function name the evaluator knows.
const std::vector<std::string>& KnownFunctionNames();

// The scalar functions and operators fedgate evaluates, with PostgreSQL's semantics where
// results must match a source's. Each is one row of the registry (registry.h, registry.cpp)
// pointing at its Resolve/Evaluate pair in the file of its family. Canonical names:
//   arithmetic  + - * / % neg        comparison  = <> < <= > >=
//   logic       and or not           null tests  is_null is_not_null is_true is_not_true
//                                                is_false is_not_false is_distinct_from
//                                                is_not_distinct_from
//   matching    like ilike in        conditional case coalesce nullif greatest least
//   cast        (target type is the call's type)
//   dates       date_trunc extract age current_date
//   text        || lower upper length substr trim
//   numbers     round abs floor ceil
// `case` args: when1, then1, ..., whenN, thenN, else.  `in` args: value, item1, ...

// Resolves the result type of `fn` applied to `args`, inserting casts where PostgreSQL
// would coerce. Throws Error(kInvalidArgument) naming the function and the argument types
// when they do not fit.
DataType ResolveCallType(const std::string& fn, std::vector<BoundExprPtr>& args);

// Casts (or re-types) an expression to `type`; constants are converted at once. Throws
// Error(kInvalidArgument) when the cast is impossible.
BoundExprPtr CastTo(BoundExprPtr e, DataType type);

// Converts a value to `type` as CAST would. Throws Error(kInvalidArgument) with the value on
// failure (e.g. 'abc' to integer).
Value CastValue(const Value& v, DataType type);

// Evaluates a call whose arguments are already evaluated. Strict functions return NULL for
// any NULL argument; the others (and, or, case, coalesce, in, is_*) follow SQL's rules.
Value EvaluateCall(const std::string& fn, const DataType& type, std::vector<Value>& args);

// True when `fn` is an aggregate fedgate knows (count sum avg min max).
bool IsAggregateFunction(const std::string& fn);
DataType AggregateType(const std::string& fn, const DataType& arg);
// The results of sum(x) and avg(x) over values of type `in`, from their total: exact (in
// `exact`, unscaled) for integers and decimals, `inexact` for doubles. sum has the input's type
// and throws Error(kInvalidArgument) beyond int64; avg, of `count` > 0 values, is a double.
// Shared by GROUP BY (exec/hash_aggregate.cpp) and window aggregates (window_functions.cpp).
Value SumResult(const DataType& in, __int128 exact, double inexact);
Value MeanResult(const DataType& in, __int128 exact, double inexact, int64_t count);

// The interval type parsed from text like '1 year 2 months', '30 days', '1 day 02:00:00'.
Interval ParseInterval(const std::string& text);

}  // namespace fedgate::planner
