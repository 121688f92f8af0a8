#include "datagen/population.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/date.h"
#include "common/nhs_number.h"

namespace fedgate::datagen {

namespace {

constexpr uint64_t kStreamPerson = 1;
constexpr int kLsoasPerPractice = 24;

// Somerset's population is older than England's: shares by age band.
struct AgeBand {
  int lo, hi;
  double share;
};
constexpr AgeBand kAgeBands[] = {{0, 4, 0.045},  {5, 17, 0.135}, {18, 29, 0.115}, {30, 44, 0.165},
                                 {45, 64, 0.27}, {65, 74, 0.13}, {75, 84, 0.095}, {85, 100, 0.045}};

// Practice list sizes vary about fourfold.
constexpr double kPracticeWeights[17] = {1.0, 2.2, 1.4, 3.1, 0.8, 1.7, 2.5, 1.1, 0.9,
                                         1.9, 2.8, 1.3, 0.7, 1.6, 2.0, 1.2, 3.4};

double Logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// Prevalence of each condition at age `a` before the person's frailty is applied.
double BasePrevalence(Condition c, int a) {
  switch (c) {
    case Condition::kDiabetes:
      return a < 12 ? 0.002 : 0.003 + 0.20 * Logistic((a - 66) / 11.0);
    case Condition::kAsthma:
      return a < 18 ? 0.11 : 0.085;
    case Condition::kCopd:
      return a < 35 ? 0.0 : 0.14 * Logistic((a - 74) / 9.0);
    case Condition::kChd:
      return a < 30 ? 0.0 : 0.20 * Logistic((a - 76) / 9.0);
    case Condition::kHeartFailure:
      return a < 40 ? 0.0 : 0.12 * Logistic((a - 84) / 7.0);
    case Condition::kDementia:
      return a < 55 ? 0.0 : 0.40 * Logistic((a - 90) / 5.0);
    case Condition::kDepression:
      return a < 12 ? 0.005 : (a < 18 ? 0.04 : 0.11);
    case Condition::kSmi:
      return a < 16 ? 0.0 : 0.009;
    case Condition::kCkd:
      return a < 25 ? 0.0 : 0.35 * Logistic((a - 80) / 9.0);
    case Condition::kCancer:
      return a < 20 ? 0.001 : 0.16 * Logistic((a - 78) / 11.0);
    case Condition::kHypertension:
      return a < 18 ? 0.0 : 0.55 * Logistic((a - 66) / 12.0);
    case Condition::kNdh:
      return a < 18 ? 0.0 : 0.14 * Logistic((a - 58) / 12.0);
  }
  return 0;
}

}  // namespace

int32_t FyStart() {
  return DaysFromCivil(2024, 4, 1);
}
int32_t FyEnd() {
  return DaysFromCivil(2025, 3, 31);
}

std::string_view ConditionName(Condition c) {
  static constexpr std::string_view kNames[kConditionCount] = {
      "diabetes",   "asthma", "copd", "chd",    "heart_failure", "dementia",
      "depression", "smi",    "ckd",  "cancer", "hypertension",  "ndh"};
  return kNames[static_cast<int>(c)];
}

std::string_view ConditionSnomed(Condition c) {
  static constexpr std::string_view kCodes[kConditionCount] = {
      "44054006", "195967001", "13645005",  "53741008",  "84114007", "52448006",
      "35489007", "69322001",  "709044004", "363346000", "38341003", "700449008"};
  return kCodes[static_cast<int>(c)];
}

int Person::ConditionCount() const {
  int n = 0;
  for (int c = 0; c < kConditionCount; ++c) {
    if (static_cast<Condition>(c) != Condition::kNdh && ((conditions >> c) & 1u)) ++n;
  }
  return n;
}

int AgeOn(int32_t date_of_birth, int32_t on) {
  CivilDate b = CivilFromDays(date_of_birth), t = CivilFromDays(on);
  int age = t.year - b.year;
  if (t.month < b.month || (t.month == b.month && t.day < b.day)) --age;
  return age;
}

int Person::Age() const {
  return AgeOn(date_of_birth, FyEnd());
}

std::string PracticeCode(uint8_t practice) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "SSP%02d", practice + 1);
  return buf;
}

