#pragma once

#include <cstdint>
#include <string>

#include "common/batch.h"
#include "common/types.h"

namespace fedgate::planner {

// One value of any engine type. `i` holds bool/int64/decimal(unscaled)/date/timestamp.
struct Value {
  DataType type;
  bool null = true;
  int64_t i = 0;
  double d = 0;
  std::string s;
  Pseudonym p;
  Interval iv;

  static Value Null(DataType t = DataType::Null()) { return Make(t, true, 0); }
  static Value Bool(bool b) { return Make(DataType::Bool(), false, b ? 1 : 0); }
  static Value Int(int64_t v) { return Make(DataType::Int64(), false, v); }
  static Value Double(double v) {
    Value out = Make(DataType::Double(), false, 0);
    out.d = v;
    return out;
  }
  static Value Decimal(int64_t unscaled, int scale) {
    return Make(DataType::Decimal(scale), false, unscaled);
  }
  static Value Text(std::string v) {
    Value out = Make(DataType::Text(), false, 0);
    out.s = std::move(v);
    return out;
  }
  static Value Date(int32_t days) { return Make(DataType::Date(), false, days); }
  static Value Timestamp(int64_t micros) { return Make(DataType::Timestamp(), false, micros); }
  static Value Make(DataType t, bool is_null, int64_t raw) {
    Value out;
    out.type = t;
    out.null = is_null;
    out.i = raw;
    return out;
  }

  // The value as a double (numeric types only).
  double AsDouble() const;
  bool AsBool() const { return i != 0; }
  // Text form as PostgreSQL prints it ("12.50", "2024-04-01", "t").
  std::string ToString() const;
};

Value GetValue(const Column& column, size_t row);
// Appends `v` converted to the column's type. REQUIRES: v is NULL or of a compatible type.
void AppendValue(Column& column, const Value& v);

// Total order for sorting and grouping: NULLs compare equal to each other; numeric types
// compare by value across int/decimal/double. REQUIRES: both non-null or handled by caller.
int CompareValues(const Value& a, const Value& b);

}  // namespace fedgate::planner
