// The generator's model, checked in memory. The statistical properties of the loaded data
// are checked against real databases in tests/integration/datagen_properties_test.cpp.
#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "common/nhs_number.h"
#include "datagen/datagen.h"
#include "datagen/population.h"

namespace fedgate::datagen {
namespace {

TEST(Population, NhsNumbersAreValidAndUnique) {
  auto people = GeneratePopulation(7, 50000);
  std::set<std::string> seen;
  for (const Person& p : people) {
    std::string n(p.NhsNumber());
    ASSERT_TRUE(IsValidNhsNumber(n)) << n;
    ASSERT_TRUE(seen.insert(n).second) << "duplicate " << n;
  }
}

TEST(Population, SameSeedSamePeopleOtherSeedOthers) {
  auto a = GeneratePopulation(11, 2000), b = GeneratePopulation(11, 2000);
  auto c = GeneratePopulation(12, 2000);
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].NhsNumber(), b[i].NhsNumber());
    EXPECT_EQ(a[i].date_of_birth, b[i].date_of_birth);
    EXPECT_EQ(a[i].conditions, b[i].conditions);
    differ += a[i].NhsNumber() != c[i].NhsNumber();
  }
  EXPECT_GT(differ, 1900);
  EXPECT_EQ(ModelFingerprint(11), ModelFingerprint(11));
  EXPECT_NE(ModelFingerprint(11), ModelFingerprint(12));
}

TEST(Population, AFirstSliceDoesNotDependOnTheSize) {
  // The fingerprint relies on this: person i is the same whatever the population size.
  auto small = GeneratePopulation(3, 100), large = GeneratePopulation(3, 5000);
  for (size_t i = 0; i < small.size(); ++i) {
    EXPECT_EQ(small[i].NhsNumber(), large[i].NhsNumber());
    EXPECT_EQ(small[i].conditions, large[i].conditions);
  }
}

TEST(Population, MistypedNumbersAlwaysFailTheCheck) {
  auto people = GeneratePopulation(5, 3000);
  Rng rng(99);
  for (const Person& p : people) {
    std::string bad = MistypeNhsNumber(p.NhsNumber(), rng);
    EXPECT_EQ(bad.size(), 10u);
    EXPECT_FALSE(IsValidNhsNumber(bad)) << bad;
  }
}

TEST(Population, AgeStructureAndCareHomes) {
  auto people = GeneratePopulation(42, 200000);
  int over75 = 0, care_home = 0, care_home_under75 = 0, diabetes_adults = 0, adults = 0;
  for (const Person& p : people) {
    int age = p.Age();
    ASSERT_GE(age, 0);
    ASSERT_LE(age, 100);
    if (age >= 75) {
      ++over75;
      care_home += p.care_home;
    } else {
      care_home_under75 += p.care_home;
    }
    if (age >= 17) {
      ++adults;
      diabetes_adults += p.Has(Condition::kDiabetes);
    }
  }
  double over75_share = static_cast<double>(over75) / people.size();
  EXPECT_NEAR(over75_share, 0.14, 0.02);
  double care_home_share = static_cast<double>(care_home) / over75;
  EXPECT_GT(care_home_share, 0.006);
  EXPECT_LT(care_home_share, 0.02);
  EXPECT_EQ(care_home_under75, 0);
  // Diabetes in adults: England's QOF prevalence is ~7.5%.
  EXPECT_NEAR(static_cast<double>(diabetes_adults) / adults, 0.075, 0.03);
}

TEST(Datagen, ParsesProviderLists) {
  EXPECT_EQ(ParseProviders("gp,acute").size(), 2u);
  EXPECT_THROW(ParseProviders("gp,hospital"), Error);
}

}  // namespace
}  // namespace fedgate::datagen
