#include "sql/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/ast_describe.h"

namespace fedgate::sql {
namespace {

std::string DescribeQuery(std::string_view sql) {
  return Describe(*Parse(sql));
}

// The first target of SELECT <expr>.
std::string DescribeExpr(const std::string& expr) {
  return Describe(*Parse("SELECT " + expr)->targets.at(0).expr);
}

}  // namespace

TEST(ParserTest, Literals) {
  struct Case {
    const char* sql;
    LiteralKind kind;
    const char* literal;
  };
  const Case cases[] = {
      {"1", LiteralKind::kInteger, "1"},
      {"0", LiteralKind::kInteger, "0"},  // {"ival":{}} in the JSON
      {"007", LiteralKind::kInteger, "7"},
      {"-1", LiteralKind::kInteger, "-1"},  // also {"ival":{}}: read back from the text
      {"- 7", LiteralKind::kInteger, "-7"},
      {"-(5)", LiteralKind::kInteger, "-5"},
      {"- /* c */ 5", LiteralKind::kInteger, "-5"},
      {"-\n-- c\n 12", LiteralKind::kInteger, "-12"},
      {"-(-(-5))", LiteralKind::kInteger, "-5"},
      {"-(-5)", LiteralKind::kInteger, "5"},
      {"-0", LiteralKind::kInteger, "0"},
      {"2147483647", LiteralKind::kInteger, "2147483647"},
      {"-2147483648", LiteralKind::kInteger, "-2147483648"},
      {"9434765919", LiteralKind::kInteger, "9434765919"},  // beyond int4: a Float node
      {"1.5", LiteralKind::kNumeric, "1.5"},
      {"-1.5", LiteralKind::kNumeric, "-1.5"},
      {"0.0", LiteralKind::kNumeric, "0.0"},
      {"1e3", LiteralKind::kNumeric, "1e3"},
      {"'x'", LiteralKind::kString, "x"},
      {"''", LiteralKind::kString, ""},
      {"'it''s'", LiteralKind::kString, "it's"},
      {"E'a\\nb'", LiteralKind::kString, "a\nb"},
      {"'é'", LiteralKind::kString, "é"},
      {"true", LiteralKind::kBool, "t"},
      {"false", LiteralKind::kBool, "f"},  // {"boolval":{}}
      {"null", LiteralKind::kNull, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    SelectPtr select = Parse(std::string("SELECT ") + c.sql);
    const Expr& e = *select->targets.at(0).expr;
    ASSERT_EQ(e.kind, ExprKind::kLiteral);
    EXPECT_EQ(e.literal_kind, c.kind);
    EXPECT_EQ(e.literal, c.literal);
    EXPECT_EQ(e.location, 7);
  }
}

TEST(ParserTest, ZeroAndNegativeIntegersInContext) {
  EXPECT_EQ(DescribeQuery("SELECT a FROM t WHERE a > -10 AND b = 0 LIMIT 0 OFFSET 0"),
            "SELECT a FROM t WHERE (AND (a > -10) (b = 0)) LIMIT 0 OFFSET 0");
  EXPECT_EQ(DescribeQuery("SELECT a FROM t LIMIT -1 OFFSET -2"),
            "SELECT a FROM t LIMIT -1 OFFSET -2");
  EXPECT_EQ(DescribeExpr("1 - 1"), "(1 - 1)");
  EXPECT_EQ(DescribeExpr("x-1"), "(x - 1)");
  EXPECT_EQ(DescribeExpr("x - -0"), "(x - 0)");
  EXPECT_EQ(DescribeExpr("a::numeric(10,-2)"), "CAST(a AS numeric(10,-2))");
  EXPECT_EQ(DescribeExpr("a::timestamp(0)"), "CAST(a AS timestamp(0))");
  EXPECT_EQ(DescribeExpr("a IN (0, -1, 1)"), "(a IN 0 -1 1)");
  // Comments between the sign and the digits, ended as PostgreSQL ends them (\r too).
  EXPECT_EQ(DescribeExpr("x > - /* a /* nested */ one */ 7"), "(x > -7)");
  EXPECT_EQ(DescribeExpr("x > - --c\r7"), "(x > -7)");
}

TEST(ParserTest, ColumnsAndStars) {
  EXPECT_EQ(
      DescribeQuery("SELECT *, p.*, gp.p.*, a, p.a, gp.p.a, \"Mixed Case\", UPPER_CASE FROM p"),
      "SELECT *, p.*, gp.p.*, a, p.a, gp.p.a, Mixed Case, upper_case FROM p");
  SelectPtr select = Parse("SELECT p.*, p.person_id FROM p");
  const Expr& star = *select->targets[0].expr;
  EXPECT_EQ(star.kind, ExprKind::kStar);
  EXPECT_EQ(star.names, std::vector<std::string>{"p"});
  const Expr& column = *select->targets[1].expr;
  EXPECT_EQ(column.kind, ExprKind::kColumnRef);
  EXPECT_EQ(column.names, (std::vector<std::string>{"p", "person_id"}));
  EXPECT_EQ(column.location, 12);
}

TEST(ParserTest, TargetAliases) {
  SelectPtr select = Parse("SELECT a AS x, b y, c AS \"Z\", d FROM t;");
  ASSERT_EQ(select->targets.size(), 4u);
  EXPECT_EQ(select->targets[0].alias, "x");
  EXPECT_EQ(select->targets[1].alias, "y");
  EXPECT_EQ(select->targets[2].alias, "Z");
  EXPECT_EQ(select->targets[3].alias, "");
  EXPECT_EQ(select->targets[1].location, 15);
  EXPECT_EQ(select->location, 0);
  EXPECT_EQ(select->set_op, SetOp::kNone);
}

TEST(ParserTest, Tables) {
  SelectPtr select = Parse("SELECT 1 FROM hub.gp.patients AS p(a, b), gp.events e, t");
  ASSERT_EQ(select->from.size(), 3u);
  const TableRef& p = *select->from[0];
  EXPECT_EQ(p.kind, TableRefKind::kTable);
  EXPECT_EQ(p.names, (std::vector<std::string>{"hub", "gp", "patients"}));
  EXPECT_EQ(p.alias, "p");
  EXPECT_EQ(p.column_aliases, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.location, 14);
  EXPECT_EQ(select->from[1]->names, (std::vector<std::string>{"gp", "events"}));
  EXPECT_EQ(select->from[1]->alias, "e");
  EXPECT_EQ(select->from[2]->names, std::vector<std::string>{"t"});
  EXPECT_EQ(select->from[2]->alias, "");
}

TEST(ParserTest, Joins) {
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a JOIN b ON a.x = b.x"),
            "SELECT 1 FROM (a JOIN b ON (a.x = b.x))");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a INNER JOIN b ON true"),
            "SELECT 1 FROM (a JOIN b ON TRUE)");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a LEFT JOIN b USING (x, y)"),
            "SELECT 1 FROM (a LEFT JOIN b USING (x, y))");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a RIGHT OUTER JOIN b ON a.x = b.x"),
            "SELECT 1 FROM (a RIGHT JOIN b ON (a.x = b.x))");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a FULL JOIN b ON a.x = b.x"),
            "SELECT 1 FROM (a FULL JOIN b ON (a.x = b.x))");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a CROSS JOIN b"), "SELECT 1 FROM (a CROSS JOIN b)");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a NATURAL JOIN b"), "SELECT 1 FROM (a NATURAL JOIN b)");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a NATURAL LEFT JOIN b"),
            "SELECT 1 FROM (a NATURAL LEFT JOIN b)");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a JOIN b ON p JOIN c ON q, d"),
            "SELECT 1 FROM ((a JOIN b ON p) JOIN c ON q), d");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM a JOIN (b JOIN c ON q) ON p"),
            "SELECT 1 FROM (a JOIN (b JOIN c ON q) ON p)");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM (a JOIN b USING (x)) AS j(k, l)"),
            "SELECT 1 FROM (a JOIN b USING (x)) AS j(k, l)");

  SelectPtr select = Parse("SELECT 1 FROM gp.a AS x LEFT JOIN b ON x.id = b.id");
  const TableRef& join = *select->from.at(0);
  EXPECT_EQ(join.kind, TableRefKind::kJoin);
  EXPECT_EQ(join.join_type, JoinType::kLeft);
  EXPECT_FALSE(join.natural);
  EXPECT_EQ(join.left->names, (std::vector<std::string>{"gp", "a"}));
  EXPECT_EQ(join.left->alias, "x");
  EXPECT_EQ(join.on->kind, ExprKind::kBinary);
}

