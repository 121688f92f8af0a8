#include "common/like.h"

#include <cctype>
#include <string>

namespace fedgate {

namespace {

bool Continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The end of the UTF-8 sequence starting at `i`.
size_t NextChar(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && Continuation(s[i])) ++i;
  return i;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, const LikeOptions& options) {
  auto fold = [&](char c) {
    return options.fold_case ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  };
  // Greedy matching with one backtracking point, the last '%' seen: text[star_t..] is retried
  // one character further each time the rest fails (a later '%' replaces the point, as every
  // match the earlier one allows is still reachable through it).
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      while (p < pattern.size() && pattern[p] == '%') ++p;
      star_p = p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      const bool escaped =
          options.escape != '\0' && pattern[p] == options.escape && p + 1 < pattern.size();
      const char pc = escaped ? pattern[p + 1] : pattern[p];
      if (!escaped && pc == '_') {
        t = NextChar(text, t);
        ++p;
        continue;
      }
      if (fold(pc) == fold(text[t])) {
        p += escaped ? 2 : 1;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    star_t = NextChar(text, star_t);
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace fedgate
