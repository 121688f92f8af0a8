// The aggregate functions fedgate computes itself (the executor's hash_aggregate.cpp holds
// their state); a new aggregate is a row here, its typing in AggregateType, and its state.

#include "common/error.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

bool IsAggregateFunction(const std::string& fn) {
  return fn == "count" || fn == "sum" || fn == "avg" || fn == "min" || fn == "max" ||
         fn == "percentile_cont" || fn == "percentile_disc" || fn == "mode" || fn == "median";
}

DataType AggregateType(const std::string& fn, const DataType& arg) {
  if (fn == "count" || fn == "count_star") return DataType::Int64();
  if (fn == "avg") {
    if (!arg.IsNumeric()) ThrowInvalid("function avg(" + arg.ToString() + ") does not exist");
    return DataType::Double();
  }
  if (fn == "sum") {
    if (!arg.IsNumeric()) {
      ThrowInvalid("function sum(" + arg.ToString() + ") does not exist");
    }
    return arg;
  }
  if (arg.id == TypeId::kPseudonym) ThrowInvalid("function " + fn + "(person_id) is not allowed");
  if (fn == "percentile_cont") {
    // Interpolates: a number (PostgreSQL's double precision).
    if (!arg.IsNumeric())
      ThrowInvalid("function percentile_cont(" + arg.ToString() + ") does not exist (it " +
                   "interpolates numbers; percentile_disc takes any ordered type)");
    return DataType::Double();
  }
  return arg;  // min, max, percentile_disc, mode
}

Value SumResult(const DataType& in, __int128 exact, double inexact) {
  if (in.id == TypeId::kDouble) return Value::Double(inexact);
  if (exact > INT64_MAX || exact < INT64_MIN) ThrowInvalid("sum out of range for " + in.ToString());
  return in.id == TypeId::kDecimal ? Value::Decimal(static_cast<int64_t>(exact), in.scale)
                                   : Value::Int(static_cast<int64_t>(exact));
}

Value MeanResult(const DataType& in, __int128 exact, double inexact, int64_t count) {
  if (in.id == TypeId::kDouble) return Value::Double(inexact / static_cast<double>(count));
  const double scale = in.id == TypeId::kDecimal ? static_cast<double>(Pow10(in.scale)) : 1.0;
  return Value::Double(static_cast<double>(exact) / scale / static_cast<double>(count));
}

}  // namespace fedgate::planner