TEST(ParserTest, Subqueries) {
  EXPECT_EQ(DescribeQuery("SELECT s.a FROM (SELECT a FROM t) AS s"),
            "SELECT s.a FROM [SELECT a FROM t] AS s");
  EXPECT_EQ(DescribeQuery("SELECT * FROM (SELECT 1, 2) s(a, b) JOIN t ON s.a = t.a"),
            "SELECT * FROM ([SELECT 1, 2] AS s(a, b) JOIN t ON (s.a = t.a))");
  EXPECT_EQ(DescribeExpr("EXISTS (SELECT 1 FROM t)"), "EXISTS[SELECT 1 FROM t]");
  EXPECT_EQ(DescribeExpr("NOT EXISTS (SELECT 1)"), "(NOT EXISTS[SELECT 1])");
  EXPECT_EQ(DescribeExpr("a IN (SELECT b FROM t)"), "(a IN [SELECT b FROM t])");
  EXPECT_EQ(DescribeExpr("a NOT IN (SELECT b FROM t)"), "(a NOT IN [SELECT b FROM t])");
  EXPECT_EQ(DescribeExpr("a = ANY (SELECT b FROM t)"), "(a IN [SELECT b FROM t])");
  EXPECT_EQ(DescribeExpr("(SELECT max(b) FROM t)"), "[SELECT max(b) FROM t]");
  EXPECT_EQ(DescribeExpr("(SELECT 1) + 1"), "([SELECT 1] + 1)");

  SelectPtr select = Parse("SELECT a NOT IN (SELECT b FROM t)");
  const Expr& in = *select->targets[0].expr;
  EXPECT_EQ(in.kind, ExprKind::kInSubquery);
  EXPECT_TRUE(in.negated);
  EXPECT_EQ(in.args.size(), 1u);
  EXPECT_EQ(in.location, 9);
}

