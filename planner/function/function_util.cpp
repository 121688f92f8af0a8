#include "planner/function/function_util.h"

#include <algorithm>

#include "common/date.h"
#include "common/error.h"
#include "planner/function/functions.h"

namespace fedgate::planner::function {

namespace {

bool Is(const DataType& t, TypeId id) {
  return t.id == id;
}

}  // namespace

[[noreturn]] void TypeError(const std::string& fn, const std::vector<BoundExprPtr>& args) {
  std::string types;
  for (const auto& a : args) types += (types.empty() ? "" : ", ") + a->type.ToString();
  ThrowInvalid("function or operator " + fn + " does not accept (" + types + ")");
}

void WantArgs(const std::string& fn, const std::vector<BoundExprPtr>& args, size_t n) {
  if (args.size() != n) {
    ThrowInvalid("function " + fn + " takes " + std::to_string(n) + " argument(s), got " +
                 std::to_string(args.size()));
  }
}

void TextArg(const std::string& fn, std::vector<BoundExprPtr>& args, size_t i) {
  if (args[i]->untyped_literal || args[i]->type.id == TypeId::kNull) {
    args[i] = CastTo(std::move(args[i]), DataType::Text());
  }
  if (args[i]->type.id != TypeId::kText) TypeError(fn, args);
}

DataType CommonNumeric(const DataType& a, const DataType& b) {
  if (Is(a, TypeId::kDouble) || Is(b, TypeId::kDouble)) return DataType::Double();
  if (Is(a, TypeId::kDecimal) || Is(b, TypeId::kDecimal)) {
    return DataType::Decimal(
        std::max(Is(a, TypeId::kDecimal) ? a.scale : 0, Is(b, TypeId::kDecimal) ? b.scale : 0));
  }
  return DataType::Int64();
}

// The type several values unify to (CASE results, COALESCE, IN lists, comparisons).
std::optional<DataType> CommonType(const std::vector<DataType>& types) {
  std::optional<DataType> out;
  for (const auto& t : types) {
    if (t.id == TypeId::kNull) continue;
    if (!out) {
      out = t;
    } else if (out->IsNumeric() && t.IsNumeric()) {
      out = CommonNumeric(*out, t);
    } else if (IsDateLike(*out) && IsDateLike(t)) {
      if (t.id == TypeId::kTimestamp) out = t;
    } else if (!(out->id == t.id)) {
      return std::nullopt;
    }
  }
  return out ? out : std::optional<DataType>(DataType::Null());
}

// Casts untyped string literals among `args` (from `first`) to the type of the typed ones.
void CoerceLiterals(std::vector<BoundExprPtr>& args, size_t first) {
  std::optional<DataType> target;
  for (size_t i = first; i < args.size(); ++i) {
    if (!args[i]->untyped_literal && args[i]->type.id != TypeId::kNull) {
      target = args[i]->type;
      break;
    }
  }
  if (!target || target->id == TypeId::kText) return;
  for (size_t i = first; i < args.size(); ++i) {
    if (args[i]->untyped_literal) args[i] = CastTo(std::move(args[i]), *target);
  }
}

bool Comparable(const DataType& a, const DataType& b) {
  if (a.id == TypeId::kNull || b.id == TypeId::kNull) return true;
  if (a.IsNumeric() && b.IsNumeric()) return true;
  if (IsDateLike(a) && IsDateLike(b)) return true;
  return a.id == b.id;
}

int64_t CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) ThrowInvalid("bigint out of range");
  return r;
}
int64_t CheckedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) ThrowInvalid("bigint out of range");
  return r;
}

int64_t Rescale(int64_t v, int from, int to) {
  if (from == to) return v;
  if (from < to) return CheckedMul(v, Pow10(to - from));
  int64_t div = Pow10(from - to);
  return (v >= 0 ? v + div / 2 : v - div / 2) / div;
}

int64_t DecimalOf(const Value& v, int scale) {
  if (v.type.id == TypeId::kDecimal) return Rescale(v.i, v.type.scale, scale);
  return CheckedMul(v.i, Pow10(scale));
}

int64_t AddInterval(int64_t micros, const Interval& iv) {
  int64_t day = micros >= 0 ? micros / kDayMicros : (micros - kDayMicros + 1) / kDayMicros;
  int64_t time = micros - day * kDayMicros;
  if (iv.months != 0) {
    CivilDate c = CivilFromDays(static_cast<int32_t>(day));
    int total = c.year * 12 + (c.month - 1) + iv.months;
    int year = total >= 0 ? total / 12 : (total - 11) / 12;
    int month = total - year * 12 + 1;
    day = DaysFromCivil(year, month, std::min(c.day, DaysInMonth(year, month)));
  }
  return (day + iv.days) * kDayMicros + time + iv.micros;
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

Value TimestampOf(const Value& v) {
  return v.type.id == TypeId::kDate ? Value::Timestamp(v.i * kDayMicros) : v;
}

}  // namespace fedgate::planner::function
