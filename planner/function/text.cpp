// Text: LIKE/ILIKE, ||, lower, upper, trim, length, substr — on UTF-8 characters, as
// PostgreSQL's under a UTF-8 locale.

#include <algorithm>
#include <cctype>
#include <clocale>
#include <cstdint>
#include <cwctype>

#include "common/error.h"
#include "common/like.h"
#include "planner/function/builtins.h"
#include "planner/function/function_util.h"
#include "planner/function/functions.h"

namespace fedgate::planner::function {

namespace {

// Unicode upper or lower case, character by character as PostgreSQL does under a UTF-8
// locale (towupper_l/towlower_l of the C.UTF-8 locale); bytes that are not valid UTF-8 are
// kept as they are.
std::string Utf8ChangeCase(const std::string& s, bool upper) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += static_cast<char>(upper ? std::toupper(b) : std::tolower(b));
      ++i;
      continue;
    }
    const size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    bool valid = n > 0 && b < 0xF8 && i + n <= s.size();
    char32_t cp = n == 4 ? b & 0x07 : n == 3 ? b & 0x0F : b & 0x1F;
    for (size_t k = 1; valid && k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      valid = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!valid || utf8 == static_cast<locale_t>(0)) {
      out += s[i++];
      continue;
    }
    char32_t mapped = static_cast<char32_t>(upper ? towupper_l(static_cast<wint_t>(cp), utf8)
                                                  : towlower_l(static_cast<wint_t>(cp), utf8));
    if (mapped > 0x10FFFF) mapped = cp;
    if (mapped < 0x80) {
      out += static_cast<char>(mapped);
      i += n;
      continue;
    }
    if (mapped < 0x800) {
      out += static_cast<char>(0xC0 | (mapped >> 6));
    } else if (mapped < 0x10000) {
      out += static_cast<char>(0xE0 | (mapped >> 12));
      out += static_cast<char>(0x80 | ((mapped >> 6) & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (mapped >> 18));
      out += static_cast<char>(0x80 | ((mapped >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((mapped >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (mapped & 0x3F));
    i += n;
  }
  return out;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of the `chars`-th character (0-based); s.size() when past the end.
size_t Utf8Offset(const std::string& s, int64_t chars) {
  size_t i = 0;
  while (i < s.size() && chars > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --chars;
  }
  return i;
}

}  // namespace

DataType ResolveLike(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  TextArg(fn, args, 0);
  TextArg(fn, args, 1);
  return DataType::Bool();
}

// The escape character is the backslash, as PostgreSQL's default.
Value EvaluateLike(const std::string& fn, const DataType&, Values& args) {
  return Value::Bool(LikeMatch(args[0].s, args[1].s, {'\\', /*fold_case=*/fn == "ilike"}));
}

DataType ResolveConcat(const std::string& fn, Args& args) {
  WantArgs(fn, args, 2);
  for (auto& a : args) {
    if (a->type.id != TypeId::kText) a = CastTo(std::move(a), DataType::Text());
  }
  return DataType::Text();
}

Value EvaluateConcat(const std::string&, const DataType&, Values& args) {
  return Value::Text(args[0].s + args[1].s);
}

// lower, upper, trim.
DataType ResolveTextToText(const std::string& fn, Args& args) {
  WantArgs(fn, args, 1);
  TextArg(fn, args, 0);
  return DataType::Text();
}

Value EvaluateChangeCase(const std::string& fn, const DataType&, Values& args) {
  return Value::Text(Utf8ChangeCase(args[0].s, fn == "upper"));
}

Value EvaluateTrim(const std::string&, const DataType&, Values& args) {
  std::string s = args[0].s;
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return Value::Text(s);
}

DataType ResolveLength(const std::string& fn, Args& args) {
  WantArgs(fn, args, 1);
  TextArg(fn, args, 0);
  return DataType::Int64();
}

Value EvaluateLength(const std::string&, const DataType&, Values& args) {
  return Value::Int(static_cast<int64_t>(Utf8Length(args[0].s)));
}

// substr(text, start [, count]), 1-based in characters.
DataType ResolveSubstr(const std::string& fn, Args& args) {
  if (args.size() != 2 && args.size() != 3) WantArgs(fn, args, 2);
  TextArg(fn, args, 0);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i]->type.id != TypeId::kInt64) TypeError(fn, args);
  }
  return DataType::Text();
}

Value EvaluateSubstr(const std::string&, const DataType&, Values& args) {
  int64_t start = args[1].i, count = args.size() == 3 ? args[2].i : INT64_MAX / 2;
  if (args.size() == 3 && count < 0) ThrowInvalid("negative substring length not allowed");
  int64_t from = std::max<int64_t>(start, 1), to = 0;  // [from, to) in 1-based chars
  if (__builtin_add_overflow(start, count, &to)) to = INT64_MAX;
  if (to <= from) return Value::Text("");
  const std::string& s = args[0].s;
  size_t b = Utf8Offset(s, from - 1), e = Utf8Offset(s, to - 1);
  return Value::Text(s.substr(b, e - b));
}

}  // namespace fedgate::planner::function