TEST(ParserTest, WhereGroupByHaving) {
  EXPECT_EQ(
      DescribeQuery("SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a, 2 HAVING count(*) > 10"),
      "SELECT a, count(*) FROM t WHERE (b > 1) GROUP BY a, 2 HAVING (count(*) > 10)");
  // GROUP BY (a, b) is GROUP BY a, b.
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM t GROUP BY (a, b), c"),
            "SELECT 1 FROM t GROUP BY a, b, c");
}

TEST(ParserTest, WindowFunctions) {
  EXPECT_EQ(DescribeQuery("SELECT row_number() OVER () FROM t"),
            "SELECT row_number() OVER () FROM t");
  EXPECT_EQ(DescribeQuery("SELECT lag(x, 2, 0) OVER (PARTITION BY a, b ORDER BY c DESC NULLS "
                          "LAST) FROM t"),
            "SELECT lag(x, 2, 0) OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST) FROM t");
  EXPECT_EQ(DescribeQuery("SELECT sum(x) OVER (ORDER BY c ROWS BETWEEN 3 PRECEDING AND 1 "
                          "FOLLOWING) FROM t"),
            "SELECT sum(x) OVER (ORDER BY c ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING) FROM t");
  EXPECT_EQ(DescribeQuery("SELECT count(*) OVER (ORDER BY c RANGE UNBOUNDED PRECEDING) FROM t"),
            "SELECT count(*) OVER (ORDER BY c RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
            "FROM t");
  EXPECT_EQ(DescribeQuery("SELECT rank() OVER (ORDER BY c GROUPS BETWEEN CURRENT ROW AND "
                          "UNBOUNDED FOLLOWING) FROM t"),
            "SELECT rank() OVER (ORDER BY c GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) "
            "FROM t");
  // Named windows are copied into each use: OVER w as it is, OVER (w ...) adding ORDER BY.
  EXPECT_EQ(DescribeQuery("SELECT sum(x) OVER w, rank() OVER (w ORDER BY c) FROM t WINDOW w AS "
                          "(PARTITION BY a)"),
            "SELECT sum(x) OVER (PARTITION BY a), rank() OVER (PARTITION BY a ORDER BY c) FROM t");
  // A subquery's select list sees its own WINDOW clause only.
  EXPECT_THROW(Parse("SELECT (SELECT count(*) OVER w FROM u) FROM t WINDOW w AS ()"), Error);
}

