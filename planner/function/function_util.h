#pragma once

// Internal to planner/function: the typing rules and the checked arithmetic and calendar
// helpers that several function files share. Not for use outside this folder (the public
// interface is functions.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "planner/bound_expr.h"
#include "planner/value.h"

namespace fedgate::planner::function {

// --- typing (bind time) ---

inline bool IsDateLike(const DataType& t) {
  return t.id == TypeId::kDate || t.id == TypeId::kTimestamp;
}

// Throws kInvalidArgument "function or operator FN does not accept (T1, T2...)".
[[noreturn]] void TypeError(const std::string& fn, const std::vector<BoundExprPtr>& args);
// Throws unless `args` has exactly `n` elements ("function FN takes N argument(s), got M").
void WantArgs(const std::string& fn, const std::vector<BoundExprPtr>& args, size_t n);
// Makes args[i] text: untyped literals and NULLs are cast, anything else not text is a
// TypeError.
void TextArg(const std::string& fn, std::vector<BoundExprPtr>& args, size_t i);

// double > decimal(max scale) > bigint.
DataType CommonNumeric(const DataType& a, const DataType& b);
// The type several values unify to (CASE results, COALESCE, IN lists, comparisons); the null
// type when all are NULL; nullopt when they do not unify.
std::optional<DataType> CommonType(const std::vector<DataType>& types);
// Casts untyped string literals among `args` (from `first`) to the type of the first typed one.
void CoerceLiterals(std::vector<BoundExprPtr>& args, size_t first = 0);
bool Comparable(const DataType& a, const DataType& b);

// --- checked arithmetic (throw kInvalidArgument "bigint out of range") ---

int64_t CheckedAdd(int64_t a, int64_t b);
int64_t CheckedMul(int64_t a, int64_t b);
// A scaled integer from scale `from` to scale `to`, rounding half away from zero.
int64_t Rescale(int64_t v, int from, int to);
// A bigint or decimal value as a scaled integer of `scale`.
int64_t DecimalOf(const Value& v, int scale);

// --- calendar ---

constexpr int64_t kDayMicros = 86400LL * 1000000;
// The day number of a timestamp in microseconds (floor division, also before 1970).
inline int64_t DayOf(int64_t micros) {
  return micros >= 0 ? micros / kDayMicros : (micros - kDayMicros + 1) / kDayMicros;
}
int DaysInMonth(int year, int month);  // month 1..12
// A date as the timestamp of its midnight; other values unchanged.
Value TimestampOf(const Value& v);
// A timestamp plus an interval, months first (clamped to the month's last day) as PostgreSQL.
int64_t AddInterval(int64_t micros, const Interval& iv);

}  // namespace fedgate::planner::function
