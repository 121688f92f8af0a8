// Arithmetic on numbers, dates, timestamps and intervals; round abs floor ceil.

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "planner/function/builtins.h"
#include "planner/function/function_util.h"
#include "planner/function/functions.h"

namespace fedgate::planner::function {

// + - * / %: numbers as PostgreSQL (bigint / bigint stays bigint), date +/- days,
// date - date in days, timestamp +/- interval, timestamp - timestamp, interval arithmetic.
DataType ResolveArithmetic(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  DataType a = args[0]->type, b = args[1]->type;
  if (args[0]->untyped_literal && (b.IsNumeric() || IsDateLike(b))) {
    args[0] = CastTo(std::move(args[0]), b.IsNumeric() ? b : DataType::Interval());
    a = args[0]->type;
  }
  if (args[1]->untyped_literal) {
    args[1] = CastTo(std::move(args[1]), a.IsNumeric() ? a : DataType::Interval());
    b = args[1]->type;
  }
  if (a.id == TypeId::kNull || b.id == TypeId::kNull) return a.id == TypeId::kNull ? b : a;
  if (a.IsNumeric() && b.IsNumeric()) {
    if (fn == "/") {
      if (a.id == TypeId::kInt64 && b.id == TypeId::kInt64) return DataType::Int64();
      return DataType::Double();
    }
    if (fn == "*" && a.id == TypeId::kDecimal && b.id == TypeId::kDecimal) {
      return DataType::Decimal(a.scale + b.scale);
    }
    if (fn == "%" && (a.id == TypeId::kDouble || b.id == TypeId::kDouble)) TypeError(fn, args);
    return CommonNumeric(a, b);
  }
  if (fn == "+" && a.id == TypeId::kInt64 && b.id == TypeId::kDate) {
    std::swap(args[0], args[1]);
    return DataType::Date();
  }
  if ((fn == "+" || fn == "-") && a.id == TypeId::kDate && b.id == TypeId::kInt64)
    return DataType::Date();
  if (fn == "-" && a.id == TypeId::kDate && b.id == TypeId::kDate) return DataType::Int64();
  if (fn == "+" && a.id == TypeId::kInterval && IsDateLike(b)) {
    std::swap(args[0], args[1]);
    return DataType::Timestamp();
  }
  if ((fn == "+" || fn == "-") && IsDateLike(a) && b.id == TypeId::kInterval)
    return DataType::Timestamp();
  if (fn == "-" && IsDateLike(a) && IsDateLike(b)) return DataType::Interval();
  if ((fn == "+" || fn == "-") && a.id == TypeId::kInterval && b.id == TypeId::kInterval) return a;
  if ((fn == "*" || fn == "/") && a.id == TypeId::kInterval && b.IsNumeric()) return a;
  TypeError(fn, args);
}

namespace {

Value IntervalArithmetic(const std::string& fn, const Value& a, const Value& b) {
  Value out = Value::Make(DataType::Interval(), false, 0);
  if (a.type.id == TypeId::kInterval && b.type.id == TypeId::kInterval) {
    int sign = fn == "+" ? 1 : -1;
    out.iv = Interval{a.iv.months + sign * b.iv.months, a.iv.days + sign * b.iv.days,
                      a.iv.micros + sign * b.iv.micros};
  } else if (a.type.id == TypeId::kInterval) {
    double f = fn == "*" ? b.AsDouble() : 1.0 / b.AsDouble();
    out.iv = Interval{static_cast<int32_t>(a.iv.months * f), static_cast<int32_t>(a.iv.days * f),
                      static_cast<int64_t>(a.iv.micros * f)};
  } else {  // timestamp - timestamp
    int64_t diff = TimestampOf(a).i - TimestampOf(b).i;
    out.iv = Interval{0, static_cast<int32_t>(diff / kDayMicros), diff % kDayMicros};
  }
  return out;
}

}  // namespace

Value EvaluateArithmetic(const std::string& fn, const DataType& type, Values& args) {
  const Value &a = args[0], &b = args[1];
  const char op = fn[0];
  if (type.id == TypeId::kInt64 && a.type.id == TypeId::kInt64 && b.type.id == TypeId::kInt64) {
    if (op == '+') return Value::Int(CheckedAdd(a.i, b.i));
    if (op == '-') return Value::Int(CheckedAdd(a.i, -b.i));
    if (op == '*') return Value::Int(CheckedMul(a.i, b.i));
    if (b.i == 0) ThrowInvalid("division by zero");
    return Value::Int(op == '/' ? a.i / b.i : a.i % b.i);
  }
  if (type.id == TypeId::kDecimal) {
    if (op == '*') {
      int sa = a.type.id == TypeId::kDecimal ? a.type.scale : 0;
      int sb = b.type.id == TypeId::kDecimal ? b.type.scale : 0;
      return Value::Decimal(Rescale(CheckedMul(a.i, b.i), sa + sb, type.scale), type.scale);
    }
    int64_t x = DecimalOf(a, type.scale), y = DecimalOf(b, type.scale);
    if (op == '+') return Value::Decimal(CheckedAdd(x, y), type.scale);
    if (op == '-') return Value::Decimal(CheckedAdd(x, -y), type.scale);
    if (y == 0) ThrowInvalid("division by zero");
    return Value::Decimal(x % y, type.scale);
  }
  if (type.id == TypeId::kDouble && a.type.IsNumeric() && b.type.IsNumeric()) {
    double x = a.AsDouble(), y = b.AsDouble();
    if (op == '+') return Value::Double(x + y);
    if (op == '-') return Value::Double(x - y);
    if (op == '*') return Value::Double(x * y);
    if (y == 0) ThrowInvalid("division by zero");
    return Value::Double(x / y);
  }
  if (type.id == TypeId::kDate)
    return Value::Date(static_cast<int32_t>(op == '+' ? a.i + b.i : a.i - b.i));
  if (type.id == TypeId::kInt64 && a.type.id == TypeId::kDate) return Value::Int(a.i - b.i);
  if (type.id == TypeId::kTimestamp) {
    Interval iv = b.iv;
    if (op == '-') iv = Interval{-iv.months, -iv.days, -iv.micros};
    return Value::Timestamp(AddInterval(TimestampOf(a).i, iv));
  }
  if (type.id == TypeId::kInterval) return IntervalArithmetic(fn, a, b);
  throw Error(ErrorCode::kInternal, "no evaluator for function " + fn);
}

DataType ResolveNeg(const std::string& fn, Args& args) {
  WantArgs(fn, args, 1);
  if (!args[0]->type.IsNumeric() && args[0]->type.id != TypeId::kInterval) TypeError("-", args);
  return args[0]->type;
}

Value EvaluateNeg(const std::string&, const DataType&, Values& args) {
  Value v = args[0];
  if (v.type.id == TypeId::kDouble)
    v.d = -v.d;
  else if (v.type.id == TypeId::kInterval)
    v.iv = Interval{-v.iv.months, -v.iv.days, -v.iv.micros};
  else
    v.i = -v.i;
  return v;
}

DataType ResolveRound(const std::string& fn, Args& args) {
  if (args.size() != 1 && args.size() != 2) WantArgs(fn, args, 1);
  if (!args[0]->type.IsNumeric()) TypeError(fn, args);
  if (args.size() == 2) {
    if (args[1]->kind != BoundKind::kConstant || args[1]->type.id != TypeId::kInt64) {
      ThrowInvalid("round(x, n) needs a constant whole number n");
    }
    int n = static_cast<int>(std::clamp<int64_t>(args[1]->value.i, 0, 12));
    return args[0]->type.id == TypeId::kDouble ? DataType::Double() : DataType::Decimal(n);
  }
  return args[0]->type.id == TypeId::kDecimal ? DataType::Decimal(0) : args[0]->type;
}

Value EvaluateRound(const std::string&, const DataType& type, Values& args) {
  const Value& x = args[0];
  if (type.id == TypeId::kDouble) {
    double f = args.size() == 2 ? std::pow(10.0, static_cast<double>(args[1].i)) : 1.0;
    return Value::Double(args.size() == 2 ? std::round(x.d * f) / f : std::nearbyint(x.d));
  }
  if (x.type.id == TypeId::kInt64)
    return type.id == TypeId::kDecimal ? Value::Decimal(x.i * Pow10(type.scale), type.scale) : x;
  return Value::Decimal(Rescale(x.i, x.type.scale, type.scale), type.scale);
}

DataType ResolveAbsFloorCeil(const std::string& fn, Args& args) {
  WantArgs(fn, args, 1);
  if (!args[0]->type.IsNumeric()) TypeError(fn, args);
  if ((fn != "abs") && args[0]->type.id == TypeId::kDecimal) return DataType::Decimal(0);
  return args[0]->type;
}

Value EvaluateAbs(const std::string&, const DataType&, Values& args) {
  Value v = args[0];
  if (v.type.id == TypeId::kDouble)
    v.d = std::fabs(v.d);
  else
    v.i = v.i < 0 ? -v.i : v.i;
  return v;
}

Value EvaluateFloorCeil(const std::string& fn, const DataType&, Values& args) {
  const Value& x = args[0];
  bool up = fn != "floor";
  if (x.type.id == TypeId::kDouble) return Value::Double(up ? std::ceil(x.d) : std::floor(x.d));
  if (x.type.id == TypeId::kInt64) return x;
  int64_t div = Pow10(x.type.scale), q = x.i / div, r = x.i % div;
  if (r != 0 && up && x.i > 0) ++q;
  if (r != 0 && !up && x.i < 0) --q;
  return Value::Decimal(q, 0);
}

}  // namespace fedgate::planner::function
