#include "common/random.h"

#include <openssl/rand.h>

#include "common/encoding.h"
#include "common/error.h"

namespace fedgate {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: RAND_bytes");
  return out;
}

std::string RandomHex(size_t n) {
  return HexEncode(RandomBytes(n));
}

}  // namespace fedgate
