#include "common/pseudonymiser.h"

#include <openssl/core_names.h>
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
}

Pseudonym Pseudonymiser::FromNormalised(std::string_view normalised) const {
  unsigned char mac[32];
  size_t length = 0;
  // EVP_Q_mac is OpenSSL 3's one-shot MAC; it allocates per call, which is fine at the
  // rates identifiers arrive (one per row).
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
                reinterpret_cast<const unsigned char*>(normalised.data()), normalised.size(), mac,
                sizeof mac, &length) == nullptr) {
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
