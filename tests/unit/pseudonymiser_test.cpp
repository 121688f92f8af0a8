#include "common/pseudonymiser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace fedgate {
namespace {

// Expected values computed independently (Python's hmac and hashlib, HKDF per RFC 5869 with an
// empty salt) for K = HKDF(secret, "fedgate/dsa/" + dsa), pseudonym = HMAC(K, number)[0..16).
TEST(PseudonymiserTest, MatchesIndependentHkdfHmac) {
  Pseudonymiser p("test-linkage-secret", "dsa-1");
  EXPECT_EQ(p.FromNormalised("9434765919").Hex(), "0a74c12093aa5d8e2c0baff5c824f3fb");
  EXPECT_EQ(p.FromNormalised("4010232137").Hex(), "0afb02a3a37738dd198508f4ed8ee9e2");
  Pseudonymiser other("test-linkage-secret", "dsa-2");
  EXPECT_EQ(other.FromNormalised("9434765919").Hex(), "462da9f68fcf5aa6bbbe55ed8f997adb");
}

// The fast path (two SHA-256 compressions of hand-padded blocks) against OpenSSL's EVP HMAC,
// over many numbers and several keys.
TEST(PseudonymiserTest, FastPathEqualsEvp) {
  for (const char* dsa : {"dsa-1", "dsa-2", "a-much-longer-agreement-identifier-2026"}) {
    Pseudonymiser p("test-linkage-secret", dsa);
    for (uint64_t n = 1000000000; n < 1000000000 + 3000; n += 7) {
      const std::string number = std::to_string(n * 9 % 9999999999);
      const std::string ten = std::string(10 - std::min<size_t>(10, number.size()), '0') + number;
      ASSERT_EQ(p.FromNormalised(ten), p.FromNormalisedEvp(ten)) << dsa << " " << ten;
    }
  }
}

TEST(PseudonymiserTest, NormalisesAndRejectsInvalidNumbers) {
  Pseudonymiser p("test-linkage-secret", "dsa-1");
  auto spaced = p.FromRaw("943 476 5919");
  auto hyphens = p.FromRaw("943-476-5919");
  ASSERT_TRUE(spaced && hyphens);
  EXPECT_EQ(spaced->Hex(), "0a74c12093aa5d8e2c0baff5c824f3fb");
  EXPECT_EQ(*spaced, *hyphens);
  EXPECT_FALSE(p.FromRaw("9434765918"));  // wrong check digit
  EXPECT_FALSE(p.FromRaw("943476591"));   // nine digits
  EXPECT_FALSE(p.FromRaw(""));            // missing
  EXPECT_FALSE(p.FromRaw("94347A5919"));  // not a number
}

TEST(PseudonymiserTest, SameAnswerOnManyThreads) {
  Pseudonymiser p("test-linkage-secret", "dsa-1");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        wrong[t] += p.FromNormalised("9434765919").Hex() != "0a74c12093aa5d8e2c0baff5c824f3fb";
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

}  // namespace
}  // namespace fedgate
