#include "common/signature.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace fedgate {

namespace {

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::shared_ptr<void> Own(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

std::string ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInvalidArgument, "cannot read " + what + " " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

EVP_PKEY* Key(const std::shared_ptr<void>& k) {
  return static_cast<EVP_PKEY*>(k.get());
}

}  // namespace

SigningKey SigningKey::FromPemFile(const std::string& path) {
  const std::string pem = ReadFile(path, "the signing key");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
    if (k) EVP_PKEY_free(k);
    throw Error(ErrorCode::kInvalidArgument,
                path +
                    " is not an Ed25519 private key in PEM (make one with: openssl genpkey "
                    "-algorithm ed25519 -out " +
                    path + ")");
  }
  return SigningKey(Own(k));
}

SigningKey SigningKey::Generate() {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!k) throw Error(ErrorCode::kInternal, "OpenSSL failed: Ed25519 key generation");
  return SigningKey(Own(k));
}

std::string SigningKey::Sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string sig(64, '\0');
  size_t n = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, Key(key_)) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: Ed25519 signature");
  sig.resize(n);
  return sig;
}

std::string SigningKey::PublicPem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), Key(key_)) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: writing a public key");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

VerifyKey VerifyKey::FromPem(const std::string& pem, const std::string& what) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* k = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
    if (k) EVP_PKEY_free(k);
    throw Error(ErrorCode::kInvalidArgument,
                what + " is not an Ed25519 public key in PEM (openssl pkey -in KEY -pubout)");
  }
  return VerifyKey(Own(k));
}

VerifyKey VerifyKey::FromPemFile(const std::string& path) {
  return FromPem(ReadFile(path, "the public key"), path);
}

bool VerifyKey::Verify(std::string_view message, std::string_view signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, Key(key_)) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace fedgate
