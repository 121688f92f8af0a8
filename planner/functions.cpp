#include "planner/functions.h"

#include <algorithm>
#include <cctype>
#include <clocale>
#include <cmath>
#include <ctime>
#include <cwctype>
#include <set>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::planner {

namespace {

bool Is(const DataType& t, TypeId id) {
  return t.id == id;
}
bool IsDateLike(const DataType& t) {
  return t.id == TypeId::kDate || t.id == TypeId::kTimestamp;
}

[[noreturn]] void TypeError(const std::string& fn, const std::vector<BoundExprPtr>& args) {
  std::string types;
  for (const auto& a : args) types += (types.empty() ? "" : ", ") + a->type.ToString();
  ThrowInvalid("function or operator " + fn + " does not accept (" + types + ")");
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
void CoerceLiterals(std::vector<BoundExprPtr>& args, size_t first = 0) {
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

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

constexpr int64_t kDayMicros = 86400LL * 1000000;

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

Value TimestampOf(const Value& v) {
  return v.type.id == TypeId::kDate ? Value::Timestamp(v.i * kDayMicros) : v;
}

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

bool LikeMatch(const std::string& s, size_t si, const std::string& p, size_t pi, bool fold) {
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '%') {
      while (pi < p.size() && p[pi] == '%') ++pi;
      if (pi == p.size()) return true;
      for (size_t k = si; k <= s.size(); ++k) {
        if (LikeMatch(s, k, p, pi, fold)) return true;
      }
      return false;
    }
    if (si >= s.size()) return false;
    if (c == '_') {
      // One character: skip a whole UTF-8 sequence.
      ++si;
      while (si < s.size() && (static_cast<unsigned char>(s[si]) & 0xC0) == 0x80) ++si;
      ++pi;
      continue;
    }
    if (c == '\\' && pi + 1 < p.size()) c = p[++pi];
    char x = s[si];
    if (fold) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      x = static_cast<char>(std::tolower(static_cast<unsigned char>(x)));
    }
    if (c != x) return false;
    ++si;
    ++pi;
  }
  return si == s.size();
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

// Unicode upper or lower case, character by character as PostgreSQL does under a UTF-8
// locale (towupper_l/towlower_l of the C.UTF-8 locale); bytes that are not valid UTF-8 are
// kept as they are.
std::string Utf8ChangeCase(const std::string& s, bool upper) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += static_cast<char>(upper ? std::toupper(b) : std::tolower(b));
      ++i;
      continue;
    }
    const size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    bool valid = n > 0 && b < 0xF8 && i + n <= s.size();
    char32_t cp = n == 4 ? b & 0x07 : n == 3 ? b & 0x0F : b & 0x1F;
    for (size_t k = 1; valid && k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      valid = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!valid || utf8 == static_cast<locale_t>(0)) {
      out += s[i++];
      continue;
    }
    char32_t mapped = static_cast<char32_t>(upper ? towupper_l(static_cast<wint_t>(cp), utf8)
                                                  : towlower_l(static_cast<wint_t>(cp), utf8));
    if (mapped > 0x10FFFF) mapped = cp;
    if (mapped < 0x80) {
      out += static_cast<char>(mapped);
      i += n;
      continue;
    }
    if (mapped < 0x800) {
      out += static_cast<char>(0xC0 | (mapped >> 6));
    } else if (mapped < 0x10000) {
      out += static_cast<char>(0xE0 | (mapped >> 12));
      out += static_cast<char>(0x80 | ((mapped >> 6) & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (mapped >> 18));
      out += static_cast<char>(0x80 | ((mapped >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((mapped >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (mapped & 0x3F));
    i += n;
  }
  return out;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of the `chars`-th character (0-based); s.size() when past the end.
size_t Utf8Offset(const std::string& s, int64_t chars) {
  size_t i = 0;
  while (i < s.size() && chars > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --chars;
  }
  return i;
}

const std::set<std::string> kNonStrict = {"and",
                                          "or",
                                          "case",
                                          "coalesce",
                                          "in",
                                          "is_null",
                                          "is_not_null",
                                          "is_true",
                                          "is_not_true",
                                          "is_false",
                                          "is_not_false",
                                          "is_distinct_from",
                                          "is_not_distinct_from",
                                          "greatest",
                                          "least"};

}  // namespace

Interval ParseInterval(const std::string& text) {
  Interval iv;
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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
    if (number.empty() || number == "-" || number == "+") {
      ThrowInvalid("invalid input syntax for type interval: \"" + text + "\"");
    }
    if (i < t.size() && t[i] == ':') {  // hh:mm[:ss]
      size_t end = t.find_first_of(" ", i);
      std::string clock =
          t.substr(start, end == std::string::npos ? std::string::npos : end - start);
      int h = 0, m = 0;
      double s = 0;
      if (std::sscanf(clock.c_str(), "%d:%d:%lf", &h, &m, &s) < 2) {
        ThrowInvalid("invalid input syntax for type interval: \"" + text + "\"");
      }
      iv.micros += (static_cast<int64_t>(h) * 3600 + m * 60) * 1000000 + std::llround(s * 1e6);
      i = end == std::string::npos ? t.size() : end;
      any = true;
      continue;
    }
    skip();
    size_t ustart = i;
    while (i < t.size() && std::isalpha(static_cast<unsigned char>(t[i]))) ++i;
    std::string unit = t.substr(ustart, i - ustart);
    double n = std::stod(number);
    if (unit.rfind("year", 0) == 0 || unit == "y")
      iv.months += static_cast<int32_t>(n * 12);
    else if (unit.rfind("mon", 0) == 0)
      iv.months += static_cast<int32_t>(n);
    else if (unit.rfind("week", 0) == 0 || unit == "w")
      iv.days += static_cast<int32_t>(n * 7);
    else if (unit.rfind("day", 0) == 0 || unit == "d")
      iv.days += static_cast<int32_t>(n);
    else if (unit.rfind("hour", 0) == 0 || unit == "h")
      iv.micros += std::llround(n * 3600e6);
    else if (unit.rfind("min", 0) == 0 || unit == "m")
      iv.micros += std::llround(n * 60e6);
    else if (unit.rfind("sec", 0) == 0 || unit == "s")
      iv.micros += std::llround(n * 1e6);
    else
      ThrowInvalid("invalid input syntax for type interval: \"" + text + "\"");
    any = true;
  }
  if (!any) ThrowInvalid("invalid input syntax for type interval: \"" + text + "\"");
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
        Value exact = Value::Decimal(std::stoll((whole.empty() ? "0" : whole) + frac), frac_digits);
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
        }
        return Value::Timestamp(*d * kDayMicros +
                                (static_cast<int64_t>(h) * 3600 + m * 60) * 1000000 +
                                std::llround(s * 1e6));
      }
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

bool IsAggregateFunction(const std::string& fn) {
  return fn == "count" || fn == "sum" || fn == "avg" || fn == "min" || fn == "max";
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
  return arg;  // min, max
}

DataType ResolveCallType(const std::string& fn, std::vector<BoundExprPtr>& args) {
  auto want = [&](size_t n) {
    if (args.size() != n) {
      ThrowInvalid("function " + fn + " takes " + std::to_string(n) + " argument(s), got " +
                   std::to_string(args.size()));
    }
  };
  auto text_arg = [&](size_t i) {
    if (args[i]->untyped_literal || args[i]->type.id == TypeId::kNull) {
      args[i] = CastTo(std::move(args[i]), DataType::Text());
    }
    if (args[i]->type.id != TypeId::kText) TypeError(fn, args);
  };
  if (fn == "=" || fn == "<>" || fn == "<" || fn == "<=" || fn == ">" || fn == ">=" ||
      fn == "is_distinct_from" || fn == "is_not_distinct_from") {
    want(2);
    CoerceLiterals(args);
    if (!Comparable(args[0]->type, args[1]->type)) TypeError(fn, args);
    if ((args[0]->type.id == TypeId::kPseudonym || args[1]->type.id == TypeId::kPseudonym) &&
        fn != "=" && fn != "<>" && fn != "is_distinct_from" && fn != "is_not_distinct_from") {
      ThrowInvalid("person_id can only be compared for equality");
    }
    return DataType::Bool();
  }
  if (fn == "and" || fn == "or" || fn == "not") {
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
  if (fn == "is_null" || fn == "is_not_null") return DataType::Bool();
  if (fn == "is_true" || fn == "is_not_true" || fn == "is_false" || fn == "is_not_false") {
    if (args[0]->type.id != TypeId::kBool && args[0]->type.id != TypeId::kNull) TypeError(fn, args);
    return DataType::Bool();
  }
  if (fn == "like" || fn == "ilike") {
    want(2);
    text_arg(0);
    text_arg(1);
    return DataType::Bool();
  }
  if (fn == "in") {
    CoerceLiterals(args);
    std::vector<DataType> types;
    for (const auto& a : args) types.push_back(a->type);
    for (size_t i = 1; i < args.size(); ++i) {
      if (!Comparable(args[0]->type, args[i]->type)) TypeError("IN", args);
    }
    return DataType::Bool();
  }
  if (fn == "case" || fn == "coalesce" || fn == "greatest" || fn == "least" || fn == "nullif") {
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
    } else if (fn == "nullif") {
      want(2);
      CoerceLiterals(args);
      if (!Comparable(args[0]->type, args[1]->type)) TypeError(fn, args);
      return args[0]->type;
    } else {
      for (size_t i = 0; i < args.size(); ++i) results.push_back(i);
    }
    // Untyped literals take the type of the typed results; if all are untyped, text.
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
  if (fn == "+" || fn == "-" || fn == "*" || fn == "/" || fn == "%") {
    want(2);
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
    if ((fn == "+" || fn == "-") && a.id == TypeId::kInterval && b.id == TypeId::kInterval)
      return a;
    if ((fn == "*" || fn == "/") && a.id == TypeId::kInterval && b.IsNumeric()) return a;
    TypeError(fn, args);
  }
  if (fn == "neg") {
    want(1);
    if (!args[0]->type.IsNumeric() && args[0]->type.id != TypeId::kInterval) TypeError("-", args);
    return args[0]->type;
  }
  if (fn == "||") {
    want(2);
    for (auto& a : args) {
      if (a->type.id != TypeId::kText) a = CastTo(std::move(a), DataType::Text());
    }
    return DataType::Text();
  }
  if (fn == "lower" || fn == "upper" || fn == "trim") {
    want(1);
    text_arg(0);
    return DataType::Text();
  }
  if (fn == "length") {
    want(1);
    text_arg(0);
    return DataType::Int64();
  }
  if (fn == "substr" || fn == "substring") {
    if (args.size() != 2 && args.size() != 3) want(2);
    text_arg(0);
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i]->type.id != TypeId::kInt64) TypeError(fn, args);
    }
    return DataType::Text();
  }
  if (fn == "round") {
    if (args.size() != 1 && args.size() != 2) want(1);
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
  if (fn == "abs" || fn == "floor" || fn == "ceil" || fn == "ceiling") {
    want(1);
    if (!args[0]->type.IsNumeric()) TypeError(fn, args);
    if ((fn != "abs") && args[0]->type.id == TypeId::kDecimal) return DataType::Decimal(0);
    return args[0]->type;
  }
  if (fn == "date_trunc") {
    want(2);
    text_arg(0);
    if (args[1]->untyped_literal) args[1] = CastTo(std::move(args[1]), DataType::Timestamp());
    if (!IsDateLike(args[1]->type)) TypeError(fn, args);
    return DataType::Timestamp();
  }
  if (fn == "extract" || fn == "date_part") {
    want(2);
    text_arg(0);
    if (args[1]->untyped_literal) args[1] = CastTo(std::move(args[1]), DataType::Timestamp());
    if (!IsDateLike(args[1]->type) && args[1]->type.id != TypeId::kInterval) TypeError(fn, args);
    return DataType::Double();
  }
  if (fn == "age") {
    if (args.size() != 1 && args.size() != 2) want(1);
    for (auto& a : args) {
      if (a->untyped_literal) a = CastTo(std::move(a), DataType::Timestamp());
      if (!IsDateLike(a->type)) TypeError(fn, args);
    }
    return DataType::Interval();
  }
  if (fn == "current_date") return DataType::Date();
  ThrowInvalid("function " + fn + " is not supported");
}

const std::vector<std::string>& KnownFunctionNames() {
  static const std::vector<std::string> names = {"%",
                                                 "*",
                                                 "+",
                                                 "-",
                                                 "/",
                                                 "<",
                                                 "<=",
                                                 "<>",
                                                 "=",
                                                 ">",
                                                 ">=",
                                                 "abs",
                                                 "age",
                                                 "and",
                                                 "avg",
                                                 "case",
                                                 "cast",
                                                 "ceil",
                                                 "ceiling",
                                                 "coalesce",
                                                 "count",
                                                 "count_star",
                                                 "current_date",
                                                 "date_part",
                                                 "date_trunc",
                                                 "extract",
                                                 "floor",
                                                 "greatest",
                                                 "ilike",
                                                 "in",
                                                 "is_distinct_from",
                                                 "is_false",
                                                 "is_not_distinct_from",
                                                 "is_not_false",
                                                 "is_not_null",
                                                 "is_not_true",
                                                 "is_null",
                                                 "is_true",
                                                 "least",
                                                 "length",
                                                 "like",
                                                 "lower",
                                                 "max",
                                                 "min",
                                                 "neg",
                                                 "not",
                                                 "nullif",
                                                 "or",
                                                 "round",
                                                 "scalar_subquery",
                                                 "substr",
                                                 "substring",
                                                 "sum",
                                                 "trim",
                                                 "upper",
                                                 "||"};
  return names;
}

Value EvaluateCall(const std::string& fn, const DataType& type, std::vector<Value>& args) {
  // Dispatch on a hash of the name, computed once per call (FnHash: distinct for every
  // function name fedgate knows; see functions_test).
  const uint64_t h = FnHash(fn);
  if (!kNonStrict.count(fn)) {
    for (const auto& a : args) {
      if (a.null) return Value::Null(type);
    }
  }
  if (h == FnHash("and")) {
    bool any_null = false;
    for (const auto& a : args) {
      if (a.null)
        any_null = true;
      else if (!a.i)
        return Value::Bool(false);
    }
    return any_null ? Value::Null(DataType::Bool()) : Value::Bool(true);
  }
  if (h == FnHash("or")) {
    bool any_null = false;
    for (const auto& a : args) {
      if (a.null)
        any_null = true;
      else if (a.i)
        return Value::Bool(true);
    }
    return any_null ? Value::Null(DataType::Bool()) : Value::Bool(false);
  }
  if (h == FnHash("not")) return Value::Bool(!args[0].i);
  if (h == FnHash("is_null")) return Value::Bool(args[0].null);
  if (h == FnHash("is_not_null")) return Value::Bool(!args[0].null);
  if (h == FnHash("is_true")) return Value::Bool(!args[0].null && args[0].i);
  if (h == FnHash("is_not_true")) return Value::Bool(args[0].null || !args[0].i);
  if (h == FnHash("is_false")) return Value::Bool(!args[0].null && !args[0].i);
  if (h == FnHash("is_not_false")) return Value::Bool(args[0].null || args[0].i);
  if (h == FnHash("is_distinct_from") || h == FnHash("is_not_distinct_from")) {
    bool distinct =
        args[0].null != args[1].null || (!args[0].null && CompareValues(args[0], args[1]) != 0);
    return Value::Bool(h == FnHash("is_distinct_from") ? distinct : !distinct);
  }
  if (h == FnHash("=") || h == FnHash("<>") || h == FnHash("<") || h == FnHash("<=") ||
      h == FnHash(">") || h == FnHash(">=")) {
    Value a = args[0], b = args[1];
    if (a.type.id != b.type.id && IsDateLike(a.type) && IsDateLike(b.type)) {
      a = TimestampOf(a);
      b = TimestampOf(b);
    }
    int c = CompareValues(a, b);
    if (h == FnHash("=")) return Value::Bool(c == 0);
    if (h == FnHash("<>")) return Value::Bool(c != 0);
    if (h == FnHash("<")) return Value::Bool(c < 0);
    if (h == FnHash("<=")) return Value::Bool(c <= 0);
    if (h == FnHash(">")) return Value::Bool(c > 0);
    return Value::Bool(c >= 0);
  }
  if (h == FnHash("in")) {
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
  if (h == FnHash("case")) {
    for (size_t i = 0; i + 1 < args.size(); i += 2) {
      if (!args[i].null && args[i].i) return CastValue(args[i + 1], type);
    }
    return CastValue(args.back(), type);
  }
  if (h == FnHash("coalesce")) {
    for (const auto& a : args) {
      if (!a.null) return CastValue(a, type);
    }
    return Value::Null(type);
  }
  if (h == FnHash("greatest") || h == FnHash("least")) {
    const Value* best = nullptr;
    for (const auto& a : args) {
      if (a.null) continue;
      if (!best ||
          (h == FnHash("greatest") ? CompareValues(a, *best) > 0 : CompareValues(a, *best) < 0))
        best = &a;
    }
    return best ? CastValue(*best, type) : Value::Null(type);
  }
  if (h == FnHash("nullif"))
    return CompareValues(args[0], args[1]) == 0 ? Value::Null(type) : args[0];
  if (h == FnHash("cast")) {
    Value v = CastValue(args[0], type);
    v.type = type;
    return v;
  }
  if (h == FnHash("+") || h == FnHash("-") || h == FnHash("*") || h == FnHash("/") ||
      h == FnHash("%")) {
    const Value &a = args[0], &b = args[1];
    if (type.id == TypeId::kInt64 && a.type.id == TypeId::kInt64 && b.type.id == TypeId::kInt64) {
      if (h == FnHash("+")) return Value::Int(CheckedAdd(a.i, b.i));
      if (h == FnHash("-")) return Value::Int(CheckedAdd(a.i, -b.i));
      if (h == FnHash("*")) return Value::Int(CheckedMul(a.i, b.i));
      if (b.i == 0) ThrowInvalid("division by zero");
      return Value::Int(h == FnHash("/") ? a.i / b.i : a.i % b.i);
    }
    if (type.id == TypeId::kDecimal) {
      if (h == FnHash("*")) {
        int sa = a.type.id == TypeId::kDecimal ? a.type.scale : 0;
        int sb = b.type.id == TypeId::kDecimal ? b.type.scale : 0;
        return Value::Decimal(Rescale(CheckedMul(a.i, b.i), sa + sb, type.scale), type.scale);
      }
      int64_t x = DecimalOf(a, type.scale), y = DecimalOf(b, type.scale);
      if (h == FnHash("+")) return Value::Decimal(CheckedAdd(x, y), type.scale);
      if (h == FnHash("-")) return Value::Decimal(CheckedAdd(x, -y), type.scale);
      if (y == 0) ThrowInvalid("division by zero");
      return Value::Decimal(x % y, type.scale);
    }
    if (type.id == TypeId::kDouble && a.type.IsNumeric() && b.type.IsNumeric()) {
      double x = a.AsDouble(), y = b.AsDouble();
      if (h == FnHash("+")) return Value::Double(x + y);
      if (h == FnHash("-")) return Value::Double(x - y);
      if (h == FnHash("*")) return Value::Double(x * y);
      if (y == 0) ThrowInvalid("division by zero");
      return Value::Double(x / y);
    }
    if (type.id == TypeId::kDate)
      return Value::Date(static_cast<int32_t>(h == FnHash("+") ? a.i + b.i : a.i - b.i));
    if (type.id == TypeId::kInt64 && a.type.id == TypeId::kDate) return Value::Int(a.i - b.i);
    if (type.id == TypeId::kTimestamp) {
      Interval iv = b.iv;
      if (h == FnHash("-")) iv = Interval{-iv.months, -iv.days, -iv.micros};
      return Value::Timestamp(AddInterval(TimestampOf(a).i, iv));
    }
    if (type.id == TypeId::kInterval) {
      Value out = Value::Make(DataType::Interval(), false, 0);
      if (a.type.id == TypeId::kInterval && b.type.id == TypeId::kInterval) {
        int sign = h == FnHash("+") ? 1 : -1;
        out.iv = Interval{a.iv.months + sign * b.iv.months, a.iv.days + sign * b.iv.days,
                          a.iv.micros + sign * b.iv.micros};
      } else if (a.type.id == TypeId::kInterval) {
        double f = h == FnHash("*") ? b.AsDouble() : 1.0 / b.AsDouble();
        out.iv =
            Interval{static_cast<int32_t>(a.iv.months * f), static_cast<int32_t>(a.iv.days * f),
                     static_cast<int64_t>(a.iv.micros * f)};
      } else {  // timestamp - timestamp
        int64_t diff = TimestampOf(a).i - TimestampOf(b).i;
        out.iv = Interval{0, static_cast<int32_t>(diff / kDayMicros), diff % kDayMicros};
      }
      return out;
    }
  }
  if (h == FnHash("neg")) {
    Value v = args[0];
    if (v.type.id == TypeId::kDouble)
      v.d = -v.d;
    else if (v.type.id == TypeId::kInterval)
      v.iv = Interval{-v.iv.months, -v.iv.days, -v.iv.micros};
    else
      v.i = -v.i;
    return v;
  }
  if (h == FnHash("like") || h == FnHash("ilike"))
    return Value::Bool(LikeMatch(args[0].s, 0, args[1].s, 0, h == FnHash("ilike")));
  if (h == FnHash("||")) return Value::Text(args[0].s + args[1].s);
  if (h == FnHash("lower") || h == FnHash("upper"))
    return Value::Text(Utf8ChangeCase(args[0].s, h == FnHash("upper")));
  if (h == FnHash("trim")) {
    std::string s = args[0].s;
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return Value::Text(s);
  }
  if (h == FnHash("length")) return Value::Int(static_cast<int64_t>(Utf8Length(args[0].s)));
  if (h == FnHash("substr") || h == FnHash("substring")) {
    int64_t start = args[1].i, count = args.size() == 3 ? args[2].i : INT64_MAX / 2;
    if (args.size() == 3 && count < 0) ThrowInvalid("negative substring length not allowed");
    int64_t from = std::max<int64_t>(start, 1), to = start + count;  // [from, to) in 1-based chars
    if (to <= from) return Value::Text("");
    const std::string& s = args[0].s;
    size_t b = Utf8Offset(s, from - 1), e = Utf8Offset(s, to - 1);
    return Value::Text(s.substr(b, e - b));
  }
  if (h == FnHash("round")) {
    const Value& x = args[0];
    if (type.id == TypeId::kDouble) {
      double f = args.size() == 2 ? std::pow(10.0, static_cast<double>(args[1].i)) : 1.0;
      return Value::Double(args.size() == 2 ? std::round(x.d * f) / f : std::nearbyint(x.d));
    }
    if (x.type.id == TypeId::kInt64)
      return type.id == TypeId::kDecimal ? Value::Decimal(x.i * Pow10(type.scale), type.scale) : x;
    return Value::Decimal(Rescale(x.i, x.type.scale, type.scale), type.scale);
  }
  if (h == FnHash("abs")) {
    Value v = args[0];
    if (v.type.id == TypeId::kDouble)
      v.d = std::fabs(v.d);
    else
      v.i = v.i < 0 ? -v.i : v.i;
    return v;
  }
  if (h == FnHash("floor") || h == FnHash("ceil") || h == FnHash("ceiling")) {
    const Value& x = args[0];
    bool up = h != FnHash("floor");
    if (x.type.id == TypeId::kDouble) return Value::Double(up ? std::ceil(x.d) : std::floor(x.d));
    if (x.type.id == TypeId::kInt64) return x;
    int64_t div = Pow10(x.type.scale), q = x.i / div, r = x.i % div;
    if (r != 0 && up && x.i > 0) ++q;
    if (r != 0 && !up && x.i < 0) --q;
    return Value::Decimal(q, 0);
  }
  if (h == FnHash("date_trunc")) {
    std::string unit = args[0].s;
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return DateTrunc(unit, args[1]);
  }
  if (h == FnHash("extract") || h == FnHash("date_part")) {
    std::string field = args[0].s;
    for (char& c : field) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Value::Double(ExtractField(field, args[1]));
  }
  if (h == FnHash("age")) {
    int64_t later =
        args.size() == 2 ? TimestampOf(args[0]).i : static_cast<int64_t>(Today()) * kDayMicros;
    int64_t earlier = TimestampOf(args.size() == 2 ? args[1] : args[0]).i;
    Value out = Value::Make(DataType::Interval(), false, 0);
    out.iv = Age(later, earlier);
    return out;
  }
  if (h == FnHash("current_date")) return Value::Date(Today());
  throw Error(ErrorCode::kInternal, "no evaluator for function " + fn);
}

}  // namespace fedgate::planner
