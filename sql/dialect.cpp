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

// PostgreSQL evaluates all of the portable functions, and these as fedgate does too.
const std::map<std::string_view, std::string_view> kPostgresFunctions = [] {
  auto functions = kPortableFunctions;
  functions.insert({
      {"/", "({0} / {1})"},
      {"%", "({0} % {1})"},
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
      {"greatest", "*"},
      {"least", "*"},
      {"cast", "*"},
      {"substr", "*"},
      {"substring", "*"},
      {"round", "*"},
      {"age", "*"},
  });
  return functions;
}();

// The normalised NHS number (10 digits after removing spaces and hyphens, with a valid
// Modulus 11 check digit) or NULL, built from the DBMS's own functions: `is_ten_digits` tests
// the text {n} for exactly ten ASCII digits, `digit` is the k-th character's code ({k} in it).
// Every operand is safe on any input, so no row can make the expression fail.
std::string CanonicalExpression(std::string_view is_ten_digits, std::string_view digit) {
  auto at = [&](int k) {
    std::string out;
    for (size_t i = 0; i < digit.size(); ++i) {
      if (digit.compare(i, 3, "{k}") == 0) {
        out += std::to_string(k);
        i += 2;
      } else {
        out += digit[i];
      }
    }
    return "(" + out + " - 48)";
  };
  std::string sum;
  for (int k = 1; k <= 9; ++k) sum += (k > 1 ? " + " : "") + at(k) + " * " + std::to_string(11 - k);
  return "CASE WHEN " + std::string(is_ten_digits) + " AND (11 - (" + sum +
         ") % 11) % 11 = " + at(10) + " THEN {n} END";
}

const std::string& PostgresCanonical() {
  static const std::string s =
      CanonicalExpression("{n} ~ '^[0-9]{10}$'", "ascii(substr({n}, {k}, 1))");
  return s;
}

// MariaDB: REGEXP's $ also matches before a final newline, so the length is checked instead.
const std::string& MariaDbCanonical() {
  static const std::string s = CanonicalExpression(
      "CHAR_LENGTH({n}) = 10 AND {n} NOT REGEXP '[^0-9]'", "ascii(substr({n}, {k}, 1))");
  return s;
}

// SQLite: no regular expressions; GLOB is case-sensitive and bytewise.
const std::string& SqliteCanonical() {
  static const std::string s = CanonicalExpression("length({n}) = 10 AND {n} NOT GLOB '*[^0-9]*'",
                                                   "unicode(substr({n}, {k}, 1))");
  return s;
}

// SQL Server: LIKE's character ranges follow the collation, so a binary one is asked for.
const std::string& SqlServerCanonical() {
  static const std::string s =
      CanonicalExpression("LEN({n}) = 10 AND {n} COLLATE Latin1_General_BIN NOT LIKE '%[^0-9]%'",
                          "ASCII(SUBSTRING({n}, {k}, 1))");
  return s;
}

}  // namespace

// Every window function fedgate has, for the DBMSs that compute each as PostgreSQL does.
constexpr std::string_view kAllWindowFunctions =
    "row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value "
    "nth_value count_star count sum avg min max";

const Dialect& PostgresDialect() {
  static const Dialect d{.name = "postgresql",
                         .identifier_open = '"',
                         .identifier_close = '"',
                         .backslash_escapes = false,
                         .date_prefix = "DATE ",
                         .true_literal = "TRUE",
                         .false_literal = "FALSE",
                         .limit_style = Dialect::LimitStyle::kLimitOffset,
                         .functions = &kPostgresFunctions,
                         .canonical_identifier = PostgresCanonical(),
                         .bytewise_collation = " COLLATE \"C\"",
                         .scan_only = false,
                         .text_semantics_match = true,
                         .predicates_are_values = true,
                         .string_prefix = "",
                         .double_literal = "CAST({0} AS double precision)",
                         .timestamp_literal = "TIMESTAMP {0}",
                         .typed_null = "CAST(NULL AS {0})",
                         .interval_literals = true,
                         .nulls_order_syntax = true,
                         .window_functions = kAllWindowFunctions,
                         .window_groups = true,
                         .window_range_offsets = true,
                         .window_shift_default = true};
  return d;
}

