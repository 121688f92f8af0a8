#include "common/types.h"

namespace fedgate {

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "boolean";
    case TypeId::kInt64:
      return "bigint";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(18," + std::to_string(scale) + ")";
    case TypeId::kText:
      return "varchar";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kInterval:
      return "interval";
    case TypeId::kPseudonym:
      return "pseudonym";
  }
  return "?";
}

std::string HexEncode(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string Pseudonym::Hex() const {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

int64_t Pow10(int n) {
  int64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace fedgate
