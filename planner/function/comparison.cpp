// Comparison, logic, NULL and truth tests, IN.

#include "common/error.h"
#include "planner/function/builtins.h"
#include "planner/function/function_util.h"
#include "planner/function/functions.h"

namespace fedgate::planner::function {

DataType ResolveComparison(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  CoerceLiterals(args);
  if (!Comparable(args[0]->type, args[1]->type)) TypeError(fn, args);
  if ((args[0]->type.id == TypeId::kPseudonym || args[1]->type.id == TypeId::kPseudonym) &&
      fn != "=" && fn != "<>" && fn != "is_distinct_from" && fn != "is_not_distinct_from") {
    ThrowInvalid("person_id can only be compared for equality");
  }
  return DataType::Bool();
}

Value EvaluateComparison(const std::string& fn, const DataType&, Values& args) {
  Value a = args[0], b = args[1];
  if (a.type.id != b.type.id && IsDateLike(a.type) && IsDateLike(b.type)) {
    a = TimestampOf(a);
    b = TimestampOf(b);
  }
  const int c = CompareValues(a, b);
  if (fn == "=") return Value::Bool(c == 0);
  if (fn == "<>") return Value::Bool(c != 0);
  if (fn == "<") return Value::Bool(c < 0);
  if (fn == "<=") return Value::Bool(c <= 0);
  if (fn == ">") return Value::Bool(c > 0);
  return Value::Bool(c >= 0);
}

Value EvaluateIsDistinctFrom(const std::string& fn, const DataType&, Values& args) {
  bool distinct =
      args[0].null != args[1].null || (!args[0].null && CompareValues(args[0], args[1]) != 0);
  return Value::Bool(fn == "is_distinct_from" ? distinct : !distinct);
}

DataType ResolveLogic(const std::string& fn, Args& args) {
  for (auto& a : args) {
    if (a->untyped_literal) a = CastTo(std::move(a), DataType::Bool());
    if (a->type.id != TypeId::kBool && a->type.id != TypeId::kNull) {
      ThrowInvalid("argument of " +
                   std::string(fn == "not"   ? "NOT"
                               : fn == "and" ? "AND"
                                             : "OR") +
                   " must be type boolean, not type " + a->type.ToString());
    }
  }
  return DataType::Bool();
}

Value EvaluateAnd(const std::string&, const DataType&, Values& args) {
  bool any_null = false;
  for (const auto& a : args) {
    if (a.null)
      any_null = true;
    else if (!a.i)
      return Value::Bool(false);
  }
  return any_null ? Value::Null(DataType::Bool()) : Value::Bool(true);
}

Value EvaluateOr(const std::string&, const DataType&, Values& args) {
  bool any_null = false;
  for (const auto& a : args) {
    if (a.null)
      any_null = true;
    else if (a.i)
      return Value::Bool(true);
  }
  return any_null ? Value::Null(DataType::Bool()) : Value::Bool(false);
}

Value EvaluateNot(const std::string&, const DataType&, Values& args) {
  return Value::Bool(!args[0].i);
}

DataType ResolveNullTest(const std::string&, Args&) {
  return DataType::Bool();
}

DataType ResolveTruthTest(const std::string& fn, Args& args) {
  if (args[0]->type.id != TypeId::kBool && args[0]->type.id != TypeId::kNull) TypeError(fn, args);
  return DataType::Bool();
}

Value EvaluateNullTest(const std::string& fn, const DataType&, Values& args) {
  return Value::Bool(fn == "is_null" ? args[0].null : !args[0].null);
}

Value EvaluateTruthTest(const std::string& fn, const DataType&, Values& args) {
  const Value& a = args[0];
  if (fn == "is_true") return Value::Bool(!a.null && a.i);
  if (fn == "is_not_true") return Value::Bool(a.null || !a.i);
  if (fn == "is_false") return Value::Bool(!a.null && !a.i);
  return Value::Bool(a.null || a.i);  // is_not_false
}

DataType ResolveIn(const std::string&, Args& args) {
  CoerceLiterals(args);
  for (size_t i = 1; i < args.size(); ++i) {
    if (!Comparable(args[0]->type, args[i]->type)) TypeError("IN", args);
  }
  return DataType::Bool();
}

Value EvaluateIn(const std::string&, const DataType&, Values& args) {
  if (args[0].null) return Value::Null(DataType::Bool());
  bool any_null = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i].null)
      any_null = true;
    else if (CompareValues(IsDateLike(args[0].type) ? TimestampOf(args[0]) : args[0],
                           IsDateLike(args[i].type) ? TimestampOf(args[i]) : args[i]) == 0) {
      return Value::Bool(true);
    }
  }
  return any_null ? Value::Null(DataType::Bool()) : Value::Bool(false);
}

}  // namespace fedgate::planner::function
