#include "sql/trino_text.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace fedgate::sql {
namespace {

bool IdentStart(char c) {  // PostgreSQL's identifiers also take any non-ASCII byte
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

TrinoText::TrinoText(std::string_view in, const std::set<std::string>& catalogs) {
  std::map<std::string, std::string> hyphenated;  // lower-cased -> as registered
  for (const auto& c : catalogs) {
    if (c.find('-') != std::string::npos) hyphenated[Lower(c)] = c;
  }
  text_.reserve(in.size() + 16);
  int line = 1, column = 0;  // of the last character copied to text_
  auto copy = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k) {
      const char c = in[k];
      text_ += c;
      if (c == '\n') {
        ++line;
        column = 0;
      } else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
        ++column;
      }
    }
  };
  auto insert = [&](const std::string& s, int replaced_chars) {
    text_ += s;
    column += static_cast<int>(s.size());
    edits_.push_back({line, column, static_cast<int>(s.size()), replaced_chars});
  };
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    const char c = in[i];
    const char next = i + 1 < n ? in[i + 1] : '\0';
    size_t end = i + 1;
    if (c == '\'' || c == '"') {
      // A literal or quoted identifier; a doubled quote stays inside. E'...' escapes with \.
      const bool backslashes = c == '\'' && i > 0 && (in[i - 1] == 'e' || in[i - 1] == 'E') &&
                               (i < 2 || !IdentChar(in[i - 2]));
      while (end < n) {
        if (backslashes && in[end] == '\\') {
          end += 2;
          continue;
        }
        if (in[end] == c) {
          if (end + 1 < n && in[end + 1] == c) {
            end += 2;
            continue;
          }
          ++end;
          break;
        }
        ++end;
      }
      copy(i, std::min(end, n));
    } else if (c == '-' && next == '-') {
      while (end < n && in[end] != '\n' && in[end] != '\r') ++end;
      copy(i, end);
    } else if (c == '/' && next == '*') {
      int depth = 1;
      end = i + 2;
      while (end < n && depth > 0) {
        if (in[end] == '/' && end + 1 < n && in[end + 1] == '*') {
          ++depth;
          end += 2;
        } else if (in[end] == '*' && end + 1 < n && in[end + 1] == '/') {
          --depth;
          end += 2;
        } else {
          ++end;
        }
      }
      copy(i, end);
    } else if (c == '$' && (next == '$' || IdentStart(next)) && (i == 0 || !IdentChar(in[i - 1]))) {
      // $tag$ ... $tag$ (dollar quoting), or just a '$'.
      size_t tag_end = i + 1;
      while (tag_end < n && IdentChar(in[tag_end]) && in[tag_end] != '$') ++tag_end;
      if (tag_end < n && in[tag_end] == '$') {
        const std::string_view tag = in.substr(i, tag_end + 1 - i);
        const size_t close = in.find(tag, tag_end + 1);
        end = close == std::string_view::npos ? n : close + tag.size();
      }
      copy(i, end);
    } else if (c == '?') {
      // Spaced, so `LIMIT?` or `?AND` cannot run the number into a word.
      insert(" $" + std::to_string(++parameters_) + " ", 1);
    } else if (IdentStart(c) &&
               (i == 0 || (!IdentChar(in[i - 1]) && in[i - 1] != '.' && in[i - 1] != '"'))) {
      while (end < n && IdentChar(in[end])) ++end;
      // word(-word)+ followed by '.': a hyphenated catalog when it is one. The chain is
      // scanned once and copied whole when it is not one (linear in the text).
      size_t chain = end;
      while (!hyphenated.empty() && chain + 1 < n && in[chain] == '-' && IdentChar(in[chain + 1])) {
        ++chain;
        while (chain < n && IdentChar(in[chain])) ++chain;
      }
      bool quoted = false;
      if (chain > end && chain < n && in[chain] == '.') {
        auto it = hyphenated.find(Lower(in.substr(i, chain - i)));
        if (it != hyphenated.end()) {
          insert("\"" + it->second + "\"", static_cast<int>(chain - i));
          quoted = true;
        }
      }
      end = chain;
      if (!quoted) copy(i, end);
    } else {
      copy(i, end);
    }
    i = end;
  }
}

TextLocation TrinoText::Original(TextLocation at) const {
  if (at.line <= 0) return at;
  int shift = 0;
  for (const auto& e : edits_) {
    if (e.line != at.line) continue;
    const int start = e.column - e.inserted + 1;
    if (at.column > e.column) {
      shift += e.inserted - e.replaced;
    } else if (at.column >= start) {
      at.column = start;  // inside the inserted text: the start of what it replaced
      break;
    }
  }
  at.column = std::max(1, at.column - shift);
  return at;
}

Error TrinoText::Original(const Error& e) const {
  if (edits_.empty() || e.location().line <= 0) return e;
  return Error(e.code(), e.what(), Original(e.location()));
}

}  // namespace fedgate::sql
