#include "sql/trino_text.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "sql/lexical.h"

namespace fedgate::sql {
namespace {

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
    size_t end = i + 1;
    if (const NonCode skipped = ScanNonCode(in, i); skipped.kind != Lexeme::kNone) {
      end = skipped.end;  // comments and literals are copied untouched
      copy(i, end);
    } else if (c == '?') {
      // Spaced, so `LIMIT?` or `?AND` cannot run the number into a word.
      insert(" $" + std::to_string(++parameters_) + " ", 1);
    } else if (IsIdentifierStart(c) &&
               (i == 0 || (!IsIdentifierChar(in[i - 1]) && in[i - 1] != '.' && in[i - 1] != '"'))) {
      while (end < n && IsIdentifierChar(in[end])) ++end;
      // word(-word)+ followed by '.': a hyphenated catalog when it is one. The chain is
      // scanned once and copied whole when it is not one (linear in the text).
      size_t chain = end;
      while (!hyphenated.empty() && chain + 1 < n && in[chain] == '-' &&
             IsIdentifierChar(in[chain + 1])) {
        ++chain;
        while (chain < n && IsIdentifierChar(in[chain])) ++chain;
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
