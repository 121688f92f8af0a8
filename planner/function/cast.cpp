// CAST: converting values between types (CastValue), typing a cast at bind time (CastTo),
// and the interval input syntax.

#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "common/date.h"
#include "common/error.h"
#include "planner/function/function_util.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

using function::CheckedMul;
using function::IsDateLike;
using function::kDayMicros;
using function::Rescale;
using function::TimestampOf;

Interval ParseInterval(const std::string& text) {
  Interval iv;
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto bad = [&] { ThrowInvalid("invalid input syntax for type interval: \"" + text + "\""); };
  // Each field must fit its part of the interval, as PostgreSQL's "field value out of range".
  auto out_of_range = [&] { ThrowInvalid("interval field value out of range: \"" + text + "\""); };
  auto add32 = [&](int32_t& to, double x) {
    if (!(std::fabs(x) < 2147483648.0) || __builtin_add_overflow(to, static_cast<int32_t>(x), &to))
      out_of_range();
  };
  auto add_micros = [&](int64_t x) {
    if (__builtin_add_overflow(iv.micros, x, &iv.micros)) out_of_range();
  };
  auto micros_of = [&](double x) -> int64_t {
    if (!(std::fabs(x) < 9.2e18)) out_of_range();
    return std::llround(x);
  };
  size_t i = 0;
  auto skip = [&] {
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  };
  bool any = false;
  while (true) {
    skip();
    if (i >= t.size()) break;
    size_t start = i;
    if (t[i] == '-' || t[i] == '+') ++i;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
    std::string number = t.substr(start, i - start);
    if (number.empty() || number == "-" || number == "+") bad();
    if (i < t.size() && t[i] == ':') {  // hh:mm[:ss]
      size_t end = t.find_first_of(" ", i);
      std::string clock =
          t.substr(start, end == std::string::npos ? std::string::npos : end - start);
      int h = 0, m = 0;
      double s = 0;
      if (std::sscanf(clock.c_str(), "%d:%d:%lf", &h, &m, &s) < 2) bad();
      int64_t hours = 0, minutes = 0;
      if (__builtin_mul_overflow(static_cast<int64_t>(h), 3600000000LL, &hours) ||
          __builtin_mul_overflow(static_cast<int64_t>(m), 60000000LL, &minutes)) {
        out_of_range();
      }
      add_micros(hours);
      add_micros(minutes);
      add_micros(micros_of(s * 1e6));
      i = end == std::string::npos ? t.size() : end;
      any = true;
      continue;
    }
    skip();
    size_t ustart = i;
    while (i < t.size() && std::isalpha(static_cast<unsigned char>(t[i]))) ++i;
    std::string unit = t.substr(ustart, i - ustart);
    // A number is digits and dots here; one without a digit ('.', '-.') is no number.
    if (number.find_first_of("0123456789") == std::string::npos) bad();
    const double n = std::strtod(number.c_str(), nullptr);
    if (unit.rfind("year", 0) == 0 || unit == "y")
      add32(iv.months, n * 12);
    else if (unit.rfind("mon", 0) == 0)
      add32(iv.months, n);
    else if (unit.rfind("week", 0) == 0 || unit == "w")
      add32(iv.days, n * 7);
    else if (unit.rfind("day", 0) == 0 || unit == "d")
      add32(iv.days, n);
    else if (unit.rfind("hour", 0) == 0 || unit == "h")
      add_micros(micros_of(n * 3600e6));
    else if (unit.rfind("min", 0) == 0 || unit == "m")
      add_micros(micros_of(n * 60e6));
    else if (unit.rfind("sec", 0) == 0 || unit == "s")
      add_micros(micros_of(n * 1e6));
    else
      bad();
    any = true;
  }
  if (!any) bad();
  return iv;
}

