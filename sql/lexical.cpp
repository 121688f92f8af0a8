#include "sql/lexical.h"

#include <cctype>

namespace fedgate::sql {

bool IsIdentifierStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentifierChar(char c) {
  return IsIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

NonCode ScanNonCode(std::string_view s, size_t i) {
  const size_t n = s.size();
  const char c = s[i];
  const char next = i + 1 < n ? s[i + 1] : '\0';
  const bool word_before = i > 0 && IsIdentifierChar(s[i - 1]);
  if (c == '-' && next == '-') {
    size_t end = i + 2;
    while (end < n && s[end] != '\n' && s[end] != '\r') ++end;
    return {Lexeme::kComment, end};
  }
  if (c == '/' && next == '*') {
    int depth = 1;
    size_t end = i + 2;
    while (end < n && depth > 0) {
      if (s.compare(end, 2, "/*") == 0) {
        ++depth;
        end += 2;
      } else if (s.compare(end, 2, "*/") == 0) {
        --depth;
        end += 2;
      } else {
        ++end;
      }
    }
    return {Lexeme::kComment, end};
  }
  const bool escaped = (c == 'e' || c == 'E') && next == '\'' && !word_before;
  if (c == '\'' || c == '"' || escaped) {
    const char quote = escaped ? '\'' : c;
    size_t end = escaped ? i + 2 : i + 1;
    while (end < n) {
      if (escaped && s[end] == '\\') {
        end += 2;
        continue;
      }
      if (s[end] == quote) {
        if (end + 1 < n && s[end + 1] == quote) {
          end += 2;
          continue;
        }
        ++end;
        return {quote == '"' ? Lexeme::kQuotedIdentifier : Lexeme::kString, end};
      }
      ++end;
    }
    return {quote == '"' ? Lexeme::kQuotedIdentifier : Lexeme::kString, n};
  }
  if (c == '$' && !word_before && (next == '$' || IsIdentifierStart(next))) {
    size_t tag_end = i + 1;
    while (tag_end < n && IsIdentifierChar(s[tag_end]) && s[tag_end] != '$') ++tag_end;
    if (tag_end < n && s[tag_end] == '$') {
      const std::string_view tag = s.substr(i, tag_end + 1 - i);
      const size_t close = s.find(tag, tag_end + 1);
      return {Lexeme::kString, close == std::string_view::npos ? n : close + tag.size()};
    }
  }
  return {Lexeme::kNone, i};
}

std::string LexemeText(std::string_view lexeme) {
  if (lexeme.empty()) return "";
  if (lexeme[0] == '$') {
    const size_t tag_end = lexeme.find('$', 1);
    const size_t tag = tag_end + 1;
    if (lexeme.size() >= 2 * tag) return std::string(lexeme.substr(tag, lexeme.size() - 2 * tag));
    return std::string(lexeme.substr(std::min(tag, lexeme.size())));  // unterminated
  }
  const bool escaped = lexeme[0] == 'e' || lexeme[0] == 'E';
  const size_t begin = escaped ? 2 : 1;
  const char quote = lexeme[begin - 1];
  size_t end = lexeme.size();
  if (end > begin && lexeme[end - 1] == quote) --end;  // absent when unterminated
  std::string out;
  for (size_t k = begin; k < end; ++k) {
    if (escaped && lexeme[k] == '\\' && k + 1 < end) {
      out += lexeme[++k];
    } else if (lexeme[k] == quote && k + 1 < end && lexeme[k + 1] == quote) {
      out += quote;
      ++k;
    } else {
      out += lexeme[k];
    }
  }
  return out;
}

}  // namespace fedgate::sql
