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

TEST(Dialect, SqlServerLiteralsAreUnicode) {
  EXPECT_EQ(QuoteString(SqlServerDialect(), "café's"), "N'café''s'");
}

TEST(Dialect, DateLiterals) {
  EXPECT_EQ(DateLiteral(PostgresDialect(), "2024-04-01"), "DATE '2024-04-01'");
  EXPECT_EQ(DateLiteral(SqliteDialect(), "2024-04-01"), "'2024-04-01'");
}

// Every dialect that pushes person keys checks the Modulus 11 digit with its own functions.
TEST(Dialect, CanonicalIdentifierUsesTheDbmsFunctions) {
  EXPECT_NE(MariaDbDialect().canonical_identifier.find("NOT REGEXP '[^0-9]'"), std::string::npos);
  EXPECT_NE(SqliteDialect().canonical_identifier.find("NOT GLOB '*[^0-9]*'"), std::string::npos);
  EXPECT_NE(SqliteDialect().canonical_identifier.find("unicode(substr({n}, 10, 1))"),
            std::string::npos);
  EXPECT_NE(SqlServerDialect().canonical_identifier.find("ASCII(SUBSTRING({n}, 1, 1))"),
            std::string::npos);
  for (const Dialect* d : {&PostgresDialect(), &MariaDbDialect(), &SqliteDialect()}) {
    EXPECT_NE(d->canonical_identifier.find("% 11) % 11"), std::string::npos) << d->name;
  }
}

}  // namespace
}  // namespace fedgate::sql