TEST(ParserTest, GroupingSets) {
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM t GROUP BY ROLLUP (a, (b, c))"),
            "SELECT 1 FROM t GROUP BY rollup(a, simple(b, c))");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM t GROUP BY CUBE (a, b)"),
            "SELECT 1 FROM t GROUP BY cube(a, b)");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), a, (), ROLLUP (c))"),
            "SELECT 1 FROM t GROUP BY sets(simple(a, b), a, empty(), rollup(c))");
  EXPECT_EQ(DescribeQuery("SELECT 1 FROM t GROUP BY a, ()"), "SELECT 1 FROM t GROUP BY a, empty()");
  SelectPtr select = Parse("SELECT 1 FROM t GROUP BY ROLLUP (a)");
  EXPECT_EQ(select->group_by.at(0)->kind, ExprKind::kGroupingSet);
  EXPECT_EQ(select->group_by.at(0)->location, 25);
}

TEST(ParserTest, OrderByLimitOffset) {
  SelectPtr select = Parse(
      "SELECT a FROM t ORDER BY a DESC NULLS FIRST, b ASC NULLS LAST, c, d DESC LIMIT 10 "
      "OFFSET 5");
  ASSERT_EQ(select->order_by.size(), 4u);
  EXPECT_TRUE(select->order_by[0].descending);
  EXPECT_EQ(select->order_by[0].nulls_first, true);
  EXPECT_FALSE(select->order_by[1].descending);
  EXPECT_EQ(select->order_by[1].nulls_first, false);
  EXPECT_FALSE(select->order_by[2].descending);
  EXPECT_EQ(select->order_by[2].nulls_first, std::nullopt);
  EXPECT_TRUE(select->order_by[3].descending);
  EXPECT_EQ(select->order_by[3].nulls_first, std::nullopt);
  EXPECT_EQ(Describe(*select->limit), "10");
  EXPECT_EQ(Describe(*select->offset), "5");

  EXPECT_EQ(DescribeQuery("SELECT a FROM t LIMIT ALL"), "SELECT a FROM t");
  EXPECT_EQ(DescribeQuery("SELECT a FROM t LIMIT NULL OFFSET 2"), "SELECT a FROM t OFFSET 2");
  EXPECT_EQ(DescribeQuery("SELECT a FROM t OFFSET 3"), "SELECT a FROM t OFFSET 3");
  EXPECT_EQ(DescribeQuery("SELECT a FROM t OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY"),
            "SELECT a FROM t LIMIT 3 OFFSET 5");
  EXPECT_EQ(DescribeQuery("SELECT a FROM t ORDER BY 1 FETCH FIRST ROW ONLY"),
            "SELECT a FROM t ORDER BY 1 LIMIT 1");
  EXPECT_EQ(DescribeQuery("SELECT a FROM t ORDER BY a + 1 LIMIT $$5$$"),
            "SELECT a FROM t ORDER BY (a + 1) LIMIT '5'");
}

TEST(ParserTest, Distinct) {
  EXPECT_EQ(DescribeQuery("SELECT DISTINCT a, b FROM t"), "SELECT DISTINCT a, b FROM t");
  EXPECT_FALSE(Parse("SELECT ALL a FROM t")->distinct);
  EXPECT_EQ(DescribeExpr("count(DISTINCT a)"), "count(DISTINCT a)");
}

