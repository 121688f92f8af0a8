#pragma once

// Bytes from OpenSSL's CSPRNG, for keys, salts, nonces and tokens. Throws Error(kInternal)
// when OpenSSL cannot give them. Thread-safe.

#include <cstddef>
#include <string>

namespace fedgate {

std::string RandomBytes(size_t n);
// RandomBytes(n) as 2n lower-case hex digits.
std::string RandomHex(size_t n);

}  // namespace fedgate
