#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"

namespace fedgate {

// Turns NHS numbers into linkage pseudonyms for one DSA (DESIGN.md "Trust model"):
//   K_dsa = HKDF-SHA256(ikm = linkage_secret, salt = empty, info = "fedgate/dsa/" + dsa_id)
//   pseudonym = HMAC-SHA256(K_dsa, normalised 10-digit number)[0..16)
// Invalid or missing numbers have no pseudonym (nullopt): the row is kept but unlinkable.
// Thread-safe after construction; the key never leaves the object.
class Pseudonymiser {
 public:
  Pseudonymiser(std::string_view linkage_secret, std::string_view dsa_id);
  ~Pseudonymiser();
  Pseudonymiser(const Pseudonymiser&) = delete;
  Pseudonymiser& operator=(const Pseudonymiser&) = delete;

  // Normalises (spaces, hyphens), checks Modulus 11, and returns the pseudonym.
  std::optional<Pseudonym> FromRaw(std::string_view raw_nhs_number) const;
  // REQUIRES: `normalised` is a valid 10-digit NHS number. Two SHA-256 compressions from
  // states that already absorbed the padded key (OpenSSL's block function: SHA-NI where the
  // CPU has it), no allocation or EVP dispatch: ~bench/pseudonym_bench.cpp.
  Pseudonym FromNormalised(std::string_view normalised) const;
  // The same by OpenSSL's EVP interface (any length): the reference the fast path is tested
  // against, and the path for input that is not 10 bytes.
  Pseudonym FromNormalisedEvp(std::string_view normalised) const;

  const std::string& dsa_id() const { return dsa_id_; }

 private:
  std::string dsa_id_;
  std::array<unsigned char, 32> key_{};
  // SHA-256 chaining values after the key XOR ipad / opad blocks, for the fast path.
  std::array<uint32_t, 8> inner_state_{}, outer_state_{};
  // SHA-256 states after the key XOR ipad / opad blocks (HMAC's inner and outer hashes).
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> inner_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> outer_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

// One secret's Pseudonymisers, one per DSA (or purpose-specific key id), made on first use.
// Thread-safe; a returned reference lives as long as the cache.
class PseudonymiserCache {
 public:
  explicit PseudonymiserCache(std::string secret) : secret_(std::move(secret)) {}
  const Pseudonymiser& For(const std::string& dsa_id) {
    std::lock_guard lock(mu_);
    auto& slot = keys_[dsa_id];
    if (!slot) slot = std::make_unique<Pseudonymiser>(secret_, dsa_id);
    return *slot;
  }

 private:
  std::string secret_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Pseudonymiser>> keys_;
};

}  // namespace fedgate
