#include "common/sealed_box.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

#include "common/error.h"
#include "common/random.h"

namespace fedgate {

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

constexpr size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;

[[noreturn]] void Fail(const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, "sealed box: " + what);
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

PkeyPtr Public(std::string_view raw) {
  if (raw.size() != kKeyBytes) Fail("an X25519 public key is 32 bytes");
  PkeyPtr k(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, Bytes(raw), raw.size()),
            &EVP_PKEY_free);
  if (!k) Fail("not an X25519 public key");
  return k;
}

PkeyPtr Private(std::string_view raw) {
  if (raw.size() != kKeyBytes) Fail("an X25519 private key is 32 bytes");
  PkeyPtr k(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, Bytes(raw), raw.size()),
            &EVP_PKEY_free);
  if (!k) Fail("not an X25519 private key");
  return k;
}

std::string RawPublic(EVP_PKEY* k) {
  std::string out(kKeyBytes, '\0');
  size_t n = out.size();
  if (EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char*>(out.data()), &n) != 1)
    Fail("cannot read a public key");
  return out;
}

std::string Agree(EVP_PKEY* mine, EVP_PKEY* theirs) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(mine, nullptr), &EVP_PKEY_CTX_free);
  size_t n = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), theirs) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &n) != 1)
    Fail("X25519 key agreement failed");
  std::string shared(n, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(shared.data()), &n) != 1)
    Fail("X25519 key agreement failed");
  // An all-zero result means a low-order public key (RFC 7748 section 6.1).
  if (shared.find_first_not_of('\0') == std::string::npos) Fail("a low-order public key");
  return shared;
}

std::string Derive(const std::string& shared, std::string_view ephemeral_public,
                   std::string_view recipient_public, std::string_view context) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free);
  const std::string salt = std::string(ephemeral_public) + std::string(recipient_public);
  const std::string info = "fedgate/sealed-box/v1/" + std::string(context);
  std::string key(kKeyBytes, '\0');
  size_t n = key.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), Bytes(salt), static_cast<int>(salt.size())) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), Bytes(shared), static_cast<int>(shared.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), Bytes(info), static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(key.data()), &n) != 1)
    Fail("HKDF failed");
  return key;
}

}  // namespace

X25519KeyPair GenerateX25519() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: X25519 key generation");
  PkeyPtr k(raw, &EVP_PKEY_free);
  X25519KeyPair out;
  out.private_key.assign(kKeyBytes, '\0');
  size_t n = kKeyBytes;
  if (EVP_PKEY_get_raw_private_key(
          k.get(), reinterpret_cast<unsigned char*>(out.private_key.data()), &n) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: X25519 private key");
  out.public_key = RawPublic(k.get());
  return out;
}

bool IsUsableX25519Key(std::string_view raw) {
  if (raw.size() != kKeyBytes) return false;
  try {
    PkeyPtr theirs = Public(raw);
    const X25519KeyPair mine = GenerateX25519();
    Agree(Private(mine.private_key).get(), theirs.get());  // refuses a low-order key
    return true;
  } catch (const Error&) {
    return false;
  }
}

SealedBox Seal(std::string_view recipient_public, std::string_view plaintext,
               std::string_view context) {
  PkeyPtr recipient = Public(recipient_public);
  const X25519KeyPair ephemeral = GenerateX25519();
  PkeyPtr mine = Private(ephemeral.private_key);
  const std::string key =
      Derive(Agree(mine.get(), recipient.get()), ephemeral.public_key, recipient_public, context);
  SealedBox box;
  box.ephemeral_public = ephemeral.public_key;
  box.nonce = RandomBytes(kNonceBytes);
  CipherCtxPtr c(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  box.ciphertext.assign(plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.ciphertext.data());
  int len = 0, total = 0;
  if (!c ||
      EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(box.nonce)) != 1 ||
      EVP_EncryptUpdate(c.get(), nullptr, &len, Bytes(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_EncryptUpdate(c.get(), out, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) !=
          1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: AES-256-GCM");
  total = len;
  if (EVP_EncryptFinal_ex(c.get(), out + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + plaintext.size()) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: AES-256-GCM");
  return box;
}

std::string OpenSealed(std::string_view recipient_private, const SealedBox& box,
                       std::string_view context) {
  if (box.nonce.size() != kNonceBytes || box.ciphertext.size() < kTagBytes)
    Fail("malformed (nonce of 12 bytes, ciphertext with a 16-byte tag)");
  PkeyPtr mine = Private(recipient_private);
  PkeyPtr ephemeral = Public(box.ephemeral_public);
  const std::string key = Derive(Agree(mine.get(), ephemeral.get()), box.ephemeral_public,
                                 RawPublic(mine.get()), context);
  const size_t n = box.ciphertext.size() - kTagBytes;
  std::string plain(n, '\0');
  CipherCtxPtr c(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  std::string tag = box.ciphertext.substr(n);
  int len = 0;
  if (!c ||
      EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(box.nonce)) != 1 ||
      EVP_DecryptUpdate(c.get(), nullptr, &len, Bytes(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_DecryptUpdate(c.get(), out, &len, Bytes(box.ciphertext), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(c.get(), out + len, &len) != 1)
    Fail("cannot open: not sealed to this key under this context, or changed on the way");
  return plain;
}

}  // namespace fedgate