std::string LsoaCode(uint16_t lsoa) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "E0102%04d", 9001 + lsoa);
  return buf;
}

std::string MistypeNhsNumber(std::string_view valid, Rng& rng) {
  std::string out(valid);
  for (int attempt = 0; attempt < 64; ++attempt) {
    out.assign(valid);
    int pos = static_cast<int>(rng.Int(0, 8));
    if (rng.Chance(0.5) && out[pos] != out[pos + 1]) {
      std::swap(out[pos], out[pos + 1]);  // transposition, the commonest keying slip
    } else {
      out[pos] = static_cast<char>('0' + (out[pos] - '0' + rng.Int(1, 9)) % 10);
    }
    if (!IsValidNhsNumber(out)) return out;
  }
  out.assign(valid);
  out[9] = static_cast<char>('0' + (out[9] - '0' + 1) % 10);  // always fails the check
  return out;
}

std::vector<Person> GeneratePopulation(uint64_t seed, uint32_t persons) {
  std::vector<Person> people(persons);
  // NHS numbers: walk a permutation of 400000000..499999999 (stride coprime with 10^8),
  // skipping the stems whose check digit would be 10. Unique by construction.
  const uint64_t offset = Rng::Mix(seed) % 100000000ull;
  uint64_t stem_index = 0;
  const int32_t fy_end = FyEnd();
  std::vector<double> practice_weights(std::begin(kPracticeWeights), std::end(kPracticeWeights));
  std::vector<double> band_weights;
  for (const auto& band : kAgeBands) band_weights.push_back(band.share);

  for (uint32_t i = 0; i < persons; ++i) {
    Person& p = people[i];
    p.index = i;
    for (;;) {
      uint64_t stem = 400000000ull + (stem_index++ * 7919ull + offset) % 100000000ull;
      std::string nine = std::to_string(stem);
      auto check = NhsCheckDigit(nine);
      if (!check) continue;
      std::copy(nine.begin(), nine.end(), p.nhs.begin());
      p.nhs[9] = static_cast<char>('0' + *check);
      break;
    }
    Rng rng = Rng::For(seed, kStreamPerson, i);
    const AgeBand& band = kAgeBands[rng.Pick(band_weights)];
    int age = static_cast<int>(rng.Int(band.lo, band.hi));
    p.date_of_birth =
        fy_end - age * 365 - static_cast<int32_t>(age / 4) - static_cast<int32_t>(rng.Int(0, 364));
    p.sex = rng.Chance(age >= 75 ? 0.56 : 0.505) ? 'F' : 'M';
    p.practice = static_cast<uint8_t>(rng.Pick(practice_weights));
    p.lsoa = static_cast<uint16_t>(
        p.practice * kLsoasPerPractice +
        std::min<int64_t>(rng.Int(0, kLsoasPerPractice - 1), rng.Int(0, kLsoasPerPractice - 1)));
    int32_t earliest = std::max(p.date_of_birth, DaysFromCivil(1995, 1, 1));
    p.registered_on = static_cast<int32_t>(rng.Int(earliest, fy_end - 30));
    p.frailty = static_cast<float>(rng.Normal());
    p.intensity = static_cast<float>(std::exp(-0.245 + 0.7 * rng.Normal()));
    // Frailty scales every prevalence (co-morbidity); the mean of exp(0.75 z - 0.28) is 1.
    const double lift = std::exp(0.75 * p.frailty - 0.28);
    p.conditions = 0;
    for (int c = 0; c < kConditionCount; ++c) {
      auto cond = static_cast<Condition>(c);
      if (cond == Condition::kNdh && p.Has(Condition::kDiabetes)) continue;
      double prevalence = std::min(0.95, BasePrevalence(cond, age) * lift);
      if (rng.Chance(prevalence)) p.conditions |= static_cast<uint16_t>(1u << c);
    }
    // About 1% of over-75s live in a care home, far more of those with dementia.
    double care_home =
        age < 75 ? 0.0
                 : 0.004 + 0.05 * p.Has(Condition::kDementia) + 0.002 * std::max(0.0f, p.frailty);
    p.care_home = rng.Chance(care_home);
  }
  return people;
}

}  // namespace fedgate::datagen
