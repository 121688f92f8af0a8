#include "sql/trino_text.h"

#include <gtest/gtest.h>

#include "sql/parser.h"

namespace fedgate::sql {
namespace {

TEST(TrinoText, NumbersQuestionMarksOutsideLiteralsAndComments) {
  TrinoText t(
      "SELECT '?', \"a?\", x -- ?\n FROM t /* ? */ WHERE a = ? AND b IN (?, ?) AND c = E'\\'?'");
  EXPECT_EQ(t.parameters(), 3);
  EXPECT_EQ(t.text(),
            "SELECT '?', \"a?\", x -- ?\n FROM t /* ? */ WHERE a =  $1  AND b IN ( $2 ,  $3 ) AND "
            "c = E'\\'?'");
  // Never run into a word (LIMIT? is not an alias LIMIT$1); dollar quotes, \r-ended comments.
  EXPECT_EQ(TrinoText("SELECT x FROM t LIMIT?").text(), "SELECT x FROM t LIMIT $1 ");
  EXPECT_EQ(TrinoText("SELECT $\xc3\xa9$?$\xc3\xa9$, $$?$$").parameters(), 0);
  EXPECT_EQ(TrinoText("SELECT 1 --c\r, ?").parameters(), 1);
  auto stmt = Parse(t.text());
  ASSERT_TRUE(stmt->where);
}

TEST(TrinoText, ParameterParsesAsItsNumber) {
  auto stmt = Parse(TrinoText("SELECT count(*) FROM t WHERE sex = ? AND age > ?").text());
  const Expr& where = *stmt->where;
  ASSERT_EQ(where.kind, ExprKind::kAnd);
  EXPECT_EQ(where.args[0]->args[1]->kind, ExprKind::kParameter);
  EXPECT_EQ(where.args[0]->args[1]->parameter, 1);
  EXPECT_EQ(where.args[1]->args[1]->parameter, 2);
}

TEST(TrinoText, QuotesAHyphenatedCatalogBeforeADotOnly) {
  TrinoText t("SELECT a-b, x FROM bi-check.information_schema.tables WHERE q = 'bi-check.x'",
              {"bi-check", "plain"});
  EXPECT_EQ(t.text(),
            "SELECT a-b, x FROM \"bi-check\".information_schema.tables WHERE q = 'bi-check.x'");
  EXPECT_EQ(TrinoText("SELECT bi-check.x FROM t", {}).text(), "SELECT bi-check.x FROM t")
      << "not a catalog the caller has: left alone";
  EXPECT_EQ(TrinoText("SELECT BI-Check.gp.x", {"Bi-Check"}).text(), "SELECT \"Bi-Check\".gp.x")
      << "the id as registered";
  // A long chain that is no catalog is copied in one pass.
  std::string chain = "SELECT ";
  for (int i = 0; i < 50000; ++i) chain += "a-";
  chain += "a.x";
  EXPECT_EQ(TrinoText(chain, {"bi-check"}).text(), chain);
}

TEST(TrinoText, ErrorLocationsMapBack) {
  // A syntax error after two parameters on the same line: the column counts the original text.
  const std::string sql = "SELECT ? , ? FROM FROM t";
  TrinoText t(sql);
  try {
    Parse(t.text());
    FAIL();
  } catch (const Error& e) {
    const TextLocation at = t.Original(e).location();
    EXPECT_EQ(at.line, 1);
    EXPECT_EQ(at.column, static_cast<int>(sql.rfind("FROM")) + 1) << e.what();
  }
  // Other lines are unchanged.
  TrinoText two("SELECT ?\nFORM t");
  EXPECT_EQ(two.Original(TextLocation{2, 1}).column, 1);
  // Inside an inserted "$10" the location is the '?'.
  std::string many = "SELECT ?,?,?,?,?,?,?,?,?,?";
  TrinoText ten(many);
  EXPECT_EQ(ten.parameters(), 10);
  EXPECT_EQ(ten.Original(TextLocation{1, static_cast<int>(ten.text().size())}).column,
            static_cast<int>(many.size()));
}

}  // namespace
}  // namespace fedgate::sql
