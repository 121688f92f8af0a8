// CASE, COALESCE, GREATEST, LEAST, NULLIF, and CAST's evaluation (CastTo types a cast).

#include <algorithm>

#include "common/error.h"
#include "planner/function/builtins.h"
#include "planner/function/function_util.h"
#include "planner/function/functions.h"

namespace fedgate::planner::function {

// case (args: when1, then1, ..., whenN, thenN, else), coalesce, greatest, least: the results
// unify to one type; untyped literals take the type of the typed results, or text if all are.
DataType ResolveConditional(const std::string& fn, Args& args) {
  std::vector<size_t> results;
  if (fn == "case") {
    for (size_t i = 0; i + 1 < args.size(); i += 2) {
      if (args[i]->type.id != TypeId::kBool && args[i]->type.id != TypeId::kNull) {
        ThrowInvalid("argument of CASE/WHEN must be type boolean, not type " +
                     args[i]->type.ToString());
      }
      results.push_back(i + 1);
    }
    results.push_back(args.size() - 1);
  } else {
    for (size_t i = 0; i < args.size(); ++i) results.push_back(i);
  }
  std::vector<DataType> types;
  for (size_t i : results) {
    if (!args[i]->untyped_literal) types.push_back(args[i]->type);
  }
  auto common = CommonType(types);
  if (!common) TypeError(fn == "case" ? "CASE" : fn, args);
  DataType target = common->id == TypeId::kNull ? DataType::Text() : *common;
  bool any_typed = common->id != TypeId::kNull;
  for (size_t i : results) {
    if (args[i]->untyped_literal || args[i]->type.id == TypeId::kNull || any_typed) {
      if (args[i]->type.id == TypeId::kNull && !any_typed) continue;
      args[i] = CastTo(std::move(args[i]), target);
    }
  }
  return any_typed || std::any_of(results.begin(), results.end(),
                                  [&](size_t i) { return args[i]->type.id != TypeId::kNull; })
             ? target
             : DataType::Null();
}

DataType ResolveNullif(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  CoerceLiterals(args);
  if (!Comparable(args[0]->type, args[1]->type)) TypeError(fn, args);
  // NULLIF(NULL, x) has x's type (PostgreSQL resolves the two arguments' common type).
  return args[0]->type.id == TypeId::kNull ? args[1]->type : args[0]->type;
}

Value EvaluateCase(const std::string&, const DataType& type, Values& args) {
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (!args[i].null && args[i].i) return CastValue(args[i + 1], type);
  }
  return CastValue(args.back(), type);
}

Value EvaluateCoalesce(const std::string&, const DataType& type, Values& args) {
  for (const auto& a : args) {
    if (!a.null) return CastValue(a, type);
  }
  return Value::Null(type);
}

Value EvaluateGreatestLeast(const std::string& fn, const DataType& type, Values& args) {
  const bool greatest = fn == "greatest";
  const Value* best = nullptr;
  for (const auto& a : args) {
    if (a.null) continue;
    if (!best || (greatest ? CompareValues(a, *best) > 0 : CompareValues(a, *best) < 0)) best = &a;
  }
  return best ? CastValue(*best, type) : Value::Null(type);
}

// Not strict: NULLIF(x, NULL) is x (NULL is not equal to anything), NULLIF(NULL, y) NULL.
Value EvaluateNullif(const std::string&, const DataType& type, Values& args) {
  if (args[0].null) return Value::Null(type);
  if (args[1].null) return args[0];
  return CompareValues(args[0], args[1]) == 0 ? Value::Null(type) : args[0];
}

Value EvaluateCast(const std::string&, const DataType& type, Values& args) {
  Value v = CastValue(args[0], type);
  v.type = type;
  return v;
}

}  // namespace fedgate::planner::function
