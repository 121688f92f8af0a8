#include "common/nhs_number.h"

namespace fedgate {

std::optional<int> NhsCheckDigit(std::string_view nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) return 0;
  if (check == 10) return std::nullopt;
  return check;
}

bool IsValidNhsNumber(std::string_view ten) {
  if (ten.size() != 10) return false;
  for (char c : ten) {
    if (c < '0' || c > '9') return false;
  }
  auto check = NhsCheckDigit(ten.substr(0, 9));
  return check.has_value() && *check == ten[9] - '0';
}

std::optional<std::string> NormaliseNhsNumber(std::string_view raw) {
  std::string digits;
  digits.reserve(10);
  for (char c : raw) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9' || digits.size() == 10) return std::nullopt;
    digits.push_back(c);
  }
  if (!IsValidNhsNumber(digits)) return std::nullopt;
  return digits;
}

std::string FormatNhsNumberSpaced(std::string_view ten) {
  std::string out;
  out.reserve(12);
  out.append(ten.substr(0, 3)).push_back(' ');
  out.append(ten.substr(3, 3)).push_back(' ');
  out.append(ten.substr(6, 4));
  return out;
}

}  // namespace fedgate
