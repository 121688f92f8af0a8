#pragma once

#include <map>
#include <string>
#include <string_view>

namespace fedgate::sql {

// How a DBMS spells things. A dialect is data, not a code path: adding a DBMS adds a
// table entry here (and its pushdown allowlist, with the engine), never a branch in the
// SQL writer.
struct Dialect {
  enum class LimitStyle { kLimitOffset, kTopOrFetch };

  std::string_view name;
  char identifier_open;  // " for PostgreSQL/SQLite, ` for MariaDB, [ for SQL Server
  char identifier_close;
  bool backslash_escapes;         // string literals treat \ as an escape (MariaDB by default)
  std::string_view date_prefix;   // DATE '2024-01-01' vs '2024-01-01'
  std::string_view true_literal;  // TRUE vs 1
  std::string_view false_literal;
  LimitStyle limit_style;
  // Engine functions the DBMS evaluates with the same semantics, as patterns over their
  // arguments ({0}, {1}); a function missing here is never pushed to the DBMS. Variadic
  // forms (AND, OR, IN, CASE, COALESCE, GREATEST, LEAST, CAST, substr, round, age) are
  // written by the SQL writer when their name is present with pattern "*".
  const std::map<std::string_view, std::string_view>* functions;
  // An expression that turns a raw identifier {0} into its normalised 10-digit form, or NULL
  // when it is not a valid NHS number (so joins and groups on it match fedgate's pseudonyms).
  std::string_view canonical_identifier;
  // Appended to text operands of ordering comparisons and sort keys so the DBMS orders
  // text bytewise, as the gateway does ("" when it already does).
  std::string_view bytewise_collation;
  // The source evaluates nothing: every fragment is one table's columns, and filters,
  // projections and everything else run in the gateway (in-memory metadata tables).
  bool scan_only;
  // Text compares, groups and sorts as fedgate does (bytewise, trailing spaces significant).
  // False for MariaDB and SQL Server, whose default collations ignore case and trailing
  // spaces: then no comparison, grouping, DISTINCT, MIN/MAX or ordering of text is pushed.
  bool text_semantics_match = true;
  // A predicate may be used as a value and a boolean column as a predicate. False for SQL
  // Server (no boolean type: `WHERE flag` and `SELECT a > b` are errors there), where only
  // comparisons, IS [NOT] NULL, IN, AND, OR and NOT are pushed, and only where a predicate
  // belongs (WHERE, ON, CASE WHEN).
  bool predicates_are_values = true;
  // Put before a string literal: N for SQL Server, whose '...' is in the database's code page.
  std::string_view string_prefix;
  // Literal forms, {0} standing for the value: a double written with an exponent
  // ("1.5000000000000000e+00"), a timestamp as a quoted 'yyyy-mm-dd hh:mm:ss.ffffff', a
  // typed NULL's type name. Empty: the dialect has no such literal, so an expression holding
  // one is not pushed (a NULL is then written untyped).
  std::string_view double_literal = "{0}";
  std::string_view timestamp_literal;
  std::string_view typed_null;
  bool interval_literals = false;
  // ORDER BY ... NULLS FIRST/LAST is understood (PostgreSQL, SQLite); otherwise where NULLs
  // go is written as a sort key of its own.
  bool nulls_order_syntax = true;
  // Window functions the DBMS computes as fedgate does, space-separated (count(*) is
  // count_star); empty: no window is pushed. MariaDB's avg is a rounded decimal, so it is not
  // listed there.
  std::string_view window_functions;
  bool window_groups = false;         // GROUPS frames
  bool window_range_offsets = false;  // RANGE n PRECEDING/FOLLOWING over a number
  bool window_shift_default = false;  // lag/lead's third argument (not in MariaDB)
  bool window_needs_order = false;    // ranking and value functions need an ORDER BY (T-SQL)
};

const Dialect& PostgresDialect();
const Dialect& MariaDbDialect();
const Dialect& SqliteDialect();
const Dialect& SqlServerDialect();
// For sources that only hand over a table's rows (scan_only).
const Dialect& ScanOnlyDialect();
// The dialect a configuration or an agent names (postgresql, mariadb, sqlite, sqlserver);
// null for any other name.
const Dialect* DialectNamed(std::string_view name);

// Quotes an identifier, doubling any closing quote character inside it.
std::string QuoteIdentifier(const Dialect& dialect, std::string_view name);

// A string literal with quotes escaped for the dialect. Never returns unescaped input.
std::string QuoteString(const Dialect& dialect, std::string_view value);

// The dialect's expression for the normalised 10-digit form of the raw identifier expression
// `raw` (spaces and hyphens removed), NULL when it is not a valid NHS number.
// REQUIRES: the dialect has a canonical_identifier.
std::string CanonicalIdentifier(const Dialect& dialect, const std::string& raw);
// `raw` without its spaces and hyphens (any dialect): what CanonicalIdentifier checks.
std::string StrippedIdentifier(const std::string& raw);

// A date literal for an ISO yyyy-mm-dd string.
// REQUIRES: `iso_date` is a valid yyyy-mm-dd date.
std::string DateLiteral(const Dialect& dialect, std::string_view iso_date);

}  // namespace fedgate::sql
