#pragma once

// SQL LIKE, the one matcher fedgate has (the ILIKE/LIKE functions, Trino's SHOW ... LIKE).

#include <string_view>

namespace fedgate {

struct LikeOptions {
  char escape = '\\';      // quotes the next pattern character; '\0' for none
  bool fold_case = false;  // ILIKE, and Trino's SHOW statements: ASCII letters match either case
};

// Whether `text` matches `pattern`: '%' any run of characters, '_' exactly one character (a
// whole UTF-8 sequence), `escape` followed by a character that character itself (an escape
// at the very end stands for itself, as PostgreSQL's does). Iterative: time O(|text| x
// |pattern|) at worst, no recursion, so a hostile pattern cannot exhaust the stack.
bool LikeMatch(std::string_view text, std::string_view pattern, const LikeOptions& options = {});

}  // namespace fedgate
