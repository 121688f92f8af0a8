#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "common/nhs_number.h"
#include "datagen/population.h"
#include "datagen/schema.h"

namespace fedgate::datagen {

// Stream ids: each table (or per-person plan shared by tables) draws from its own stream.
enum Stream : uint64_t {
  kStreamDiagnoses = 10,
  kStreamConsultations,
  kStreamObservations,
  kStreamPrescriptions,
  kStreamPatients,
  kStreamAcutePlan = 20,
  kStreamOutpatients,
  kStreamAeOther,
  kStreamCommunity = 30,
  kStreamMentalHealthPlan = 40,
  kStreamSocialCarePlan = 50,
  kStreamNhsTypos = 90,
};

inline int64_t Pence(double pounds) {
  return std::llround(pounds * 100.0);
}

enum class NhsStyle { kPlain, kSpaced, kSometimesHyphenated };

// The person's NHS number as the provider writes it; ~0.5% of records mistyped.
inline std::string ProviderNhsNumber(const Person& p, Rng& rng, NhsStyle style) {
  std::string number(p.NhsNumber());
  if (rng.Chance(kMistypeRate)) number = MistypeNhsNumber(number, rng);
  switch (style) {
    case NhsStyle::kPlain:
      return number;
    case NhsStyle::kSpaced:
      return FormatNhsNumberSpaced(number);
    case NhsStyle::kSometimesHyphenated:
      if (rng.Chance(0.3)) {
        return number.substr(0, 3) + "-" + number.substr(3, 3) + "-" + number.substr(6);
      }
      return number;
  }
  return number;
}

inline int32_t DateInFy(Rng& rng) {
  return static_cast<int32_t>(rng.Int(FyStart(), FyEnd()));
}

}  // namespace fedgate::datagen
