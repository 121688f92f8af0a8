#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedgate {

// Calendar dates as days since 1970-01-01 (proleptic Gregorian), the engine's date type.
struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

int32_t DaysFromCivil(int year, int month, int day);
CivilDate CivilFromDays(int32_t days);

// yyyy-mm-dd
std::string FormatIsoDate(int32_t days);
// Parses yyyy-mm-dd, rejecting impossible dates (2025-02-30); nullopt on any error.
std::optional<int32_t> ParseIsoDate(std::string_view text);

// "yyyy-mm-dd hh:mm:ss" for microseconds since 1970-01-01 00:00:00.
std::string FormatIsoTimestamp(int64_t micros);

// PostgreSQL's binary formats count from 2000-01-01.
inline constexpr int32_t kPostgresEpochDays = 10957;

}  // namespace fedgate
