#include "common/pseudonymiser.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/sha.h>

#include <memory>

#include "common/error.h"
#include "common/nhs_number.h"

namespace fedgate {

namespace {

[[noreturn]] void OpenSslFail(const char* what) {
  throw Error(ErrorCode::kInternal, std::string("OpenSSL failed: ") + what);
}

// OpenSSL 3 deprecates the low-level SHA-256 calls in favour of EVP, whose per-call dispatch
// and context copies cost more than the two compressions HMAC of a 10-byte value needs. The
// block function (SHA256_Transform, OpenSSL's assembly: SHA-NI, AVX2 or plain) is what EVP
// runs underneath; only it is used, on chaining values taken from SHA256_Init/Update.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

std::array<uint32_t, 8> StateAfterBlock(const unsigned char block[64]) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, block, 64);
  std::array<uint32_t, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = c.h[i];
  OPENSSL_cleanse(&c, sizeof c);
  return out;
}

// One compression of `block` into `state`.
void Compress(std::array<uint32_t, 8>& state, const unsigned char block[64]) {
  SHA256_CTX c;
  for (int i = 0; i < 8; ++i) c.h[i] = state[i];
  SHA256_Transform(&c, block);
  for (int i = 0; i < 8; ++i) state[i] = c.h[i];
}

#pragma GCC diagnostic pop

void PutBigEndian(uint32_t v, unsigned char* out) {
  out[0] = static_cast<unsigned char>(v >> 24);
  out[1] = static_cast<unsigned char>(v >> 16);
  out[2] = static_cast<unsigned char>(v >> 8);
  out[3] = static_cast<unsigned char>(v);
}

}  // namespace

Pseudonymiser::Pseudonymiser(std::string_view linkage_secret, std::string_view dsa_id)
    : dsa_id_(dsa_id) {
  if (linkage_secret.empty()) ThrowInvalid("the linkage secret is empty");
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                        &EVP_KDF_free);
  if (!kdf) OpenSslFail("HKDF is not available");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                &EVP_KDF_CTX_free);
  std::string info = "fedgate/dsa/" + dsa_id_;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_KEY, const_cast<char*>(linkage_secret.data()), linkage_secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_KDF_derive(ctx.get(), key_.data(), key_.size(), params) != 1) {
    OpenSslFail("HKDF derivation");
  }
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                                         &EVP_MD_free);
  if (!sha256) OpenSslFail("SHA256 is not available");
  unsigned char ipad[64], opad[64];
  for (size_t i = 0; i < 64; ++i) {
    unsigned char k = i < key_.size() ? key_[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  if (!inner_ || !outer_ || EVP_DigestInit_ex(inner_.get(), sha256.get(), nullptr) != 1 ||
      EVP_DigestUpdate(inner_.get(), ipad, sizeof ipad) != 1 ||
      EVP_DigestInit_ex(outer_.get(), sha256.get(), nullptr) != 1 ||
      EVP_DigestUpdate(outer_.get(), opad, sizeof opad) != 1) {
    OpenSslFail("HMAC key schedule");
  }
  inner_state_ = StateAfterBlock(ipad);
  outer_state_ = StateAfterBlock(opad);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

Pseudonymiser::~Pseudonymiser() {
  OPENSSL_cleanse(key_.data(), key_.size());
  OPENSSL_cleanse(inner_state_.data(), sizeof inner_state_);
  OPENSSL_cleanse(outer_state_.data(), sizeof outer_state_);
}

Pseudonym Pseudonymiser::FromNormalised(std::string_view normalised) const {
  if (normalised.size() != 10) return FromNormalisedEvp(normalised);
  // Inner hash: the message and its padding fill one block after the ipad block: 10 bytes,
  // 0x80, zeros, and the bit length of ipad + message, (64 + 10) * 8 = 592, big-endian.
  unsigned char block[64] = {};
  std::copy(normalised.begin(), normalised.end(), block);
  block[10] = 0x80;
  block[62] = 0x02;
  block[63] = 0x50;
  std::array<uint32_t, 8> state = inner_state_;
  Compress(state, block);
  // Outer hash: the 32-byte inner digest, 0x80, zeros, and (64 + 32) * 8 = 768 bits.
  unsigned char outer[64] = {};
  for (int i = 0; i < 8; ++i) PutBigEndian(state[i], outer + 4 * i);
  outer[32] = 0x80;
  outer[62] = 0x03;
  outer[63] = 0x00;
  state = outer_state_;
  Compress(state, outer);
  Pseudonym p;
  for (int i = 0; i < 4; ++i) PutBigEndian(state[i], p.bytes.data() + 4 * i);
  return p;
}

Pseudonym Pseudonymiser::FromNormalisedEvp(std::string_view normalised) const {
  // HMAC-SHA256 by its definition, from digest states that have already absorbed the padded
  // key (RFC 2104): per value only the message block and the outer block are hashed. The
  // scratch context is per thread, so the object stays shareable.
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> scratch(EVP_MD_CTX_new(),
                                                                               &EVP_MD_CTX_free);
  unsigned char inner[32], mac[32];
  unsigned int n = 0;
  if (!scratch || EVP_MD_CTX_copy_ex(scratch.get(), inner_.get()) != 1 ||
      EVP_DigestUpdate(scratch.get(), normalised.data(), normalised.size()) != 1 ||
      EVP_DigestFinal_ex(scratch.get(), inner, &n) != 1 ||
      EVP_MD_CTX_copy_ex(scratch.get(), outer_.get()) != 1 ||
      EVP_DigestUpdate(scratch.get(), inner, sizeof inner) != 1 ||
      EVP_DigestFinal_ex(scratch.get(), mac, &n) != 1) {
    OpenSslFail("HMAC");
  }
  Pseudonym p;
  std::copy(mac, mac + 16, p.bytes.begin());
  return p;
}

std::optional<Pseudonym> Pseudonymiser::FromRaw(std::string_view raw) const {
  auto normalised = NormaliseNhsNumber(raw);
  if (!normalised) return std::nullopt;
  return FromNormalised(*normalised);
}

}  // namespace fedgate
