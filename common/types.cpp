#include "common/types.h"

#include "common/encoding.h"
#include "common/type_names.h"

namespace fedgate {

std::string DataType::ToString() const {
  return TypeName(*this, TypeNaming::kFedgate);
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
