#pragma once

// Internal to planner/function: the Resolve/Evaluate pair of each scalar function, by family.
// Each is one row (or several sharing code) of the table in registry.cpp; see registry.h for
// the contract of ResolveFn and EvaluateFn.

#include <string>
#include <vector>

#include "planner/bound_expr.h"
#include "planner/value.h"

namespace fedgate::planner::function {

using Args = std::vector<BoundExprPtr>;
using Values = std::vector<Value>;

// comparison.cpp: = <> < <= > >=, is_[not_]distinct_from, and or not, is_* tests, in.
DataType ResolveComparison(const std::string& fn, Args& args);
Value EvaluateComparison(const std::string& fn, const DataType& type, Values& args);
Value EvaluateIsDistinctFrom(const std::string& fn, const DataType& type, Values& args);
DataType ResolveLogic(const std::string& fn, Args& args);
Value EvaluateAnd(const std::string& fn, const DataType& type, Values& args);
Value EvaluateOr(const std::string& fn, const DataType& type, Values& args);
Value EvaluateNot(const std::string& fn, const DataType& type, Values& args);
DataType ResolveNullTest(const std::string& fn, Args& args);
DataType ResolveTruthTest(const std::string& fn, Args& args);
Value EvaluateNullTest(const std::string& fn, const DataType& type, Values& args);
Value EvaluateTruthTest(const std::string& fn, const DataType& type, Values& args);
DataType ResolveIn(const std::string& fn, Args& args);
Value EvaluateIn(const std::string& fn, const DataType& type, Values& args);

// conditional.cpp: case coalesce greatest least nullif, and cast's evaluation.
DataType ResolveConditional(const std::string& fn, Args& args);
DataType ResolveNullif(const std::string& fn, Args& args);
Value EvaluateCase(const std::string& fn, const DataType& type, Values& args);
Value EvaluateCoalesce(const std::string& fn, const DataType& type, Values& args);
Value EvaluateGreatestLeast(const std::string& fn, const DataType& type, Values& args);
Value EvaluateNullif(const std::string& fn, const DataType& type, Values& args);
Value EvaluateCast(const std::string& fn, const DataType& type, Values& args);

// arithmetic.cpp: + - * / % neg, round abs floor ceil ceiling.
DataType ResolveArithmetic(const std::string& fn, Args& args);
Value EvaluateArithmetic(const std::string& fn, const DataType& type, Values& args);
DataType ResolveNeg(const std::string& fn, Args& args);
Value EvaluateNeg(const std::string& fn, const DataType& type, Values& args);
DataType ResolveRound(const std::string& fn, Args& args);
Value EvaluateRound(const std::string& fn, const DataType& type, Values& args);
DataType ResolveAbsFloorCeil(const std::string& fn, Args& args);
Value EvaluateAbs(const std::string& fn, const DataType& type, Values& args);
Value EvaluateFloorCeil(const std::string& fn, const DataType& type, Values& args);

// text.cpp: like ilike || lower upper trim length substr substring.
DataType ResolveLike(const std::string& fn, Args& args);
Value EvaluateLike(const std::string& fn, const DataType& type, Values& args);
DataType ResolveConcat(const std::string& fn, Args& args);
Value EvaluateConcat(const std::string& fn, const DataType& type, Values& args);
DataType ResolveTextToText(const std::string& fn, Args& args);
Value EvaluateChangeCase(const std::string& fn, const DataType& type, Values& args);
Value EvaluateTrim(const std::string& fn, const DataType& type, Values& args);
DataType ResolveLength(const std::string& fn, Args& args);
Value EvaluateLength(const std::string& fn, const DataType& type, Values& args);
DataType ResolveSubstr(const std::string& fn, Args& args);
Value EvaluateSubstr(const std::string& fn, const DataType& type, Values& args);

// datetime.cpp: date_trunc extract date_part age current_date.
DataType ResolveDateTrunc(const std::string& fn, Args& args);
Value EvaluateDateTrunc(const std::string& fn, const DataType& type, Values& args);
DataType ResolveExtract(const std::string& fn, Args& args);
Value EvaluateExtract(const std::string& fn, const DataType& type, Values& args);
DataType ResolveAge(const std::string& fn, Args& args);
Value EvaluateAge(const std::string& fn, const DataType& type, Values& args);
DataType ResolveCurrentDate(const std::string& fn, Args& args);
Value EvaluateCurrentDate(const std::string& fn, const DataType& type, Values& args);

}  // namespace fedgate::planner::function
