#include "policy/sdc.h"

#include <gtest/gtest.h>

#include <map>

namespace fedgate::sdc {
namespace {

TEST(SdcTest, RoundToBase) {
  EXPECT_EQ(RoundToBase(0, 5), 0);
  EXPECT_EQ(RoundToBase(2, 5), 0);
  EXPECT_EQ(RoundToBase(3, 5), 5);  // 2.5 away from zero
  EXPECT_EQ(RoundToBase(7, 5), 5);
  EXPECT_EQ(RoundToBase(8, 5), 10);
  EXPECT_EQ(RoundToBase(12, 5), 10);
  EXPECT_EQ(RoundToBase(13, 5), 15);
  EXPECT_EQ(RoundToBase(1234, 10), 1230);
  EXPECT_EQ(RoundToBase(1235, 10), 1240);
  EXPECT_EQ(RoundToBase(-8, 5), -10);
}

TEST(SdcTest, Midpoint6) {
  // REFERENCE.md: 1..6 -> 3, 7..12 -> 9.
  EXPECT_EQ(Midpoint6(0), 0);
  for (int x = 1; x <= 6; ++x) EXPECT_EQ(Midpoint6(x), 3) << x;
  for (int x = 7; x <= 12; ++x) EXPECT_EQ(Midpoint6(x), 9) << x;
  EXPECT_EQ(Midpoint6(13), 15);
  EXPECT_EQ(Midpoint6(100), 99);  // ceil(100/6)=17 -> 102-3
}

TEST(SdcTest, DominanceEdges) {
  // n=2, k=85: dominated when the two largest exceed 85% of the total.
  EXPECT_TRUE(Dominated({50, 36, 14}, 2, 85));   // 86 > 85
  EXPECT_FALSE(Dominated({50, 35, 15}, 2, 85));  // 85 is not more than 85
  EXPECT_FALSE(Dominated({10, 10, 10, 10}, 2, 85));
  EXPECT_TRUE(Dominated({5, 5}, 2, 85));           // two contributors: always
  EXPECT_TRUE(Dominated({1000, 1, 1, 1}, 1, 90));  // n=1
  EXPECT_FALSE(Dominated({30, 30, 40}, 1, 50));
  EXPECT_FALSE(Dominated({1, 2, 3}, 0, 85));  // off
}

TEST(SdcTest, PerturbationIsRepeatableNonNegativeAndSmall) {
  std::map<int64_t, int> adjustments;
  for (int i = 0; i < 1000; ++i) {
    double key_sum = i * 0.7548776662466927;  // spreads over [0,1)
    int64_t a = PerturbCount(100, key_sum);
    EXPECT_EQ(a, PerturbCount(100, key_sum));  // same cell, same answer
    EXPECT_GE(a, 98);
    EXPECT_LE(a, 102);
    adjustments[a - 100]++;
    EXPECT_GE(PerturbCount(1, key_sum), 1);  // never empty or negative
  }
  EXPECT_GT(adjustments[0], 350);  // about half unchanged
  EXPECT_GT(adjustments[1] + adjustments[-1], 250);
  EXPECT_EQ(PerturbCount(0, 0.3), 0);
}

TEST(SdcTest, RecordKeyInUnitInterval) {
  uint8_t zero[8] = {0}, ones[8] = {255, 255, 255, 255, 255, 255, 255, 255};
  EXPECT_EQ(RecordKey(zero), 0.0);
  EXPECT_LT(RecordKey(ones), 1.0);
  EXPECT_GT(RecordKey(ones), 0.999);
}

// A 2 x 3 table with margins:
//            c0  c1  c2 | total
//   r0       20   3  30 |   53
//   r1       15  25  40 |   80
//   total    35  28  70 |  133
TEST(SdcTest, SecondarySuppressionOnTwoWayTableWithMargins) {
  std::vector<std::vector<double>> cells = {{20, 3, 30, 53}, {15, 25, 40, 80}, {35, 28, 70, 133}};
  std::vector<std::vector<bool>> s(3, std::vector<bool>(4, false));
  s[0][1] = true;  // primary: 3 persons
  int added = SecondarySuppress(cells, s);
  EXPECT_GE(added, 3);
  // Every row and column (margins included) has zero or at least two suppressed cells.
  for (size_t r = 0; r < 3; ++r) {
    int n = 0;
    for (size_t c = 0; c < 4; ++c) n += s[r][c];
    EXPECT_TRUE(n == 0 || n >= 2) << "row " << r;
  }
  for (size_t c = 0; c < 4; ++c) {
    int n = 0;
    for (size_t r = 0; r < 3; ++r) n += s[r][c];
    EXPECT_TRUE(n == 0 || n >= 2) << "column " << c;
  }
  // The heuristic picks the smallest cells: row 0's partner is 20 (c0), column 1's is 25 (r1).
  EXPECT_TRUE(s[0][0]);
  EXPECT_TRUE(s[1][1]);
  EXPECT_TRUE(s[1][0]);  // closes row 1 and column 0
  EXPECT_FALSE(s[2][3]) << "the grand total need not be withheld";
}

TEST(SdcTest, SecondarySuppressionLeavesCleanTablesAlone) {
  std::vector<std::vector<double>> cells = {{20, 30, 50}, {15, 25, 40}, {35, 55, 90}};
  std::vector<std::vector<bool>> s(3, std::vector<bool>(3, false));
  EXPECT_EQ(SecondarySuppress(cells, s), 0);
}

}  // namespace
}  // namespace fedgate::sdc
