#pragma once

// A compact, unambiguous rendering of fedgate's AST (sql/ast.h) for tests, so that a test can
// state a whole tree in one line: "SELECT a, count(*) FROM (p JOIN s ON (p.id = s.id))".
// Operators are parenthesised, subqueries bracketed, literals typed by their spelling
// (1, numeric:1.5, 'x', TRUE, NULL), grouping sets as rollup(...), simple(...).

#include <string>

#include "sql/ast.h"

namespace fedgate::sql {

std::string Describe(const Expr& expr);
std::string Describe(const TableRef& ref);
std::string Describe(const SelectStmt& select);

}  // namespace fedgate::sql
