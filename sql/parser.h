#pragma once

#include <string_view>

#include "common/error.h"
#include "sql/ast.h"

namespace fedgate::sql {

// Parses one SELECT statement (optionally WITH ..., set operations, ORDER BY, LIMIT) with
// PostgreSQL's own grammar (libpg_query) into fedgate's AST. A trailing semicolon is fine.
//
// Errors (all fedgate::Error with kInvalidArgument and a TextLocation when known):
//  - syntax errors: PostgreSQL's message, e.g. `syntax error at or near "FORM"`, with the
//    1-based line and column of the cursor position;
//  - more than one statement, or a statement that is not a query: says so;
//  - constructs fedgate does not support (WITH RECURSIVE, DISTINCT ON, frame EXCLUDE,
//    VALUES, LATERAL, TABLESAMPLE, FOR UPDATE, FETCH ... WITH TIES, array/row expressions,
//    ANY/ALL comparisons with subqueries, ...): an error naming the construct, e.g.
//    "WITH RECURSIVE is not supported", located at the construct.
// Thread-safe.
SelectPtr Parse(std::string_view sql);

// 1-based line and column of a byte offset in `text` (columns count characters, not bytes).
TextLocation LocationOf(std::string_view text, int offset);

}  // namespace fedgate::sql
