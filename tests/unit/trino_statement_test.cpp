#include "gateway/trino_statement.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "gateway/url_encoding.h"

namespace fedgate::gateway {
namespace {

using K = TrinoStatement::Kind;

TEST(TrinoStatement, SessionStatements) {
  auto use = ParseTrinoStatement("use bi-check.GP;");
  EXPECT_EQ(use.kind, K::kUse);
  EXPECT_EQ(use.catalog, "bi-check");
  EXPECT_EQ(use.schema, "gp");
  auto use_schema = ParseTrinoStatement("USE \"Acute\"");
  EXPECT_EQ(use_schema.catalog, "");
  EXPECT_EQ(use_schema.schema, "Acute");

  auto set = ParseTrinoStatement("SET SESSION purpose = 'cost-analysis'");
  EXPECT_EQ(set.kind, K::kSetSession);
  EXPECT_EQ(set.name, "purpose");
  EXPECT_EQ(set.value, "cost-analysis");
  EXPECT_EQ(ParseTrinoStatement("RESET SESSION purpose").kind, K::kResetSession);
  EXPECT_EQ(UpdateType(K::kSetSession), "SET SESSION");
  EXPECT_EQ(UpdateType(K::kDeallocate), "DEALLOCATE");
}

TEST(TrinoStatement, PreparedStatementsAndValues) {
  auto prep =
      ParseTrinoStatement("PREPARE s1 FROM SELECT count(*) FROM gp.patients WHERE sex = ?;");
  EXPECT_EQ(prep.kind, K::kPrepare);
  EXPECT_EQ(prep.name, "s1");
  EXPECT_EQ(prep.statement, "SELECT count(*) FROM gp.patients WHERE sex = ?");

  auto exec = ParseTrinoStatement(
      "EXECUTE s1 USING 'F', 42, -1.5, DATE '2024-04-01', DOUBLE '2.5', NULL, true");
  EXPECT_EQ(exec.kind, K::kExecute);
  ASSERT_EQ(exec.parameters.size(), 7u);
  EXPECT_EQ(exec.parameters[0]->kind, sql::ExprKind::kLiteral);
  EXPECT_EQ(exec.parameters[0]->literal, "F");
  EXPECT_EQ(exec.parameters[1]->literal, "42");
  EXPECT_EQ(exec.parameters[2]->literal, "-1.5");
  EXPECT_EQ(exec.parameters[3]->kind, sql::ExprKind::kCast);
  EXPECT_EQ(exec.parameters[4]->cast_type.name, "double precision");
  EXPECT_EQ(exec.parameter_texts,
            (std::vector<std::string>{"'F'", "42", "-1.5", "DATE '2024-04-01'",
                                      "DOUBLE PRECISION '2.5'", "NULL", "true"}));

  // An injection attempt is one string value, nothing more.
  auto injected =
      ParseTrinoStatement("EXECUTE IMMEDIATE 'SELECT 1 WHERE x = ?' USING ''' OR 1=1 --'");
  EXPECT_EQ(injected.kind, K::kExecuteImmediate);
  EXPECT_EQ(injected.statement, "SELECT 1 WHERE x = ?");
  ASSERT_EQ(injected.parameters.size(), 1u);
  EXPECT_EQ(injected.parameters[0]->literal, "' OR 1=1 --");

  // DOUBLE '..' becomes DOUBLE PRECISION only outside strings.
  auto strings = ParseTrinoStatement("EXECUTE s USING $$double 'x'$$, E'\\' double '");
  ASSERT_EQ(strings.parameters.size(), 2u);
  EXPECT_EQ(strings.parameters[0]->literal, "double 'x'");
  EXPECT_EQ(strings.parameters[1]->literal, "' double ");
  EXPECT_EQ(ParseTrinoStatement("/* /* */ USE x */ SELECT 1").kind, K::kQuery) << "comments nest";
  EXPECT_EQ(ParseTrinoStatement("DEALLOCATE PREPARE s1").kind, K::kDeallocate);
  EXPECT_EQ(ParseTrinoStatement("DESCRIBE INPUT s1").kind, K::kDescribeInput);
  EXPECT_EQ(ParseTrinoStatement("DESCRIBE OUTPUT s1").kind, K::kDescribeOutput);
  EXPECT_EQ(ParseTrinoStatement("DESCRIBE gp.patients").kind, K::kQuery)
      << "DESCRIBE of a table is answered as before";
  EXPECT_EQ(ParseTrinoStatement("DESCRIBE input").kind, K::kQuery) << "a table named input";
}

TEST(TrinoStatement, ValuesMustBeConstants) {
  for (const char* sql : {"EXECUTE s USING (SELECT 1)", "EXECUTE s USING x",
                          "EXECUTE s USING 1 + 1", "EXECUTE s USING lower('A')"}) {
    try {
      ParseTrinoStatement(sql);
      FAIL() << sql;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << sql;
      EXPECT_GT(e.location().line, 0) << sql;
    }
  }
}

TEST(TrinoStatement, ShowStatements) {
  auto f = ParseTrinoStatement("SHOW FUNCTIONS LIKE 'date\\_%' ESCAPE '\\'");
  EXPECT_EQ(f.kind, K::kShowFunctions);
  EXPECT_EQ(*f.like, "date\\_%");
  EXPECT_EQ(f.like_escape, '\\');
  EXPECT_EQ(ParseTrinoStatement("show session").kind, K::kShowSession);
  auto t = ParseTrinoStatement("SHOW CREATE TABLE \"bi-check\".gp.patients");
  EXPECT_EQ(t.kind, K::kShowCreateTable);
  EXPECT_EQ(t.table, (std::vector<std::string>{"bi-check", "gp", "patients"}));
  EXPECT_EQ(ParseTrinoStatement("SELECT 1").kind, K::kQuery);
  EXPECT_EQ(ParseTrinoStatement("SHOW TABLES").kind, K::kQuery);
}

TEST(TrinoStatement, PreparedStatementHeader) {
  // As Java (repeated headers, joined by the server) and Python (one header) send them.
  auto p = ParsePreparedStatements(
      "s1=SELECT+count%28*%29+FROM+t+WHERE+a+%3D+%3F, st_2=SELECT%201%2C%202");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p["s1"], "SELECT count(*) FROM t WHERE a = ?");
  EXPECT_EQ(p["st_2"], "SELECT 1, 2");
  EXPECT_TRUE(ParsePreparedStatements("").empty());
  EXPECT_THROW(ParsePreparedStatements("novalue"), Error);
  EXPECT_THROW(ParsePreparedStatements("s=%zz"), Error);
  EXPECT_EQ(UrlDecode(UrlEncode("SELECT 'a b', x/y = ?")), "SELECT 'a b', x/y = ?");
  EXPECT_EQ(UrlDecode("100%+sure%2", BadEscape::kKeep), "100% sure%2")
      << "query strings keep a stray %";
}

}  // namespace
}  // namespace fedgate::gateway
