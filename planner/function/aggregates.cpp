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

}  // namespace fedgate::planner
