#include <gtest/gtest.h>

#include <string>

#include "sql/parser.h"

namespace fedgate::sql {
namespace {

Error ParseError(std::string_view sql) {
  try {
    Parse(sql);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << sql;
  return Error(ErrorCode::kInternal, "no error");
}

std::string Where(const Error& e) {
  return std::to_string(e.location().line) + ":" + std::to_string(e.location().column);
}

void ExpectError(std::string_view sql, const std::string& message, const std::string& where) {
  SCOPED_TRACE(sql);
  Error e = ParseError(sql);
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.what(), message);
  EXPECT_EQ(Where(e), where);
}

TEST(ParserErrorTest, SyntaxErrors) {
  ExpectError("SELECT * FORM t", "syntax error at or near \"FORM\"", "1:10");
  ExpectError("SELECT 1 FORM t", "syntax error at or near \"t\"", "1:15");
  ExpectError("SELECT a,\n       b\nFROM t\nWHERE x = 1 AND AND y",
              "syntax error at or near \"AND\"", "4:17");
  // Columns count characters: é is two bytes, 😀 four.
  ExpectError("SELECT 'é😀' AS é, * FORM t", "syntax error at or near \"FORM\"", "1:21");
  ExpectError("SELECT 'é'\n  , * FORM t", "syntax error at or near \"FORM\"", "2:7");
  ExpectError("SELECT 'abc", "unterminated quoted string at or near \"'abc\"", "1:8");
  ExpectError("SELECT 1 +", "syntax error at end of input", "1:11");
  ExpectError("SELECT * FROM (SELECT 1)", "subquery in FROM must have an alias", "1:15");
  ExpectError("SELECT a FROM t WHERE a IN ()", "syntax error at or near \")\"", "1:29");
}

TEST(ParserErrorTest, Statements) {
  ExpectError("", "empty query", "0:0");
  ExpectError("  \n ", "empty query", "0:0");
  ExpectError(";", "empty query", "0:0");
  ExpectError("-- only a comment", "empty query", "0:0");
  ExpectError("SELECT 1; SELECT 2", "only one statement is allowed per query (found 2)", "1:11");
  ExpectError("SELECT 1;\nSELECT 2;\nSELECT 3", "only one statement is allowed per query (found 3)",
              "2:1");
  ExpectError("INSERT INTO t VALUES (1)", "only SELECT queries are supported (got INSERT)", "1:1");
  ExpectError("UPDATE t SET a = 1", "only SELECT queries are supported (got UPDATE)", "1:1");
  ExpectError("DELETE FROM t", "only SELECT queries are supported (got DELETE)", "1:1");
  ExpectError("CREATE TABLE t (a int)", "only SELECT queries are supported (got CREATE TABLE)",
              "1:1");
  ExpectError("  \n  SET search_path = x", "only SELECT queries are supported (got SET)", "2:3");
  ExpectError("EXPLAIN SELECT 1", "only SELECT queries are supported (got EXPLAIN)", "1:1");
  ExpectError("BEGIN", "only SELECT queries are supported (got a transaction command)", "1:1");
  EXPECT_NO_THROW(Parse("SELECT 1;"));
  EXPECT_NO_THROW(Parse("SELECT 1;;"));
  EXPECT_NO_THROW(Parse("; SELECT 1"));
  EXPECT_EQ(Parse("\n  SELECT 1")->location, 3);
}

TEST(ParserErrorTest, UnsupportedConstructs) {
  struct Case {
    const char* sql;
    const char* message;
    const char* at;  // where the error points: this text's first occurrence, or (null) the end
  };
  const Case cases[] = {
      {"SELECT count(*) OVER (ORDER BY a ROWS CURRENT ROW EXCLUDE TIES) FROM t",
       "EXCLUDE in a window frame is not supported", "(ORDER"},
      {"SELECT count(*) OVER w FROM t", "window \"w\" does not exist", "w FROM"},
      {"SELECT count(*) OVER (w ORDER BY a) FROM t WINDOW w AS (ORDER BY b)",
       "cannot override ORDER BY clause of window \"w\"", "(w"},
      {"SELECT count(*) OVER (w) FROM t WINDOW w AS (ROWS UNBOUNDED PRECEDING)",
       "cannot copy window \"w\" because it has a frame clause", "(w"},
      {"SELECT count(*) OVER (ROWS UNBOUNDED FOLLOWING) FROM t",
       "frame start cannot be UNBOUNDED FOLLOWING", "UNBOUNDED"},
      {"WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r", "WITH RECURSIVE is not supported", "WITH"},
      {"SELECT 1 FROM t WHERE x IN (WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r)",
       "WITH RECURSIVE is not supported", "WITH"},
      {"SELECT DISTINCT ON (a) a, b FROM t", "DISTINCT ON is not supported", "a) a"},
      {"VALUES (1, 2)", "VALUES lists are not supported", "VALUES"},
      {"SELECT * FROM (VALUES (1)) AS v(a)", "VALUES lists are not supported", "1)"},
      {"SELECT * FROM t, LATERAL (SELECT t.a) s", "LATERAL is not supported", "t.a"},
      {"SELECT * FROM t TABLESAMPLE SYSTEM (10)", "TABLESAMPLE is not supported", "SYSTEM"},
      {"SELECT * FROM generate_series(1, 3)", "functions in FROM are not supported",
       "generate_series"},
      {"SELECT a FROM t FOR SHARE OF t", "FOR SHARE is not supported", nullptr},
      {"SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES",
       "FETCH ... WITH TIES is not supported", "3 ROWS"},
      {"SELECT ARRAY[1, 2]", "arrays are not supported", "ARRAY"},
      {"SELECT ARRAY(SELECT 1)", "arrays are not supported", "ARRAY"},
      {"SELECT x[1] FROM t", "arrays are not supported", "x[1]"},
      {"SELECT x::int[] FROM t", "arrays are not supported", "int[]"},
      {"SELECT (x).y FROM t", "field selection is not supported", "x)"},
      {"SELECT ROW(1, 2)", "row constructors are not supported", "ROW"},
      {"SELECT (1, 2)", "row constructors are not supported", "(1, 2)"},
      {"SELECT 1 FROM t WHERE (a, b) IN (SELECT 1, 2)", "row constructors are not supported",
       "(a, b)"},
      {"SELECT x = ANY (y) FROM t", "ANY and ALL comparisons are not supported", "= ANY"},
      {"SELECT x > ALL (SELECT 1) FROM t",
       "ANY and ALL comparisons with subqueries are not supported", "> ALL"},
      {"SELECT x < ANY (SELECT 1) FROM t",
       "ANY and ALL comparisons with subqueries are not supported", "< ANY"},
      {"SELECT sum(x, y) FILTER (WHERE x > 0) FROM t",
       "FILTER needs an aggregate of one argument or count(*)", "sum"},
      {"SELECT string_agg(x, ',' ORDER BY x) FROM t",
       "ORDER BY in aggregate functions is not supported", "string_agg"},
      {"SELECT rank(1) WITHIN GROUP (ORDER BY x) FROM t",
       "WITHIN GROUP is supported for percentile_cont, percentile_disc and mode, not rank", "rank"},
      {"SELECT f(VARIADIC x) FROM t", "VARIADIC is not supported", "f("},
      {"SELECT x IS UNKNOWN FROM t", "IS [NOT] UNKNOWN is not supported", "IS"},
      {"SELECT x IS NOT UNKNOWN FROM t", "IS [NOT] UNKNOWN is not supported", "IS"},
      {"SELECT x COLLATE \"C\" FROM t", "COLLATE is not supported", "COLLATE"},
      {"SELECT x SIMILAR TO 'y' FROM t", "SIMILAR TO is not supported", "SIMILAR"},
      {"SELECT x BETWEEN SYMMETRIC 1 AND 2 FROM t", "BETWEEN SYMMETRIC is not supported",
       "BETWEEN"},
      {"SELECT x LIKE 'y!%' ESCAPE '!' FROM t",
       "LIKE ... ESCAPE is supported only with the escape character '\\'", "LIKE"},
      {"SELECT x ~ 'y' FROM t", "operator ~ is not supported", "~"},
      {"SELECT x ^ 2 FROM t", "operator ^ is not supported", "^"},
      {"SELECT ~x FROM t", "prefix operator ~ is not supported", "~"},
      {"SELECT x OPERATOR(gp.+) 1 FROM t", "schema-qualified operators are not supported", "OP"},
      {"SELECT gp.f(1)", "schema-qualified function names are not supported", "gp.f"},
      {"SELECT x::gp.mytype FROM t", "schema-qualified type names are not supported", "gp."},
      {"SELECT CURRENT_USER", "CURRENT_USER is not supported", "CURRENT_USER"},
      {"SELECT B'101'", "bit string literals are not supported", "B'"},
      {"SELECT INTERVAL '1' DAY",
       "INTERVAL fields and precision are not supported (write INTERVAL '1 day')", "INTERVAL"},
      {"SELECT * FROM ONLY t", "ONLY is not supported", nullptr},
      {"WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1",
       "data-modifying statements in WITH are not supported", "x AS"},
      {"SELECT GROUPING(x) FROM t GROUP BY x", "GROUPING() is not supported", "GROUPING"},
      {"SELECT 1 FROM a JOIN b USING (x) AS u", "an alias for JOIN ... USING is not supported",
       "b USING"},
      {"SELECT xmlelement(name x)", "XML functions are not supported", "xmlelement"},
      {"SELECT 1 INTO x FROM t", "SELECT INTO is not supported", "x FROM"},
      {"SELECT 1 FROM t GROUP BY DISTINCT a, b", "GROUP BY DISTINCT is not supported", "a, b"},
      {"SELECT x FROM t ORDER BY x USING <", "ORDER BY ... USING is not supported", "<"},
  };
  for (const Case& c : cases) {
    std::string sql = c.sql;
    size_t at = c.at == nullptr ? sql.size() - 1 : sql.find(c.at);
    ASSERT_NE(at, std::string::npos) << c.sql;
    ExpectError(sql, c.message, "1:" + std::to_string(at + 1));
  }
  // No location: libpg_query records none for FOR UPDATE.
  ExpectError("SELECT a FROM t FOR UPDATE", "FOR UPDATE is not supported", "0:0");
}

TEST(ParserErrorTest, LocationsCountCharacters) {
  ExpectError("SELECT 'é', f(VARIADIC x)", "VARIADIC is not supported", "1:13");
  ExpectError("SELECT 'é'\n, 'ü', row_number() OVER w", "window \"w\" does not exist", "2:26");
}

TEST(ParserErrorTest, Limits) {
  // Nesting beyond kMaxDepth is refused, also far beyond what libpg_query's recursive JSON
  // output survives on an ordinary stack.
  std::string deep = "SELECT 1";
  for (int i = 0; i < 1500; ++i) deep += "+1";
  Error too_deep = ParseError(deep);
  EXPECT_EQ(std::string(too_deep.what()), "the query is nested too deeply (more than 1000 levels)");
  EXPECT_EQ(too_deep.location().line, 1);
  std::string deeper = "SELECT 1";
  for (int i = 0; i < 200000; ++i) deeper += "+1";
  EXPECT_EQ(std::string(ParseError(deeper).what()),
            "the query is nested too deeply (more than 1000 levels)");
  std::string fine = "SELECT 1";
  for (int i = 0; i < 900; ++i) fine += "+1";
  EXPECT_NO_THROW(Parse(fine));

  std::string long_list = "SELECT 1 FROM t WHERE a IN (0";
  for (int i = 1; i < 20000; ++i) long_list += "," + std::to_string(i);
  SelectPtr select = Parse(long_list + ")");
  EXPECT_EQ(select->where->args.size(), 20001u);
  EXPECT_EQ(select->where->args[1]->literal, "0");

  std::string too_long = "SELECT '" + std::string(1'000'000, 'x') + "'";
  ExpectError(too_long, "the query is too long (1000009 bytes, at most 1000000)", "0:0");
  ExpectError(std::string("SELECT 1\0", 9), "the query contains a NUL character", "1:9");
  ExpectError("SELECT 'é', '\xff'", "the query is not valid UTF-8", "1:14");
  ExpectError("SELECT '\xc3\x28'", "the query is not valid UTF-8", "1:9");
  ExpectError("SELECT '\xed\xa0\x80'", "the query is not valid UTF-8", "1:9");  // a surrogate
}

TEST(LocationOfTest, LinesAndCharacterColumns) {
  auto at = [](std::string_view text, int offset) {
    TextLocation location = LocationOf(text, offset);
    return std::to_string(location.line) + ":" + std::to_string(location.column);
  };
  EXPECT_EQ(at("abc", 0), "1:1");
  EXPECT_EQ(at("abc", 2), "1:3");
  EXPECT_EQ(at("abc", 3), "1:4");
  EXPECT_EQ(at("abc", 10), "1:4");
  EXPECT_EQ(at("a\nbc", 1), "1:2");
  EXPECT_EQ(at("a\nbc", 2), "2:1");
  EXPECT_EQ(at("a\nbc", 3), "2:2");
  EXPECT_EQ(at("a\r\nb", 3), "2:1");
  EXPECT_EQ(at("é", 2), "1:2");
  EXPECT_EQ(at("éa😀x", 3), "1:3");
  EXPECT_EQ(at("éa😀x", 7), "1:4");
  EXPECT_EQ(at("\tx", 1), "1:2");
  EXPECT_EQ(at("abc", -1), "0:0");
}

}  // namespace
}  // namespace fedgate::sql
