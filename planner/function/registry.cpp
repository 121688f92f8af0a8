#include "planner/function/registry.h"

#include <algorithm>
#include <unordered_map>

#include "common/error.h"
#include "planner/function/builtins.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

namespace function {

namespace {

// One row per scalar function, in name order. Non-strict functions (strict = false) see
// NULL arguments and follow SQL's three-valued rules themselves.
const std::vector<ScalarFunction>& Table() {
  static const std::vector<ScalarFunction> table = {
      {"%", true, ResolveArithmetic, EvaluateArithmetic},
      {"*", true, ResolveArithmetic, EvaluateArithmetic},
      {"+", true, ResolveArithmetic, EvaluateArithmetic},
      {"-", true, ResolveArithmetic, EvaluateArithmetic},
      {"/", true, ResolveArithmetic, EvaluateArithmetic},
      {"<", true, ResolveComparison, EvaluateComparison},
      {"<=", true, ResolveComparison, EvaluateComparison},
      {"<>", true, ResolveComparison, EvaluateComparison},
      {"=", true, ResolveComparison, EvaluateComparison},
      {">", true, ResolveComparison, EvaluateComparison},
      {">=", true, ResolveComparison, EvaluateComparison},
      {"abs", true, ResolveAbsFloorCeil, EvaluateAbs},
      {"age", true, ResolveAge, EvaluateAge},
      {"and", false, ResolveLogic, EvaluateAnd},
      {"case", false, ResolveConditional, EvaluateCase},
      {"cast", true, nullptr, EvaluateCast},
      {"ceil", true, ResolveAbsFloorCeil, EvaluateFloorCeil},
      {"ceiling", true, ResolveAbsFloorCeil, EvaluateFloorCeil},
      {"coalesce", false, ResolveConditional, EvaluateCoalesce},
      {"current_date", true, ResolveCurrentDate, EvaluateCurrentDate},
      {"date_part", true, ResolveExtract, EvaluateExtract},
      {"date_trunc", true, ResolveDateTrunc, EvaluateDateTrunc},
      {"extract", true, ResolveExtract, EvaluateExtract},
      {"floor", true, ResolveAbsFloorCeil, EvaluateFloorCeil},
      {"greatest", false, ResolveConditional, EvaluateGreatestLeast},
      {"ilike", true, ResolveLike, EvaluateLike},
      {"in", false, ResolveIn, EvaluateIn},
      {"is_distinct_from", false, ResolveComparison, EvaluateIsDistinctFrom},
      {"is_false", false, ResolveTruthTest, EvaluateTruthTest},
      {"is_not_distinct_from", false, ResolveComparison, EvaluateIsDistinctFrom},
      {"is_not_false", false, ResolveTruthTest, EvaluateTruthTest},
      {"is_not_null", false, ResolveNullTest, EvaluateNullTest},
      {"is_not_true", false, ResolveTruthTest, EvaluateTruthTest},
      {"is_null", false, ResolveNullTest, EvaluateNullTest},
      {"is_true", false, ResolveTruthTest, EvaluateTruthTest},
      {"least", false, ResolveConditional, EvaluateGreatestLeast},
      {"length", true, ResolveLength, EvaluateLength},
      {"like", true, ResolveLike, EvaluateLike},
      {"lower", true, ResolveTextToText, EvaluateChangeCase},
      {"neg", true, ResolveNeg, EvaluateNeg},
      {"not", true, ResolveLogic, EvaluateNot},
      {"nullif", false, ResolveNullif, EvaluateNullif},
      {"or", false, ResolveLogic, EvaluateOr},
      {"round", true, ResolveRound, EvaluateRound},
      {"substr", true, ResolveSubstr, EvaluateSubstr},
      {"substring", true, ResolveSubstr, EvaluateSubstr},
      {"trim", true, ResolveTextToText, EvaluateTrim},
      {"upper", true, ResolveTextToText, EvaluateChangeCase},
      {"||", true, ResolveConcat, EvaluateConcat},
  };
  return table;
}

}  // namespace

const std::vector<ScalarFunction>& ScalarFunctions() {
  return Table();
}

const ScalarFunction* FindScalarFunction(std::string_view name) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const ScalarFunction*>();
    for (const auto& f : Table()) m->emplace(f.name, &f);
    return m;
  }();
  auto it = index->find(name);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace function

DataType ResolveCallType(const std::string& fn, std::vector<BoundExprPtr>& args) {
  const function::ScalarFunction* f = function::FindScalarFunction(fn);
  if (f == nullptr || f->resolve == nullptr) ThrowInvalid("function " + fn + " is not supported");
  return f->resolve(fn, args);
}

Value EvaluateCall(const std::string& fn, const DataType& type, std::vector<Value>& args) {
  const function::ScalarFunction* f = function::FindScalarFunction(fn);
  if (f == nullptr) throw Error(ErrorCode::kInternal, "no evaluator for function " + fn);
  if (f->strict) {
    for (const auto& a : args) {
      if (a.null) return Value::Null(type);
    }
  }
  return f->evaluate(fn, type, args);
}

const std::vector<std::string>& KnownFunctionNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = {"avg", "count", "count_star",     "max",
                                    "min", "sum",   "scalar_subquery"};
    for (const auto& f : function::ScalarFunctions()) out.emplace_back(f.name);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

}  // namespace fedgate::planner
