#include "disclosure/arithmetic.h"

#include <gtest/gtest.h>

#include <map>

namespace fedgate::disclosure {
namespace {

TEST(DisclosureArithmeticTest, RoundToBase) {
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

TEST(DisclosureArithmeticTest, Midpoint6) {
  // REFERENCE.md: 1..6 -> 3, 7..12 -> 9.
  EXPECT_EQ(Midpoint6(0), 0);
  for (int x = 1; x <= 6; ++x) EXPECT_EQ(Midpoint6(x), 3) << x;
  for (int x = 7; x <= 12; ++x) EXPECT_EQ(Midpoint6(x), 9) << x;
  EXPECT_EQ(Midpoint6(13), 15);
  EXPECT_EQ(Midpoint6(100), 99);  // ceil(100/6)=17 -> 102-3
}

TEST(DisclosureArithmeticTest, DominanceEdges) {
  // n=2, k=85: dominated when the two largest exceed 85% of the total.
  EXPECT_TRUE(Dominated(ContributionsOf({50, 36, 14}, 2), 2, 85));   // 86 > 85
  EXPECT_FALSE(Dominated(ContributionsOf({50, 35, 15}, 2), 2, 85));  // 85 is not more than 85
  EXPECT_FALSE(Dominated(ContributionsOf({10, 10, 10, 10}, 2), 2, 85));
  EXPECT_TRUE(Dominated(ContributionsOf({5, 5}, 2), 2, 85));           // two contributors: always
  EXPECT_TRUE(Dominated(ContributionsOf({1000, 1, 1, 1}, 1), 1, 90));  // n=1
  EXPECT_FALSE(Dominated(ContributionsOf({30, 30, 40}, 1), 1, 50));
  EXPECT_FALSE(Dominated(ContributionsOf({1, 2, 3}, 0), 0, 85));  // off
}

TEST(DisclosureArithmeticTest, PerturbationIsRepeatableNonNegativeAndSmall) {
  std::map<int64_t, int> adjustments;
  for (int i = 0; i < 4000; ++i) {
    const double key = CellKey(i * 0.7548776662466927, 0.25);  // spreads over [0,1)
    const int64_t a = PerturbCount(100, key);
    EXPECT_EQ(a, PerturbCount(100, key));  // same cell, same answer
    EXPECT_GE(a, 95);
    EXPECT_LE(a, 105);
    adjustments[a - 100]++;
    EXPECT_GE(PerturbCount(1, key), 1);  // never empty or negative
  }
  // The uniform table: each of -5..5 with probability 1/11.
  for (int v = -5; v <= 5; ++v) EXPECT_NEAR(adjustments[v] / 4000.0, 1.0 / 11, 0.025) << v;
  double mean = 0;
  for (const auto& [a, n] : adjustments) mean += a * n / 4000.0;
  EXPECT_NEAR(mean, 0.0, 0.15);
  EXPECT_EQ(PerturbCount(0, 0.3), 0);
}

TEST(DisclosureArithmeticTest, CellKeysDependOnPersonsAndDefinition) {
  EXPECT_EQ(CellKey(3.25, 0.5), CellKey(3.25, 0.5));
  EXPECT_DOUBLE_EQ(CellKey(3.25, 0.5), 0.75);
  EXPECT_DOUBLE_EQ(CellKey(0.75, 0.5), 0.25);  // wraps
  EXPECT_NE(DefinitionKey("count where a"), DefinitionKey("count where b"));
  EXPECT_EQ(DefinitionKey("x"), DefinitionKey("x"));
  const double d = DefinitionKey("x");
  EXPECT_GE(d, 0.0);
  EXPECT_LT(d, 1.0);
}

TEST(DisclosureArithmeticTest, MagnitudesMoveByAtMostTheLargestContribution) {
  int changed = 0;
  for (int i = 0; i < 200; ++i) {
    const double p = PerturbMagnitude(1000, 80, i / 200.0);
    EXPECT_GE(p, 920);
    EXPECT_LE(p, 1080);
    changed += p != 1000;
  }
  EXPECT_GT(changed, 100);
}

// The p% rule: (T - x1 - x2) / x1 < p fails (ACRO's p-ratio, p = 0.10).
TEST(DisclosureArithmeticTest, PRatioEdges) {
  EXPECT_TRUE(PRatioFails(ContributionsOf({100, 50, 9}, 2), 0.10));    // 9/100 < 0.10
  EXPECT_FALSE(PRatioFails(ContributionsOf({100, 50, 10}, 2), 0.10));  // 10/100 is not < 0.10
  EXPECT_FALSE(PRatioFails(ContributionsOf({100, 50, 6, 6}, 2), 0.10));
  EXPECT_TRUE(PRatioFails(ContributionsOf({100}, 2), 0.10));             // one contributor
  EXPECT_TRUE(PRatioFails(ContributionsOf({100, 1}, 2), 0.10));          // two: nothing else
  EXPECT_FALSE(PRatioFails(ContributionsOf({100, 1, 1}, 2), 0.0));       // off
  EXPECT_FALSE(PRatioFails(ContributionsOf({-100, 50, -20}, 2), 0.10));  // absolute values
  EXPECT_DOUBLE_EQ(PRatio(ContributionsOf({100, 50, 10}, 2)), 0.10);
}

TEST(DisclosureArithmeticTest, UnitInterval) {
  uint8_t zero[8] = {0}, ones[8] = {255, 255, 255, 255, 255, 255, 255, 255};
  EXPECT_EQ(UnitInterval(zero), 0.0);
  EXPECT_LT(UnitInterval(ones), 1.0);
  EXPECT_GT(UnitInterval(ones), 0.999);
}

}  // namespace
}  // namespace fedgate::disclosure
