#include "common/encoding.h"

#include <gtest/gtest.h>

namespace fedgate {
namespace {

TEST(EncodingTest, HexBothWays) {
  EXPECT_EQ(HexEncode(std::string("\x00\x7f\xff", 3)), "007fff");
  EXPECT_EQ(HexDecode("007FfF"), std::string("\x00\x7f\xff", 3));
  EXPECT_EQ(HexDecode(""), "");
  EXPECT_EQ(HexDecode("abc"), std::nullopt);  // odd length
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
}

TEST(EncodingTest, Base64AsRfc4648) {
  // RFC 4648 section 10's test vectors.
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Base64Encode(plain[i]), coded[i]);
    EXPECT_EQ(Base64Decode(coded[i]), plain[i]);
  }
  EXPECT_EQ(Base64Decode("Zm9v!"), "");  // malformed
  EXPECT_EQ(Base64Decode("dTpw"), "u:p");
}

TEST(EncodingTest, Base64UrlIsUnpaddedAndUrlSafe) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
}

}  // namespace
}  // namespace fedgate
