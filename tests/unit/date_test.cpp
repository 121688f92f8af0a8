#include "common/date.h"

#include <gtest/gtest.h>

namespace fedgate {
namespace {

TEST(Date, RoundTripsAcrossCenturiesAndLeapDays) {
  for (int32_t d = DaysFromCivil(1899, 12, 31); d <= DaysFromCivil(2101, 1, 1); d += 17) {
    auto parsed = ParseIsoDate(FormatIsoDate(d));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, d);
  }
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 1, 1), kPostgresEpochDays);
  EXPECT_EQ(FormatIsoDate(DaysFromCivil(2024, 2, 29)), "2024-02-29");
}

TEST(Date, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseIsoDate("2025-02-29"));
  EXPECT_FALSE(ParseIsoDate("2024-13-01"));
  EXPECT_FALSE(ParseIsoDate("2024-1-01"));
  EXPECT_FALSE(ParseIsoDate("2024/01/01"));
  EXPECT_TRUE(ParseIsoDate("2024-02-29"));
}

TEST(Date, FormatsTimestamps) {
  int64_t micros = (static_cast<int64_t>(DaysFromCivil(2024, 4, 1)) * 86400 + 3723) * 1000000;
  EXPECT_EQ(FormatIsoTimestamp(micros), "2024-04-01 01:02:03");
  EXPECT_EQ(FormatIsoTimestamp(-1000000), "1969-12-31 23:59:59");
}

}  // namespace
}  // namespace fedgate