TEST(ParserTest, With) {
  SelectPtr select =
      Parse("WITH a(x, y) AS (SELECT 1, 2), b AS MATERIALIZED (SELECT x FROM a) SELECT * FROM b");
  ASSERT_EQ(select->with.size(), 2u);
  EXPECT_EQ(select->with[0].name, "a");
  EXPECT_EQ(select->with[0].column_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(select->with[0].location, 5);
  EXPECT_EQ(select->with[1].name, "b");
  EXPECT_TRUE(select->with[1].column_names.empty());
  EXPECT_EQ(Describe(*select),
            "WITH a(x, y) AS [SELECT 1, 2], b AS [SELECT x FROM a] SELECT * FROM b");
  EXPECT_EQ(DescribeQuery("SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c) s"),
            "SELECT * FROM [WITH c AS [SELECT 1] SELECT * FROM c] AS s");
}

TEST(ParserTest, SetOperations) {
  EXPECT_EQ(DescribeQuery("SELECT a FROM t UNION SELECT b FROM u"),
            "[SELECT a FROM t] UNION [SELECT b FROM u]");
  EXPECT_EQ(DescribeQuery("SELECT 1 UNION ALL SELECT 2 ORDER BY 1 DESC LIMIT 3 OFFSET 1"),
            "[SELECT 1] UNION ALL [SELECT 2] ORDER BY 1 DESC LIMIT 3 OFFSET 1");
  // INTERSECT binds tighter than UNION and EXCEPT.
  EXPECT_EQ(DescribeQuery("SELECT 1 EXCEPT SELECT 2 INTERSECT ALL SELECT 3"),
            "[SELECT 1] EXCEPT [[SELECT 2] INTERSECT ALL [SELECT 3]]");
  EXPECT_EQ(DescribeQuery("SELECT 1 UNION SELECT 2 EXCEPT SELECT 3"),
            "[[SELECT 1] UNION [SELECT 2]] EXCEPT [SELECT 3]");
  EXPECT_EQ(DescribeQuery("(SELECT a FROM t ORDER BY a LIMIT 1) UNION (SELECT 2)"),
            "[SELECT a FROM t ORDER BY a LIMIT 1] UNION [SELECT 2]");
  EXPECT_EQ(DescribeQuery("WITH c AS (SELECT 1) SELECT * FROM c UNION SELECT 2"),
            "WITH c AS [SELECT 1] [SELECT * FROM c] UNION [SELECT 2]");
  SelectPtr select = Parse("SELECT 1 INTERSECT SELECT 2");
  EXPECT_EQ(select->set_op, SetOp::kIntersect);
  EXPECT_FALSE(select->set_all);
  EXPECT_TRUE(select->targets.empty());
}

TEST(ParserTest, Expressions) {
  const std::pair<const char*, const char*> cases[] = {
      {"a + b * c - d / e % f", "((a + (b * c)) - ((d / e) % f))"},
      {"a = b", "(a = b)"},
      {"a <> b", "(a <> b)"},
      {"a != b", "(a <> b)"},
      {"a < b", "(a < b)"},
      {"a <= b", "(a <= b)"},
      {"a > b", "(a > b)"},
      {"a >= b", "(a >= b)"},
      {"a || 'x'", "(a || 'x')"},
      {"a OPERATOR(pg_catalog.+) b", "(a + b)"},
      {"-a", "(-a)"},
      {"+a", "(+a)"},
      {"+3", "(+3)"},
      {"- -a", "(-(-a))"},
      {"a AND b AND c", "(AND a b c)"},
      {"a OR b", "(OR a b)"},
      {"a AND (b OR c)", "(AND a (OR b c))"},
      {"NOT a", "(NOT a)"},
      {"NOT (a = 1)", "(NOT (a = 1))"},
      {"a IS NULL", "(a IS NULL)"},
      {"a IS NOT NULL", "(a IS NOT NULL)"},
      {"a ISNULL", "(a IS NULL)"},
      {"a NOTNULL", "(a IS NOT NULL)"},
      {"a IS TRUE", "(a IS true)"},
      {"a IS NOT TRUE", "(a IS NOT true)"},
      {"a IS FALSE", "(a IS false)"},
      {"a IS NOT FALSE", "(a IS NOT false)"},
      {"a IN (1, 2)", "(a IN 1 2)"},
      {"a NOT IN ('x')", "(a NOT IN 'x')"},
      {"a BETWEEN 1 AND 2", "(a BETWEEN 1 2)"},
      {"a NOT BETWEEN b AND c + 1", "(a NOT BETWEEN b (c + 1))"},
      {"a LIKE 'x%'", "(a LIKE 'x%')"},
      {"a NOT LIKE 'x%'", "(a NOT LIKE 'x%')"},
      {"a ILIKE 'x%'", "(a ILIKE 'x%')"},
      {"a NOT ILIKE 'x%'", "(a NOT ILIKE 'x%')"},
      {"a ~~ 'x'", "(a LIKE 'x')"},
      {"a !~~ 'x'", "(a NOT LIKE 'x')"},
      {"a ~~* 'x'", "(a ILIKE 'x')"},
      {"a !~~* 'x'", "(a NOT ILIKE 'x')"},
      {"NULLIF(a, 0)", "NULLIF(a, 0)"},
      {"a IS DISTINCT FROM b", "(a IS DISTINCT FROM b)"},
      {"a IS NOT DISTINCT FROM b", "(a IS NOT DISTINCT FROM b)"},
      {"COALESCE(a, b, 0)", "COALESCE(a, b, 0)"},
      {"GREATEST(a, 1)", "GREATEST(a, 1)"},
      {"LEAST(a, 1, 2)", "LEAST(a, 1, 2)"},
      {"CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END",
       "CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END"},
      {"CASE WHEN a > 0 THEN 1 END", "CASE WHEN (a > 0) THEN 1 END"},
      {"count(*)", "count(*)"},
      {"count(a)", "count(a)"},
      {"count(ALL a)", "count(a)"},
      {"COUNT(DISTINCT a)", "count(DISTINCT a)"},
      {"pg_catalog.sum(x)", "sum(x)"},
      {"\"Upper\"(x)", "upper(x)"},
      {"now()", "now()"},
      {"date_trunc('month', d)", "date_trunc('month', d)"},
      {"EXTRACT(year FROM d)", "extract('year', d)"},
      {"extract(dow FROM d)", "extract('dow', d)"},
      {"date_part('year', d)", "date_part('year', d)"},
      {"substring(a FROM 1 FOR 2)", "substring(a, 1, 2)"},
      {"a AT TIME ZONE 'UTC'", "timezone('UTC', a)"},
      {"CURRENT_DATE", "current_date()"},
      {"CURRENT_TIMESTAMP", "current_timestamp()"},
      {"CURRENT_TIMESTAMP(3)", "current_timestamp(3)"},
      {"LOCALTIMESTAMP", "localtimestamp()"},
      {"LOCALTIME(0)", "localtime(0)"},
      {"CURRENT_TIME", "current_time()"},
      {"CAST(a AS integer)", "CAST(a AS integer)"},
      {"a::int", "CAST(a AS integer)"},
      {"a::int4", "CAST(a AS integer)"},
      {"a::bigint", "CAST(a AS bigint)"},
      {"a::int8", "CAST(a AS bigint)"},
      {"a::smallint", "CAST(a AS smallint)"},
      {"a::float8", "CAST(a AS double precision)"},
      {"a::double precision", "CAST(a AS double precision)"},
      {"a::float", "CAST(a AS double precision)"},
      {"a::real", "CAST(a AS real)"},
      {"a::float4", "CAST(a AS real)"},
      {"a::bool", "CAST(a AS boolean)"},
      {"a::boolean", "CAST(a AS boolean)"},
      {"a::varchar(10)", "CAST(a AS varchar(10))"},
      {"a::character varying", "CAST(a AS varchar)"},
      {"a::char(3)", "CAST(a AS char(3))"},
      {"a::character", "CAST(a AS char(1))"},
      {"a::bpchar", "CAST(a AS char)"},
      {"a::text", "CAST(a AS text)"},
      {"a::numeric(10, 2)", "CAST(a AS numeric(10,2))"},
      {"a::decimal(5)", "CAST(a AS numeric(5))"},
      {"a::numeric", "CAST(a AS numeric)"},
      {"a::date", "CAST(a AS date)"},
      {"a::timestamp", "CAST(a AS timestamp)"},
      {"a::timestamptz", "CAST(a AS timestamp with time zone)"},
      {"a::timestamp(3) with time zone", "CAST(a AS timestamp with time zone(3))"},
      {"a::time with time zone", "CAST(a AS time with time zone)"},
      {"a::interval", "CAST(a AS interval)"},
      {"DATE '2024-01-01'", "CAST('2024-01-01' AS date)"},
      {"TIMESTAMP '2024-01-01 10:00'", "CAST('2024-01-01 10:00' AS timestamp)"},
      {"INTERVAL '1 day'", "CAST('1 day' AS interval)"},
      {"'5'::int + 1", "(CAST('5' AS integer) + 1)"},
  };
  for (const auto& [sql, expected] : cases) {
    SCOPED_TRACE(sql);
    EXPECT_EQ(DescribeExpr(sql), expected);
  }
}

TEST(ParserTest, ExpressionFields) {
  SelectPtr select = Parse(
      "SELECT DATE '2024-01-01', x::numeric(10,2), count(*), a NOT LIKE 'x', a ILIKE 'y', "
      "a IS NOT NULL, b IS NOT FALSE, c NOT BETWEEN 1 AND 2, d NOT IN (1), e IS NOT DISTINCT FROM "
      "f");
  auto target = [&](size_t i) -> const Expr& { return *select->targets.at(i).expr; };
  EXPECT_EQ(target(0).kind, ExprKind::kCast);
  EXPECT_EQ(target(0).location, 7);  // the typed literal's type name
  EXPECT_EQ(target(0).cast_type.name, "date");
  EXPECT_EQ(target(0).args.at(0)->literal_kind, LiteralKind::kString);
  EXPECT_EQ(target(1).cast_type.modifiers, (std::vector<int>{10, 2}));
  EXPECT_EQ(target(1).cast_type.location, 29);
  EXPECT_EQ(target(1).location, 27);  // the ::
  EXPECT_EQ(target(2).kind, ExprKind::kFunction);
  EXPECT_EQ(target(2).name, "count");
  EXPECT_TRUE(target(2).agg_star);
  EXPECT_TRUE(target(2).args.empty());
  EXPECT_EQ(target(2).location, 44);
  EXPECT_EQ(target(3).kind, ExprKind::kLike);
  EXPECT_TRUE(target(3).negated);
  EXPECT_FALSE(target(3).case_insensitive);
  EXPECT_FALSE(target(4).negated);
  EXPECT_TRUE(target(4).case_insensitive);
  for (size_t i = 5; i < select->targets.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(target(i).negated);
  }
  EXPECT_EQ(target(6).op, "false");
  EXPECT_EQ(target(8).kind, ExprKind::kInList);
  EXPECT_EQ(target(9).kind, ExprKind::kIsDistinctFrom);
}

// libpg_query keeps its state per thread; parses on several threads at once must not
// disturb each other, whether they succeed or fail.
TEST(ParserTest, ParsesOnManyThreadsAtOnce) {
  const std::vector<std::string> queries = {
      "SELECT a, count(*) FROM gp.patients p JOIN acute.spells s ON p.id = s.id GROUP BY a",
      "WITH c AS (SELECT -1 AS x) SELECT x FROM c UNION ALL SELECT 0 ORDER BY 1 LIMIT 5",
      "SELECT CASE WHEN a > 0 THEN 'é' ELSE NULL END FROM t WHERE b IN (SELECT c FROM u)",
      "SELECT 1 FORM t",
      "SELECT * FORM t",
      "SELECT row_number() OVER () FROM t",
      "INSERT INTO t VALUES (1)",
      "SELECT '" + std::string(20000, 'x') + "' FROM t",  // parsed on the helper thread
  };
  auto outcome = [](const std::string& sql) {
    try {
      return Describe(*Parse(sql));
    } catch (const Error& e) {
      return std::string("error: ") + e.what() + " at " + std::to_string(e.location().line) + ":" +
             std::to_string(e.location().column);
    }
  };
  std::vector<std::string> expected;
  for (const std::string& sql : queries) expected.push_back(outcome(sql));
  EXPECT_EQ(expected[3], "error: syntax error at or near \"t\" at 1:15");

  constexpr int kThreads = 8;
  std::vector<std::vector<std::string>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 40; ++round) {
        size_t i = (t + round) % queries.size();
        results[t].push_back(outcome(queries[i]) == expected[i] ? "ok" : outcome(queries[i]));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (const std::string& result : results[t]) EXPECT_EQ(result, "ok") << "thread " << t;
  }
}

}  // namespace fedgate::sql
