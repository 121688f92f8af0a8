#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace fedgate::sql {

// Trino's SQL text as PostgreSQL's grammar (Parse) reads it. Two differences are bridged,
// both outside string literals, quoted identifiers and comments, so a value is never touched:
//  - parameters: each `?` becomes `$1`, `$2`, ... in order (Trino numbers them by position);
//  - a catalog whose id has hyphens, written unquoted before a dot (`bi-check.gp.patients`,
//    as Cube writes `${catalog}.information_schema.tables`), becomes "bi-check" when it is
//    one of `catalogs` (compared case-insensitively); elsewhere `a-b` stays a subtraction.
// Error locations computed on text() map back to the caller's text with Original().
// Immutable once built; thread-compatible.
class TrinoText {
 public:
  TrinoText(std::string_view text, const std::set<std::string>& catalogs = {});

  const std::string& text() const { return text_; }
  // How many `?` parameters the text has.
  int parameters() const { return parameters_; }
  // The line and column in the original text of a location in text().
  TextLocation Original(TextLocation rewritten) const;
  // An error whose location refers to text(), with its location mapped back.
  Error Original(const Error& e) const;

 private:
  struct Edit {
    int line;      // 1-based line of the edit in text()
    int column;    // 1-based column in text() of the last inserted character
    int inserted;  // characters inserted
    int replaced;  // characters of the original text they replace
  };
  std::string text_;
  int parameters_ = 0;
  std::vector<Edit> edits_;
};

}  // namespace fedgate::sql
