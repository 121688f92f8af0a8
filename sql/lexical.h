#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fedgate::sql {

// PostgreSQL's lexical rules for the parts of a text that are not code: comments, string
// literals, quoted identifiers and dollar-quoted strings. For the few places that read SQL
// text without the grammar (TrinoText's rewrite, the Trino statement tokenizer, a negative
// integer's digits), so they all agree with the parser on where code is.
enum class Lexeme { kNone, kComment, kString, kQuotedIdentifier };

struct NonCode {
  Lexeme kind = Lexeme::kNone;
  size_t end = 0;  // one past its last byte; an unterminated one runs to the end of the text
};

// What starts at s[i]: `--` to the end of the line (\n or \r), `/* */` (nested), '...' and
// "..." (a doubled quote stays inside), E'...' (also with backslash escapes; E must not end a
// longer word) and $tag$...$tag$. kNone (end == i) when none starts there.
// REQUIRES: i < s.size().
NonCode ScanNonCode(std::string_view s, size_t i);

// The value of a kString or kQuotedIdentifier lexeme as ScanNonCode delimited it: quotes
// removed, doubled quotes and E'' backslash escapes undone, a dollar-quoted body as it is.
std::string LexemeText(std::string_view lexeme);

// Identifier characters as PostgreSQL's lexer has them: letters, digits, '_', '$' and any
// non-ASCII byte (IdentStart: not a digit or '$').
bool IsIdentifierStart(char c);
bool IsIdentifierChar(char c);

}  // namespace fedgate::sql
