// community: community health services contacts (SQLite; dates are ISO text there).
#include <algorithm>

#include "datagen/table_util.h"
#include "datagen/table_writers.h"

namespace fedgate::datagen {

void WriteCommunityContacts(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  enum Service { kDistrictNursing, kPhysio, kPodiatry, kRapidResponse, kMatron, kSpeech };
  static constexpr std::string_view kServices[] = {"district_nursing", "physiotherapy",
                                                   "podiatry",         "rapid_response",
                                                   "community_matron", "speech_therapy"};
  static constexpr double kPencePerMinute[] = {130, 120, 95, 210, 160, 140};
  static constexpr int kMinutes[] = {30, 40, 30, 60, 40, 45};
  int64_t id = 0;
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamCommunity, p.index);
    const int age = p.Age(), n = p.ConditionCount();
    const bool dementia = p.Has(Condition::kDementia);
    double lambda = age < 65 ? 0.05 + 0.12 * n
                             : 0.2 + 0.6 * n + 0.05 * (age - 65) + 22.0 * dementia +
                                   3.0 * p.Has(Condition::kHeartFailure) +
                                   2.0 * p.Has(Condition::kCopd) + 6.0 * p.care_home;
    // Service mix: frail and cognitively impaired people see nurses and matrons; others
    // mostly therapy and podiatry.
    double weights[6] = {1.0, 1.0, 1.0, 0.2, 0.2, 0.05};
    if (dementia) {
      weights[kDistrictNursing] += 3.0;
      weights[kMatron] += 2.0;
      weights[kSpeech] += 0.3;
    }
    if (p.Has(Condition::kHeartFailure) || p.Has(Condition::kCopd)) {
      weights[kMatron] += 1.5;
      weights[kRapidResponse] += 0.5;
    }
    if (p.Has(Condition::kDiabetes)) weights[kPodiatry] += 1.0;
    for (int k = rng.Poisson(lambda * p.intensity); k > 0; --k) {
      size_t service = rng.Pick(weights);
      std::string_view setting;
      if (p.care_home) {
        setting = "care_home";
      } else if (service == kPhysio || service == kPodiatry) {
        setting = rng.Chance(0.7) ? "clinic" : "home";
      } else {
        setting = rng.Chance(0.9) ? "home" : "clinic";
      }
      int minutes = std::max(10, static_cast<int>(rng.Normal(kMinutes[service], 8)));
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kPlain));
      sink.Date(DateInFy(rng));
      sink.Text(kServices[service]);
      sink.Text(setting);
      sink.Int(minutes);
      sink.Decimal(std::llround(minutes * kPencePerMinute[service]), 2);
      sink.EndRow();
    }
  }
}

}  // namespace fedgate::datagen
