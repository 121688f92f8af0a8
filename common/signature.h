#pragma once

// Ed25519 signatures (RFC 8032): the gateway signs what it asks a source agent to do beyond
// reading its manifest (re-identification), and the agent verifies with the gateway's public
// key from its own configuration. Keys are PEM files (openssl genpkey -algorithm ed25519;
// openssl pkey -pubout). Thread-safe after construction.

#include <memory>
#include <string>
#include <string_view>

namespace fedgate {

class SigningKey {
 public:
  // Throws Error(kInvalidArgument) naming the file when it is not an Ed25519 private key.
  static SigningKey FromPemFile(const std::string& path);
  static SigningKey Generate();                      // for tests
  std::string Sign(std::string_view message) const;  // 64 bytes
  std::string PublicPem() const;

 private:
  explicit SigningKey(std::shared_ptr<void> key) : key_(std::move(key)) {}
  std::shared_ptr<void> key_;  // EVP_PKEY
};

class VerifyKey {
 public:
  // Throws Error(kInvalidArgument) naming the file when it is not an Ed25519 public key.
  static VerifyKey FromPemFile(const std::string& path);
  static VerifyKey FromPem(const std::string& pem, const std::string& what);
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  explicit VerifyKey(std::shared_ptr<void> key) : key_(std::move(key)) {}
  std::shared_ptr<void> key_;  // EVP_PKEY
};

}  // namespace fedgate
