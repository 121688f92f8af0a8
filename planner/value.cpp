#include "planner/value.h"

#include <cmath>
#include <cstdio>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::planner {

double Value::AsDouble() const {
  switch (type.id) {
    case TypeId::kDouble:
      return d;
    case TypeId::kDecimal:
      return static_cast<double>(i) / static_cast<double>(Pow10(type.scale));
    default:
      return static_cast<double>(i);
  }
}

namespace {

std::string FormatDecimal(int64_t unscaled, int scale) {
  bool negative = unscaled < 0;
  uint64_t mag =
      negative ? static_cast<uint64_t>(-(unscaled + 1)) + 1 : static_cast<uint64_t>(unscaled);
  std::string digits = std::to_string(mag);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - scale, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

std::string FormatInterval(const Interval& iv) {
  std::string out;
  auto part = [&out](int64_t n, const char* unit) {
    if (n == 0) return;
    if (!out.empty()) out += " ";
    out += std::to_string(n) + " " + unit + (n == 1 || n == -1 ? "" : "s");
  };
  part(iv.months / 12, "year");
  part(iv.months % 12, "mon");
  part(iv.days, "day");
  if (iv.micros != 0 || out.empty()) {
    int64_t s = iv.micros / 1000000;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", iv.micros < 0 ? "-" : "",
                  static_cast<long long>(std::llabs(s) / 3600),
                  static_cast<long long>(std::llabs(s) / 60 % 60),
                  static_cast<long long>(std::llabs(s) % 60));
    if (!out.empty()) out += " ";
    out += buf;
  }
  return out;
}

}  // namespace

std::string Value::ToString() const {
  if (null) return "NULL";
  switch (type.id) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBool:
      return i ? "t" : "f";
    case TypeId::kInt64:
      return std::to_string(i);
    case TypeId::kDouble: {
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.15g", d);
      return buf;
    }
    case TypeId::kDecimal:
      return FormatDecimal(i, type.scale);
    case TypeId::kText:
      return s;
    case TypeId::kDate:
      return FormatIsoDate(static_cast<int32_t>(i));
    case TypeId::kTimestamp:
      return FormatIsoTimestamp(i);
    case TypeId::kInterval:
      return FormatInterval(iv);
    case TypeId::kPseudonym:
      return p.Hex();
  }
  return "?";
}

Value GetValue(const Column& column, size_t row) {
  Value v;
  v.type = column.type;
  if (column.null[row]) return v;
  v.null = false;
  switch (column.type.id) {
    case TypeId::kDouble:
      v.d = column.f64[row];
      break;
    case TypeId::kText:
      v.s = column.str[row];
      break;
    case TypeId::kPseudonym:
      v.p = column.pseudo[row];
      break;
    case TypeId::kInterval:
      v.iv = column.ivl[row];
      break;
    case TypeId::kNull:
      v.null = true;
      break;
    default:
      v.i = column.i64[row];
  }
  return v;
}

void AppendValue(Column& column, const Value& v) {
  if (v.null || v.type.id == TypeId::kNull) {
    column.AppendNull();
    return;
  }
  column.null.push_back(0);
  const DataType& t = column.type;
  switch (t.id) {
    case TypeId::kDouble:
      column.f64.push_back(v.AsDouble());
      break;
    case TypeId::kText:
      column.str.push_back(v.s);
      break;
    case TypeId::kPseudonym:
      column.pseudo.push_back(v.p);
      break;
    case TypeId::kInterval:
      column.ivl.push_back(v.iv);
      break;
    case TypeId::kDecimal:
      if (v.type.id == TypeId::kDecimal) {
        int64_t x = v.i;
        if (v.type.scale < t.scale)
          x *= Pow10(t.scale - v.type.scale);
        else if (v.type.scale > t.scale) {
          int64_t div = Pow10(v.type.scale - t.scale);
          x = (x >= 0 ? x + div / 2 : x - div / 2) / div;
        }
        column.i64.push_back(x);
      } else if (v.type.id == TypeId::kDouble) {
        column.i64.push_back(std::llround(v.d * static_cast<double>(Pow10(t.scale))));
      } else {
        column.i64.push_back(v.i * Pow10(t.scale));
      }
      break;
    case TypeId::kInt64:
      column.i64.push_back(v.type.id == TypeId::kDouble ? static_cast<int64_t>(v.d) : v.i);
      break;
    case TypeId::kNull:
      column.null.back() = 1;
      break;
    default:
      column.i64.push_back(v.i);
  }
}

int CompareValues(const Value& a, const Value& b) {
  if (a.null || b.null) return a.null == b.null ? 0 : (a.null ? 1 : -1);  // NULLs last
  if (a.type.IsNumeric() && b.type.IsNumeric()) {
    if (a.type.id == TypeId::kDouble || b.type.id == TypeId::kDouble ||
        a.type.scale != b.type.scale) {
      if (a.type.id != TypeId::kDouble && b.type.id != TypeId::kDouble) {
        // Exact comparison of fixed-point values at a common scale.
        int scale = std::max(a.type.id == TypeId::kDecimal ? a.type.scale : 0,
                             b.type.id == TypeId::kDecimal ? b.type.scale : 0);
        __int128 x = static_cast<__int128>(a.i) *
                     Pow10(scale - (a.type.id == TypeId::kDecimal ? a.type.scale : 0));
        __int128 y = static_cast<__int128>(b.i) *
                     Pow10(scale - (b.type.id == TypeId::kDecimal ? b.type.scale : 0));
        return x < y ? -1 : (x > y ? 1 : 0);
      }
      double x = a.AsDouble(), y = b.AsDouble();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
  switch (a.type.id) {
    case TypeId::kText:
      return a.s < b.s ? -1 : (a.s > b.s ? 1 : 0);
    case TypeId::kPseudonym:
      return a.p.bytes < b.p.bytes ? -1 : (a.p.bytes > b.p.bytes ? 1 : 0);
    case TypeId::kInterval: {
      // PostgreSQL compares intervals by their span with 30-day months.
      __int128 x =
          (static_cast<__int128>(a.iv.months) * 30 + a.iv.days) * 86400000000LL + a.iv.micros;
      __int128 y =
          (static_cast<__int128>(b.iv.months) * 30 + b.iv.days) * 86400000000LL + b.iv.micros;
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    default:
      return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
}

}  // namespace fedgate::planner