// MariaDB/MySQL: backslash escapes in literals (unless NO_BACKSLASH_ESCAPES), booleans are
// 1 and 0, the default collations ignore case and trailing spaces.
const Dialect& MariaDbDialect() {
  static const Dialect d{.name = "mariadb",
                         .identifier_open = '`',
                         .identifier_close = '`',
                         .backslash_escapes = true,
                         .date_prefix = "DATE ",
                         .true_literal = "1",
                         .false_literal = "0",
                         .limit_style = Dialect::LimitStyle::kLimitOffset,
                         .functions = &kPortableFunctions,
                         .canonical_identifier = MariaDbCanonical(),
                         .bytewise_collation = "",
                         .scan_only = false,
                         .text_semantics_match = false,
                         .predicates_are_values = true,
                         .string_prefix = "",
                         .double_literal = "{0}",
                         .timestamp_literal = "TIMESTAMP {0}",
                         .typed_null = "",
                         .interval_literals = false,
                         .nulls_order_syntax = false,
                         .window_functions =
                             "row_number rank dense_rank percent_rank cume_dist ntile "
                             "lag lead first_value last_value nth_value count_star "
                             "count sum min max",
                         .window_range_offsets = true};
  return d;
}

// SQLite: no DATE type (the providers store ISO text, which compares correctly) and no
// timestamp literal; text compares bytewise (BINARY collation).
const Dialect& SqliteDialect() {
  static const Dialect d{.name = "sqlite",
                         .identifier_open = '"',
                         .identifier_close = '"',
                         .backslash_escapes = false,
                         .date_prefix = "",
                         .true_literal = "1",
                         .false_literal = "0",
                         .limit_style = Dialect::LimitStyle::kLimitOffset,
                         .functions = &kPortableFunctions,
                         .canonical_identifier = SqliteCanonical(),
                         .bytewise_collation = "",
                         .scan_only = false,
                         .text_semantics_match = true,
                         .predicates_are_values = true,
                         .string_prefix = "",
                         .double_literal = "{0}",
                         .timestamp_literal = "",
                         .typed_null = "",
                         .interval_literals = false,
                         .nulls_order_syntax = true,
                         .window_functions = kAllWindowFunctions,
                         .window_groups = true,
                         .window_range_offsets = true,
                         .window_shift_default = true};
  return d;
}

// SQL Server (T-SQL): [identifiers], N'...' literals, TOP / OFFSET ... FETCH, bit instead of
// boolean, case-insensitive default collations.
const Dialect& SqlServerDialect() {
  static const Dialect d{.name = "sqlserver",
                         .identifier_open = '[',
                         .identifier_close = ']',
                         .backslash_escapes = false,
                         .date_prefix = "",
                         .true_literal = "1",
                         .false_literal = "0",
                         .limit_style = Dialect::LimitStyle::kTopOrFetch,
                         .functions = &kPortableFunctions,
                         .canonical_identifier = SqlServerCanonical(),
                         .bytewise_collation = "",
                         .scan_only = false,
                         .text_semantics_match = false,
                         .predicates_are_values = false,
                         .string_prefix = "N",
                         .double_literal = "{0}",
                         .timestamp_literal = "CAST({0} AS datetime2)",
                         .typed_null = "",
                         .interval_literals = false,
                         .nulls_order_syntax = false,
                         .window_functions =
                             "row_number rank dense_rank percent_rank cume_dist ntile "
                             "lag lead first_value last_value count_star count sum "
                             "avg min max",
                         .window_shift_default = true,
                         .window_needs_order = true};
  return d;
}

const Dialect& ScanOnlyDialect() {
  static const std::map<std::string_view, std::string_view> kNone;
  static const Dialect d{.name = "scan-only",
                         .identifier_open = '"',
                         .identifier_close = '"',
                         .backslash_escapes = false,
                         .date_prefix = "",
                         .true_literal = "TRUE",
                         .false_literal = "FALSE",
                         .limit_style = Dialect::LimitStyle::kLimitOffset,
                         .functions = &kNone,
                         .canonical_identifier = "",
                         .bytewise_collation = "",
                         .scan_only = true,
                         .text_semantics_match = true,
                         .predicates_are_values = true,
                         .string_prefix = "",
                         .double_literal = "",
                         .timestamp_literal = "",
                         .typed_null = "",
                         .interval_literals = false,
                         .nulls_order_syntax = true,
                         .window_functions = ""};
  return d;
}

const Dialect* DialectNamed(std::string_view name) {
  for (const Dialect* d :
       {&PostgresDialect(), &MariaDbDialect(), &SqliteDialect(), &SqlServerDialect()}) {
    if (d->name == name) return d;
  }
  return nullptr;
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
  out.reserve(value.size() + 3);
  out += dialect.string_prefix;
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

std::string StrippedIdentifier(const std::string& raw) {
  return "replace(replace(" + raw + ", ' ', ''), '-', '')";
}

std::string CanonicalIdentifier(const Dialect& dialect, const std::string& raw) {
  const std::string n = StrippedIdentifier(raw);
  std::string out;
  const std::string_view pattern = dialect.canonical_identifier;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.compare(i, 3, "{n}") == 0) {
      out += n;
      i += 2;
    } else {
      out += pattern[i];
    }
  }
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
