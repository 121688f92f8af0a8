#include "sql/dialect.h"

namespace fedgate::sql {

const Dialect& PostgresDialect() {
  static const Dialect d{"postgresql", '"',    '"',     false,
                         "DATE ",      "TRUE", "FALSE", Dialect::LimitStyle::kLimitOffset};
  return d;
}

const Dialect& MariaDbDialect() {
  static const Dialect d{"mariadb", '`', '`', true,
                         "DATE ",   "1", "0", Dialect::LimitStyle::kLimitOffset};
  return d;
}

const Dialect& SqliteDialect() {
  // SQLite has no DATE type: the providers store ISO text, which compares correctly.
  static const Dialect d{"sqlite", '"', '"', false,
                         "",       "1", "0", Dialect::LimitStyle::kLimitOffset};
  return d;
}

const Dialect& SqlServerDialect() {
  static const Dialect d{"sqlserver", '[', ']', false,
                         "",          "1", "0", Dialect::LimitStyle::kTopOrFetch};
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
