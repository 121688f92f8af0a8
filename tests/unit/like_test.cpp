#include "common/like.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace fedgate {
namespace {

TEST(LikeTest, PercentUnderscoreAndEscape) {
  EXPECT_TRUE(LikeMatch("diabetes", "diab%"));
  EXPECT_TRUE(LikeMatch("diabetes", "%bet%"));
  EXPECT_TRUE(LikeMatch("", "%"));
  EXPECT_FALSE(LikeMatch("", "_"));
  EXPECT_TRUE(LikeMatch("E11", "E1_"));
  EXPECT_FALSE(LikeMatch("E110", "E1_"));
  EXPECT_TRUE(LikeMatch("50%", "50\\%"));
  EXPECT_FALSE(LikeMatch("500", "50\\%"));
  EXPECT_TRUE(LikeMatch("a_b", "a\\_b"));
  EXPECT_FALSE(LikeMatch("axb", "a\\_b"));
  EXPECT_TRUE(LikeMatch("a\\", "a\\"));  // an escape at the end stands for itself
  EXPECT_TRUE(LikeMatch("a%b", "a!%b", {'!', false}));
  EXPECT_FALSE(LikeMatch("a\\b", "a\\\\b", {'\0', false}));  // no escape: both are literal
  EXPECT_FALSE(LikeMatch("GP", "gp"));
  EXPECT_TRUE(LikeMatch("GP", "gp", {'\\', true}));
}

TEST(LikeTest, UnderscoreIsOneUtf8Character) {
  EXPECT_TRUE(LikeMatch("caf\xc3\xa9", "caf_"));
  EXPECT_FALSE(LikeMatch("caf\xc3\xa9", "caf__"));
  EXPECT_TRUE(LikeMatch("\xc3\xa9t\xc3\xa9", "%_t_"));
  EXPECT_FALSE(LikeMatch("\xc3\xa9t", "%__t"));
}

TEST(LikeTest, AHostilePatternNeitherRecursesNorTakesLong) {
  const std::string text(20000, 'a');
  std::string pattern;
  for (int i = 0; i < 2000; ++i) pattern += "%a";
  pattern += "b";
  EXPECT_FALSE(LikeMatch(text, pattern));
  EXPECT_TRUE(LikeMatch(text + "b", pattern));
}

// A plain recursive matcher over code points, as the definition reads.
bool Reference(const std::string& s, size_t si, const std::string& p, size_t pi) {
  if (pi == p.size()) return si == s.size();
  if (p[pi] == '%') {
    for (size_t k = si; k <= s.size(); ++k) {
      if (k > si && k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) continue;
      if (Reference(s, k, p, pi + 1)) return true;
    }
    return false;
  }
  if (si == s.size()) return false;
  if (p[pi] == '_') {
    size_t next = si + 1;
    while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
    return Reference(s, next, p, pi + 1);
  }
  char c = p[pi];
  if (c == '\\' && pi + 1 < p.size()) c = p[++pi];
  return c == s[si] && Reference(s, si + 1, p, pi + 1);
}

TEST(LikeTest, AgreesWithTheDefinitionOnRandomInputs) {
  std::mt19937 rng(7);
  const std::string text_chars[] = {"a", "b", "\xc3\xa9", "%", "_"};
  const std::string pattern_chars[] = {"a", "b", "\xc3\xa9", "%", "_", "\\", "\\%", "\\_"};
  for (int i = 0; i < 20000; ++i) {
    std::string s, p;
    for (int n = rng() % 7; n > 0; --n) s += text_chars[rng() % 5];
    for (int n = rng() % 6; n > 0; --n) p += pattern_chars[rng() % 8];
    ASSERT_EQ(LikeMatch(s, p), Reference(s, 0, p, 0)) << "'" << s << "' LIKE '" << p << "'";
  }
}

}  // namespace
}  // namespace fedgate