Value CastValue(const Value& v, DataType type) {
  if (v.null) return Value::Null(type);
  const TypeId from = v.type.id;
  auto bad = [&]() -> Value {
    ThrowInvalid("invalid input syntax for type " + type.ToString() + ": \"" + v.ToString() + "\"");
  };
  switch (type.id) {
    case TypeId::kText:
      if (from == TypeId::kBool) return Value::Text(v.i ? "true" : "false");
      return Value::Text(v.ToString());
    case TypeId::kInt64:
      if (from == TypeId::kInt64 || from == TypeId::kBool) return Value::Int(v.i);
      if (from == TypeId::kDecimal) return Value::Int(Rescale(v.i, v.type.scale, 0));
      if (from == TypeId::kDouble) {
        if (!std::isfinite(v.d) || std::fabs(v.d) > 9.2e18) ThrowInvalid("bigint out of range");
        return Value::Int(static_cast<int64_t>(std::nearbyint(v.d)));
      }
      if (from == TypeId::kText) {
        std::string s = v.s;
        s.erase(0, s.find_first_not_of(' '));
        s.erase(s.find_last_not_of(' ') + 1);
        try {
          size_t used = 0;
          int64_t n = std::stoll(s, &used);
          if (used != s.size()) return bad();
          return Value::Int(n);
        } catch (const std::logic_error&) {
          return bad();
        }
      }
      break;
    case TypeId::kDecimal:
      if (from == TypeId::kInt64)
        return Value::Decimal(CheckedMul(v.i, Pow10(type.scale)), type.scale);
      if (from == TypeId::kDecimal)
        return Value::Decimal(Rescale(v.i, v.type.scale, type.scale), type.scale);
      if (from == TypeId::kDouble) {
        return Value::Decimal(std::llround(v.d * static_cast<double>(Pow10(type.scale))),
                              type.scale);
      }
      if (from == TypeId::kText) {
        const std::string& s = v.s;
        size_t dot = s.find('.');
        std::string whole = s.substr(0, dot),
                    frac = dot == std::string::npos ? "" : s.substr(dot + 1);
        bool negative = !whole.empty() && whole[0] == '-';
        if (negative || (!whole.empty() && whole[0] == '+')) whole.erase(0, 1);
        if ((whole.empty() && frac.empty()) ||
            whole.find_first_not_of("0123456789") != std::string::npos ||
            frac.find_first_not_of("0123456789") != std::string::npos) {
          return bad();
        }
        int frac_digits = static_cast<int>(frac.size());
        int64_t digits = 0;
        try {
          digits = std::stoll((whole.empty() ? "0" : whole) + frac);
        } catch (const std::out_of_range&) {
          ThrowInvalid("numeric field overflow: \"" + v.s + "\" does not fit decimal(18, " +
                       std::to_string(type.scale) + ")");
        }
        Value exact = Value::Decimal(digits, frac_digits);
        if (negative) exact.i = -exact.i;
        return Value::Decimal(Rescale(exact.i, frac_digits, type.scale), type.scale);
      }
      break;
    case TypeId::kDouble:
      if (v.type.IsNumeric()) return Value::Double(v.AsDouble());
      if (from == TypeId::kText) {
        try {
          size_t used = 0;
          double d = std::stod(v.s, &used);
          if (used != v.s.size()) return bad();
          return Value::Double(d);
        } catch (const std::logic_error&) {
          return bad();
        }
      }
      break;
    case TypeId::kBool:
      if (from == TypeId::kBool) return v;
      if (from == TypeId::kInt64) return Value::Bool(v.i != 0);
      if (from == TypeId::kText) {
        std::string s;
        for (char c : v.s) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (s == "t" || s == "true" || s == "yes" || s == "on" || s == "1")
          return Value::Bool(true);
        if (s == "f" || s == "false" || s == "no" || s == "off" || s == "0")
          return Value::Bool(false);
        return bad();
      }
      break;
    case TypeId::kDate:
      if (from == TypeId::kDate) return v;
      if (from == TypeId::kTimestamp) {
        return Value::Date(static_cast<int32_t>(v.i >= 0 ? v.i / kDayMicros
                                                         : (v.i - kDayMicros + 1) / kDayMicros));
      }
      if (from == TypeId::kText) {
        auto d = ParseIsoDate(v.s.size() > 10 ? v.s.substr(0, 10) : v.s);
        if (!d) return bad();
        return Value::Date(*d);
      }
      break;
    case TypeId::kTimestamp:
      if (from == TypeId::kTimestamp) return v;
      if (from == TypeId::kDate) return TimestampOf(v);
      if (from == TypeId::kText) {
        auto d = ParseIsoDate(v.s.substr(0, std::min<size_t>(10, v.s.size())));
        if (!d) return bad();
        int h = 0, m = 0;
        double s = 0;
        if (v.s.size() > 10) {
          if (std::sscanf(v.s.c_str() + 11, "%d:%d:%lf", &h, &m, &s) < 2) return bad();
          // A time of day (24:00:00 allowed, as PostgreSQL), so the sum below cannot overflow.
          if (h < 0 || h > 24 || m < 0 || m > 59 || !(s >= 0 && s < 61)) return bad();
        }
        return Value::Timestamp(*d * kDayMicros +
                                (static_cast<int64_t>(h) * 3600 + static_cast<int64_t>(m) * 60) *
                                    1000000 +
                                std::llround(s * 1e6));
      }
      break;
    case TypeId::kPseudonym:
      // A person key stays a person key (COALESCE, CASE and NULLIF pass one through); nothing
      // else becomes one, and the binder refuses a cast of one to anything else.
      if (from == TypeId::kPseudonym) return v;
      break;
    case TypeId::kInterval:
      if (from == TypeId::kInterval) return v;
      if (from == TypeId::kText) {
        Value out = Value::Make(DataType::Interval(), false, 0);
        out.iv = ParseInterval(v.s);
        return out;
      }
      break;
    default:
      break;
  }
  ThrowInvalid("cannot cast type " + v.type.ToString() + " to " + type.ToString());
}

BoundExprPtr CastTo(BoundExprPtr e, DataType type) {
  if (e->type == type) return e;
  if (e->kind == BoundKind::kConstant) {
    Value v = CastValue(e->value, type);
    v.type = type;
    return BoundExpr::Constant(std::move(v));
  }
  // Check the cast is possible at all, so errors come at bind time.
  const TypeId from = e->type.id, to = type.id;
  bool ok = to == TypeId::kText || from == TypeId::kNull || from == TypeId::kText ||
            (e->type.IsNumeric() && (type.IsNumeric() || to == TypeId::kBool)) ||
            (IsDateLike(e->type) && IsDateLike(type)) ||
            (from == TypeId::kBool && to == TypeId::kInt64);
  if (!ok || from == TypeId::kPseudonym || to == TypeId::kPseudonym) {
    ThrowInvalid("cannot cast type " + e->type.ToString() + " to " + type.ToString());
  }
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return BoundExpr::Call("cast", type, std::move(args));
}

}  // namespace fedgate::planner
