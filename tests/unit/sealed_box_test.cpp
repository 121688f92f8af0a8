// The sealed box that carries re-identified NHS numbers past the gateway, and the signatures
// an agent checks on the gateway's requests: what opens, and everything that must not.

#include "common/sealed_box.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/signature.h"

namespace fedgate {
namespace {

TEST(SealedBox, OpensOnlyForItsRecipientUnderItsContext) {
  const X25519KeyPair alice = GenerateX25519();
  const X25519KeyPair mallory = GenerateX25519();
  ASSERT_EQ(alice.public_key.size(), 32u);
  ASSERT_NE(alice.public_key, mallory.public_key);
  const std::string message = R"([{"nhs_number":"9434765919","local_id":"17"}])";
  const SealedBox box = Seal(alice.public_key, message, "request-1");
  EXPECT_EQ(box.ciphertext.size(), message.size() + 16);
  EXPECT_EQ(box.ciphertext.find("9434765919"), std::string::npos);
  EXPECT_EQ(OpenSealed(alice.private_key, box, "request-1"), message);
  // Another key, another context, a flipped bit anywhere: refused.
  EXPECT_THROW(OpenSealed(mallory.private_key, box, "request-1"), Error);
  EXPECT_THROW(OpenSealed(alice.private_key, box, "request-2"), Error);
  for (size_t i = 0; i < box.ciphertext.size(); i += 7) {
    SealedBox bad = box;
    bad.ciphertext[i] ^= 1;
    EXPECT_THROW(OpenSealed(alice.private_key, bad, "request-1"), Error) << i;
  }
  SealedBox bad = box;
  bad.nonce[0] ^= 1;
  EXPECT_THROW(OpenSealed(alice.private_key, bad, "request-1"), Error);
  bad = box;
  bad.ephemeral_public[3] ^= 1;
  EXPECT_THROW(OpenSealed(alice.private_key, bad, "request-1"), Error);
  // Two boxes of one message differ (fresh ephemeral key and nonce).
  EXPECT_NE(Seal(alice.public_key, message, "request-1").ciphertext, box.ciphertext);
}

TEST(SealedBox, RefusesUnusableRecipientKeys) {
  EXPECT_THROW(Seal("short", "x", "c"), Error);
  // The all-zero point is of low order: the shared secret would be zero.
  EXPECT_THROW(Seal(std::string(32, '\0'), "x", "c"), Error);
  const X25519KeyPair k = GenerateX25519();
  EXPECT_EQ(OpenSealed(k.private_key, Seal(k.public_key, "", "c"), "c"), "");
}

TEST(Signature, VerifiesOnlyTheSignedBytesUnderTheSignersKey) {
  const SigningKey gateway = SigningKey::Generate();
  const SigningKey intruder = SigningKey::Generate();
  const VerifyKey verify = VerifyKey::FromPem(gateway.PublicPem(), "the gateway's key");
  const std::string message = "dsa=somerset-direct-care;purpose=direct-care";
  const std::string sig = gateway.Sign(message);
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(verify.Verify(message, sig));
  EXPECT_FALSE(verify.Verify(message + " ", sig));
  EXPECT_FALSE(verify.Verify(message, intruder.Sign(message)));
  std::string flipped = sig;
  flipped[10] ^= 1;
  EXPECT_FALSE(verify.Verify(message, flipped));
  EXPECT_FALSE(verify.Verify(message, ""));
  EXPECT_THROW(VerifyKey::FromPem("not a key", "x"), Error);
}

}  // namespace
}  // namespace fedgate
