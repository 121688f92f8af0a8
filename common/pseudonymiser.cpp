#include "common/pseudonymiser.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

#include "common/error.h"
#include "common/nhs_number.h"

namespace fedgate {

namespace {

[[noreturn]] void OpenSslFail(const char* what) {
  throw Error(ErrorCode::kInternal, std::string("OpenSSL failed: ") + what);
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
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

Pseudonymiser::~Pseudonymiser() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

Pseudonym Pseudonymiser::FromNormalised(std::string_view normalised) const {
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
