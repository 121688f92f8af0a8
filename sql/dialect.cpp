#include "sql/dialect.h"

namespace fedgate::sql {

namespace {

// Functions whose semantics MariaDB, SQLite and SQL Server share with fedgate for the
// argument types the writer lets through (text only where the dialect's text semantics match).
// Left out on purpose: '/' (integer division differs), '%', LIKE (case-insensitive in MariaDB
// and SQLite), date functions, string functions, casts.
const std::map<std::string_view, std::string_view> kPortableFunctions = {
    {"+", "({0} + {1})"},
    {"-", "({0} - {1})"},
    {"*", "({0} * {1})"},
    {"neg", "(- {0})"},
    {"=", "({0} = {1})"},
    {"<>", "({0} <> {1})"},
    {"<", "({0} < {1})"},
    {"<=", "({0} <= {1})"},
    {">", "({0} > {1})"},
    {">=", "({0} >= {1})"},
    {"not", "(NOT {0})"},
    {"is_null", "({0} IS NULL)"},
    {"is_not_null", "({0} IS NOT NULL)"},
    {"and", "*"},
    {"or", "*"},
    {"in", "*"},
    {"case", "*"},
    {"coalesce", "*"},
};

const std::map<std::string_view, std::string_view> kPostgresFunctions = {
    {"+", "({0} + {1})"},
    {"-", "({0} - {1})"},
    {"*", "({0} * {1})"},
    {"/", "({0} / {1})"},
    {"%", "({0} % {1})"},
    {"neg", "(- {0})"},
    {"=", "({0} = {1})"},
    {"<>", "({0} <> {1})"},
    {"<", "({0} < {1})"},
    {"<=", "({0} <= {1})"},
    {">", "({0} > {1})"},
    {">=", "({0} >= {1})"},
    {"not", "(NOT {0})"},
    {"is_null", "({0} IS NULL)"},
    {"is_not_null", "({0} IS NOT NULL)"},
    {"is_true", "({0} IS TRUE)"},
    {"is_not_true", "({0} IS NOT TRUE)"},
    {"is_false", "({0} IS FALSE)"},
    {"is_not_false", "({0} IS NOT FALSE)"},
    {"is_distinct_from", "({0} IS DISTINCT FROM {1})"},
    {"is_not_distinct_from", "({0} IS NOT DISTINCT FROM {1})"},
    {"like", "({0} LIKE {1})"},
    {"ilike", "({0} ILIKE {1})"},
    {"||", "({0} || {1})"},
    {"nullif", "NULLIF({0}, {1})"},
    {"date_trunc", "date_trunc({0}, {1})"},
    {"extract", "date_part({0}, {1})"},
    {"date_part", "date_part({0}, {1})"},
    {"lower", "lower({0})"},
    {"upper", "upper({0})"},
    {"length", "length({0})"},
    {"trim", "btrim({0})"},
    {"abs", "abs({0})"},
    {"floor", "floor({0})"},
    {"ceil", "ceil({0})"},
    {"ceiling", "ceil({0})"},
    {"and", "*"},
    {"or", "*"},
    {"in", "*"},
    {"case", "*"},
    {"coalesce", "*"},
    {"greatest", "*"},
    {"least", "*"},
    {"cast", "*"},
    {"substr", "*"},
    {"substring", "*"},
    {"round", "*"},
    {"age", "*"},
};

// Digits via ascii() - 48 so that no input can make the expression fail; the pattern test
// guards the result.
constexpr std::string_view kPostgresCanonical =
    "CASE WHEN {n} ~ '^[0-9]{10}$' AND (11 - ((ascii(substr({n}, 1, 1)) - 48) * 10 + "
    "(ascii(substr({n}, 2, 1)) - 48) * 9 + (ascii(substr({n}, 3, 1)) - 48) * 8 + "
    "(ascii(substr({n}, 4, 1)) - 48) * 7 + (ascii(substr({n}, 5, 1)) - 48) * 6 + "
    "(ascii(substr({n}, 6, 1)) - 48) * 5 + (ascii(substr({n}, 7, 1)) - 48) * 4 + "
    "(ascii(substr({n}, 8, 1)) - 48) * 3 + (ascii(substr({n}, 9, 1)) - 48) * 2) % 11) % 11 "
    "= ascii(substr({n}, 10, 1)) - 48 THEN {n} END";

}  // namespace

const Dialect& PostgresDialect() {
  static const Dialect d{"postgresql",
                         '"',
                         '"',
                         false,
                         "DATE ",
                         "TRUE",
                         "FALSE",
                         Dialect::LimitStyle::kLimitOffset,
                         &kPostgresFunctions,
                         kPostgresCanonical,
                         " COLLATE \"C\"",
                         false,
                         /*text_semantics_match=*/true};
  return d;
}

const Dialect& MariaDbDialect() {
  static const Dialect d{"mariadb",
                         '`',
                         '`',
                         true,
                         "DATE ",
                         "1",
                         "0",
                         Dialect::LimitStyle::kLimitOffset,
                         &kPortableFunctions,
                         "",
                         "",
                         false,
                         /*text_semantics_match=*/false};
  return d;
}

const Dialect& SqliteDialect() {
  // SQLite has no DATE type: the providers store ISO text, which compares correctly.
  static const Dialect d{"sqlite",
                         '"',
                         '"',
                         false,
                         "",
                         "1",
                         "0",
                         Dialect::LimitStyle::kLimitOffset,
                         &kPortableFunctions,
                         "",
                         "",
                         false,
                         /*text_semantics_match=*/true};
  return d;
}

const Dialect& SqlServerDialect() {
  static const Dialect d{"sqlserver",
                         '[',
                         ']',
                         false,
                         "",
                         "1",
                         "0",
                         Dialect::LimitStyle::kTopOrFetch,
                         nullptr,
                         "",
                         "",
                         false,
                         /*text_semantics_match=*/false};
  return d;
}

const Dialect& ScanOnlyDialect() {
  static const std::map<std::string_view, std::string_view> kNone;
  static const Dialect d{
      "scan-only", '"', '"', false, "",  "TRUE", "FALSE", Dialect::LimitStyle::kLimitOffset,
      &kNone,      "",  "",  true,  true};
  return d;
}

std::string QuoteIdentifier(const Dialect& dialect, std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back(dialect.identifier_open);
  for (char c : name) {
    out.push_back(c);
    if (c == dialect.identifier_close) out.push_back(c);
  }
  out.push_back(dialect.identifier_close);
  return out;
}

std::string QuoteString(const Dialect& dialect, std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('\'');
  for (char c : value) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\\' && dialect.backslash_escapes) {
      out += "\\\\";
    } else if (c == '\0' && dialect.backslash_escapes) {
      out += "\\0";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string DateLiteral(const Dialect& dialect, std::string_view iso_date) {
  std::string out(dialect.date_prefix);
  out += '\'';
  out += iso_date;
  out += '\'';
  return out;
}

}  // namespace fedgate::sql
