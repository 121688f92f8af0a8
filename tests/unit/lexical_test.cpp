#include "sql/lexical.h"

#include <gtest/gtest.h>

namespace fedgate::sql {
namespace {

NonCode At(std::string_view s, size_t i = 0) {
  return ScanNonCode(s, i);
}

TEST(Lexical, DelimitsWhatIsNotCode) {
  EXPECT_EQ(At("-- x\nSELECT").kind, Lexeme::kComment);
  EXPECT_EQ(At("-- x\nSELECT").end, 4u);
  EXPECT_EQ(At("-- x\rSELECT").end, 4u);
  EXPECT_EQ(At("/* a /* b */ c */ x").end, 17u);
  EXPECT_EQ(At("'it''s' x").end, 7u);
  EXPECT_EQ(At("E'\\'?' x").end, 6u);
  EXPECT_EQ(At("\"a\"\"b\" x").kind, Lexeme::kQuotedIdentifier);
  EXPECT_EQ(At("$tag$ ' $x$ $tag$ x").end, 17u);
  EXPECT_EQ(At("$\xc3\xa9$?$\xc3\xa9$").end, 9u);
  EXPECT_EQ(At("'open").end, 5u) << "unterminated: to the end";
  EXPECT_EQ(At("$1").kind, Lexeme::kNone);
  EXPECT_EQ(At("a$$x$$", 1).kind, Lexeme::kNone) << "inside a word";
  EXPECT_EQ(At("xE'a'", 1).kind, Lexeme::kNone) << "E ending a longer word";
  EXPECT_EQ(At("- 1").kind, Lexeme::kNone);
}

TEST(Lexical, ValuesOfLiterals) {
  EXPECT_EQ(LexemeText("'it''s'"), "it's");
  EXPECT_EQ(LexemeText("E'\\' double '"), "' double ");
  EXPECT_EQ(LexemeText("\"A\"\"b\""), "A\"b");
  EXPECT_EQ(LexemeText("$t$ 'x' $t$"), " 'x' ");
  EXPECT_EQ(LexemeText("'open"), "open");
}

}  // namespace
}  // namespace fedgate::sql
