#pragma once

// Public-key encryption of one message to one recipient, so that whatever carries it (the
// gateway, between a source agent and a direct-care user) cannot read it: X25519 key
// agreement with a fresh ephemeral key per message, HKDF-SHA256, AES-256-GCM.
//
//   shared = X25519(ephemeral_private, recipient_public)
//   key    = HKDF-SHA256(ikm = shared, salt = ephemeral_public || recipient_public,
//                        info = "fedgate/sealed-box/v1/" + context)        (32 bytes)
//   box    = AES-256-GCM(key, nonce = 12 random bytes, aad = context, plaintext) || tag
//
// `context` binds a box to its use (e.g. the re-identification request id): a box opened under
// another context fails. Keys are raw 32-byte strings (RFC 7748). Thread-safe (no state).

#include <string>
#include <string_view>

namespace fedgate {

struct X25519KeyPair {
  std::string private_key;  // 32 bytes
  std::string public_key;   // 32 bytes
};
// A fresh key pair (the recipient's; browsers make theirs with WebCrypto's X25519).
X25519KeyPair GenerateX25519();

struct SealedBox {
  std::string ephemeral_public;  // 32 bytes
  std::string nonce;             // 12 bytes
  std::string ciphertext;        // the message's length + a 16-byte tag
};

// Whether `raw` is an X25519 public key a box can be sealed to (32 bytes, not of low order).
bool IsUsableX25519Key(std::string_view raw);

// Throws Error(kInvalidArgument) when `recipient_public` is not a usable X25519 key.
SealedBox Seal(std::string_view recipient_public, std::string_view plaintext,
               std::string_view context);
// The plaintext; throws Error(kInvalidArgument) when the box was not sealed to this key under
// this context, or was changed on the way.
std::string OpenSealed(std::string_view recipient_private, const SealedBox& box,
                       std::string_view context);

}  // namespace fedgate
