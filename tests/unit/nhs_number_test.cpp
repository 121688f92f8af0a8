#include "common/nhs_number.h"

#include <gtest/gtest.h>

namespace fedgate {
namespace {

TEST(NhsNumber, CheckDigitOfTheReferenceExample) {
  EXPECT_EQ(NhsCheckDigit("943476591"), 9);
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));
}

TEST(NhsNumber, RemainderOneGivesCheckTenWhichIsInvalid) {
  // 1*10 + 0*9 ... = 10 -> 10 mod 11 = 10 -> check 1; find a stem whose check is 10:
  // digits 000000001 -> sum 2 -> r 2 -> check 9; 000000010 -> sum 3 -> check 8.
  // 100000000 -> sum 10 -> check 1; 000000005 -> sum 10 -> r 10 -> check 1.
  // sum 1 gives check 10: impossible with weights >= 2, so use sum 12: 000000006 -> 12 -> r 1.
  EXPECT_EQ(NhsCheckDigit("000000006"), std::nullopt);
  EXPECT_EQ(NhsCheckDigit("000000000"), 0);  // r 0 -> 11 -> 0
}

TEST(NhsNumber, NormalisesSpacesAndHyphens) {
  EXPECT_EQ(NormaliseNhsNumber("943 476 5919"), "9434765919");
  EXPECT_EQ(NormaliseNhsNumber("943-476-5919"), "9434765919");
  EXPECT_EQ(NormaliseNhsNumber(" 9434765919 "), "9434765919");
}

TEST(NhsNumber, RejectsMalformedInput) {
  EXPECT_EQ(NormaliseNhsNumber(""), std::nullopt);
  EXPECT_EQ(NormaliseNhsNumber("943476591"), std::nullopt);     // 9 digits
  EXPECT_EQ(NormaliseNhsNumber("94347659190"), std::nullopt);   // 11 digits
  EXPECT_EQ(NormaliseNhsNumber("943476591X"), std::nullopt);    // letter
  EXPECT_EQ(NormaliseNhsNumber("9434765918"), std::nullopt);    // wrong check digit
  EXPECT_EQ(NormaliseNhsNumber("943.476.5919"), std::nullopt);  // other separators
}

TEST(NhsNumber, FormatsSpaced) {
  EXPECT_EQ(FormatNhsNumberSpaced("9434765919"), "943 476 5919");
}

}  // namespace
}  // namespace fedgate
