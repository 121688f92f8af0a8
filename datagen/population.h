#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "datagen/random.h"

namespace fedgate::datagen {

// The period the providers' activity covers: financial year 2024/25.
int32_t FyStart();  // 2024-04-01
int32_t FyEnd();    // 2025-03-31 (inclusive); ages are taken on this day

enum class Condition : uint8_t {
  kDiabetes,
  kAsthma,
  kCopd,
  kChd,
  kHeartFailure,
  kDementia,
  kDepression,
  kSmi,
  kCkd,
  kCancer,
  kHypertension,
  kNdh,  // non-diabetic hyperglycaemia: at risk of type 2 diabetes
};
inline constexpr int kConditionCount = 12;

std::string_view ConditionName(Condition c);
std::string_view ConditionSnomed(Condition c);

// One synthetic person: what every provider's generator needs to know about them.
struct Person {
  uint32_t index;
  std::array<char, 10> nhs;  // always a valid number; providers may mistype it
  int32_t date_of_birth;
  int32_t registered_on;
  uint16_t conditions;  // bit (1 << Condition)
  uint16_t lsoa;        // index into the LSOA codes
  uint8_t practice;     // 0..16 -> SSP01..SSP17
  char sex;             // 'F' or 'M'
  bool care_home;
  float frailty;    // latent co-morbidity factor, N(0,1)
  float intensity;  // person-level use of services, heavy-tailed, mean ~1

  std::string_view NhsNumber() const { return {nhs.data(), nhs.size()}; }
  bool Has(Condition c) const { return (conditions >> static_cast<int>(c)) & 1u; }
  // Long-term conditions counted for morbidity (NDH, a risk state, is not one).
  int ConditionCount() const;
  int Age() const;  // whole years on FyEnd()
};

// Generates `persons` people deterministically from `seed`. NHS numbers are unique.
std::vector<Person> GeneratePopulation(uint64_t seed, uint32_t persons);

std::string PracticeCode(uint8_t practice);
std::string LsoaCode(uint16_t lsoa);

// A deliberately mistyped copy of a valid number (a transposition or a wrong digit) that
// fails the Modulus 11 check.
std::string MistypeNhsNumber(std::string_view valid, Rng& rng);

// Share of records written with a mistyped NHS number.
inline constexpr double kMistypeRate = 0.005;

// Age in whole years on `on`.
int AgeOn(int32_t date_of_birth, int32_t on);

}  // namespace fedgate::datagen
