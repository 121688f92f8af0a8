#include "sql/dialect.h"

#include <gtest/gtest.h>

namespace fedgate::sql {
namespace {

TEST(Dialect, QuotesIdentifiersPerDbms) {
  EXPECT_EQ(QuoteIdentifier(PostgresDialect(), "a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier(MariaDbDialect(), "a`b"), "`a``b`");
  EXPECT_EQ(QuoteIdentifier(SqlServerDialect(), "a]b"), "[a]]b]");
  EXPECT_EQ(QuoteIdentifier(SqliteDialect(), "contacts"), "\"contacts\"");
}

TEST(Dialect, EscapesStringLiterals) {
  EXPECT_EQ(QuoteString(PostgresDialect(), "O'Brien \\n"), "'O''Brien \\n'");
  // MariaDB's default sql_mode reads backslash as an escape: it must be doubled.
  EXPECT_EQ(QuoteString(MariaDbDialect(), "O'Brien \\n"), "'O''Brien \\\\n'");
  EXPECT_EQ(QuoteString(SqliteDialect(), "é'"), "'é'''");
}

TEST(Dialect, DateLiterals) {
  EXPECT_EQ(DateLiteral(PostgresDialect(), "2024-04-01"), "DATE '2024-04-01'");
  EXPECT_EQ(DateLiteral(SqliteDialect(), "2024-04-01"), "'2024-04-01'");
}

}  // namespace
}  // namespace fedgate::sql
