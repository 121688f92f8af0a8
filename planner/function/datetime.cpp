// Dates and times: date_trunc, extract/date_part, age, current_date.

#include <cctype>
#include <cmath>
#include <ctime>

#include "common/date.h"
#include "common/error.h"
#include "planner/function/builtins.h"
#include "planner/function/function_util.h"
#include "planner/function/functions.h"

namespace fedgate::planner::function {

namespace {

// PostgreSQL's age(): field-by-field difference with borrowing.
Interval Age(int64_t later, int64_t earlier) {
  bool negate = later < earlier;
  if (negate) std::swap(later, earlier);
  auto split = [](int64_t m, CivilDate& d, int64_t& time) {
    int64_t day = m >= 0 ? m / kDayMicros : (m - kDayMicros + 1) / kDayMicros;
    d = CivilFromDays(static_cast<int32_t>(day));
    time = m - day * kDayMicros;
  };
  CivilDate a, b;
  int64_t ta, tb;
  split(later, a, ta);
  split(earlier, b, tb);
  int64_t time = ta - tb;
  int days = a.day - b.day, months = a.month - b.month, years = a.year - b.year;
  if (time < 0) {
    time += kDayMicros;
    --days;
  }
  if (days < 0) {
    days += DaysInMonth(b.year, b.month);
    --months;
  }
  if (months < 0) {
    months += 12;
    --years;
  }
  Interval iv{years * 12 + months, days, time};
  if (negate) iv = Interval{-iv.months, -iv.days, -iv.micros};
  return iv;
}

int32_t Today() {
  std::time_t now = std::time(nullptr);
  return static_cast<int32_t>(now / 86400);
}

double ExtractField(const std::string& field, const Value& v) {
  if (v.type.id == TypeId::kInterval) {
    const Interval& iv = v.iv;
    if (field == "year" || field == "years") return iv.months / 12;
    if (field == "month" || field == "months" || field == "mon") return iv.months % 12;
    if (field == "day" || field == "days") return iv.days;
    if (field == "hour") return static_cast<double>(iv.micros / 3600000000LL);
    if (field == "minute") return static_cast<double>(iv.micros / 60000000LL % 60);
    if (field == "second") return static_cast<double>(iv.micros % 60000000LL) / 1e6;
    if (field == "epoch") {
      return iv.months / 12 * 365.25 * 86400 + iv.months % 12 * 30.0 * 86400 + iv.days * 86400.0 +
             static_cast<double>(iv.micros) / 1e6;
    }
    ThrowInvalid("interval units \"" + field + "\" not supported");
  }
  int64_t micros = TimestampOf(v).i;
  int64_t day = micros >= 0 ? micros / kDayMicros : (micros - kDayMicros + 1) / kDayMicros;
  int64_t time = micros - day * kDayMicros;
  CivilDate c = CivilFromDays(static_cast<int32_t>(day));
  int dow = static_cast<int>(((day % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday (4)
  if (field == "year") return c.year;
  if (field == "month") return c.month;
  if (field == "day") return c.day;
  if (field == "quarter") return (c.month - 1) / 3 + 1;
  if (field == "dow") return dow;
  if (field == "isodow") return dow == 0 ? 7 : dow;
  if (field == "doy") return static_cast<double>(day - DaysFromCivil(c.year, 1, 1) + 1);
  if (field == "decade") return std::floor(c.year / 10.0);
  if (field == "century") return c.year > 0 ? (c.year + 99) / 100 : -((99 - c.year) / 100);
  if (field == "hour") return static_cast<double>(time / 3600000000LL);
  if (field == "minute") return static_cast<double>(time / 60000000LL % 60);
  if (field == "second") return static_cast<double>(time % 60000000LL) / 1e6;
  if (field == "epoch") return static_cast<double>(micros) / 1e6;
  if (field == "week" || field == "isoyear") {
    // ISO 8601: the week with the year's first Thursday is week 1.
    int64_t thursday = day - ((dow + 6) % 7) + 3;
    CivilDate t = CivilFromDays(static_cast<int32_t>(thursday));
    if (field == "isoyear") return t.year;
    return static_cast<double>((thursday - DaysFromCivil(t.year, 1, 1)) / 7 + 1);
  }
  ThrowInvalid("unit \"" + field + "\" not recognized for extract");
}

Value DateTrunc(const std::string& unit, const Value& v) {
  int64_t micros = TimestampOf(v).i;
  int64_t day = micros >= 0 ? micros / kDayMicros : (micros - kDayMicros + 1) / kDayMicros;
  int64_t time = micros - day * kDayMicros;
  CivilDate c = CivilFromDays(static_cast<int32_t>(day));
  int64_t out_day = day, out_time = 0;
  if (unit == "year")
    out_day = DaysFromCivil(c.year, 1, 1);
  else if (unit == "quarter")
    out_day = DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1);
  else if (unit == "month")
    out_day = DaysFromCivil(c.year, c.month, 1);
  else if (unit == "week")
    out_day = day - ((((day % 7) + 7 + 4) % 7 + 6) % 7);
  else if (unit == "day")
    out_day = day;
  else if (unit == "hour")
    out_time = time / 3600000000LL * 3600000000LL;
  else if (unit == "minute")
    out_time = time / 60000000LL * 60000000LL;
  else if (unit == "second")
    out_time = time / 1000000LL * 1000000LL;
  else
    ThrowInvalid("unit \"" + unit + "\" not recognized for date_trunc");
  return Value::Timestamp(out_day * kDayMicros + out_time);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

DataType ResolveDateTrunc(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  TextArg(fn, args, 0);
  if (args[1]->untyped_literal) args[1] = CastTo(std::move(args[1]), DataType::Timestamp());
  if (!IsDateLike(args[1]->type)) TypeError(fn, args);
  return DataType::Timestamp();
}

Value EvaluateDateTrunc(const std::string&, const DataType&, Values& args) {
  return DateTrunc(Lower(args[0].s), args[1]);
}

DataType ResolveExtract(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  TextArg(fn, args, 0);
  if (args[1]->untyped_literal) args[1] = CastTo(std::move(args[1]), DataType::Timestamp());
  if (!IsDateLike(args[1]->type) && args[1]->type.id != TypeId::kInterval) TypeError(fn, args);
  return DataType::Double();
}

Value EvaluateExtract(const std::string&, const DataType&, Values& args) {
  return Value::Double(ExtractField(Lower(args[0].s), args[1]));
}

DataType ResolveAge(const std::string& fn, Args& args) {
  if (args.size() != 1 && args.size() != 2) WantArgs(fn, args, 1);
  for (auto& a : args) {
    if (a->untyped_literal) a = CastTo(std::move(a), DataType::Timestamp());
    if (!IsDateLike(a->type)) TypeError(fn, args);
  }
  return DataType::Interval();
}

Value EvaluateAge(const std::string&, const DataType&, Values& args) {
  int64_t later =
      args.size() == 2 ? TimestampOf(args[0]).i : static_cast<int64_t>(Today()) * kDayMicros;
  int64_t earlier = TimestampOf(args.size() == 2 ? args[1] : args[0]).i;
  Value out = Value::Make(DataType::Interval(), false, 0);
  out.iv = Age(later, earlier);
  return out;
}

DataType ResolveCurrentDate(const std::string&, Args&) {
  return DataType::Date();
}

Value EvaluateCurrentDate(const std::string&, const DataType&, Values&) {
  return Value::Date(Today());
}

}  // namespace fedgate::planner::function
