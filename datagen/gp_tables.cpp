// gp: the GP federation's patients, diagnoses, consultations, observations, prescriptions.
#include <algorithm>

#include "common/date.h"
#include "datagen/table_util.h"
#include "datagen/table_writers.h"

namespace fedgate::datagen {

namespace {

// How many years before FyEnd() a condition was diagnosed: most long ago, ~8% in the year.
int32_t DiagnosisDate(const Person& p, Condition c, Rng& rng) {
  int age = p.Age();
  int onset = c == Condition::kAsthma ? 2 : (c == Condition::kDementia ? 60 : 16);
  int32_t earliest = std::max(p.date_of_birth + onset * 365, FyEnd() - 25 * 365);
  earliest = std::min(earliest, FyEnd() - 1);
  if (rng.Chance(0.08) || earliest >= FyStart() || age <= onset) {
    return std::max(DateInFy(rng), earliest);
  }
  return static_cast<int32_t>(rng.Int(earliest, FyStart() - 1));
}

}  // namespace

void WriteGpPatients(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamPatients, p.index);
    sink.BeginRow();
    sink.Int(p.index + 1);
    sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kPlain));
    sink.Text(PracticeCode(p.practice));
    sink.Date(p.date_of_birth);
    sink.Text(p.sex == 'F' ? "F" : "M");
    sink.Text(LsoaCode(p.lsoa));
    sink.Date(p.registered_on);
    sink.Bool(p.care_home);
    sink.EndRow();
  }
}

void WriteGpDiagnoses(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t id = 0;
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamDiagnoses, p.index);
    for (int c = 0; c < kConditionCount; ++c) {
      auto cond = static_cast<Condition>(c);
      if (!p.Has(cond)) continue;
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kPlain));
      sink.Text(ConditionName(cond));
      sink.Text(ConditionSnomed(cond));
      sink.Date(DiagnosisDate(p, cond, rng));
      sink.EndRow();
    }
  }
}

void WriteGpConsultations(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  static constexpr std::string_view kRoles[] = {"gp", "nurse", "hca", "pharmacist"};
  static constexpr double kPencePerMinute[] = {420, 160, 100, 200};
  static constexpr int kMinutes[] = {10, 15, 10, 15};
  static constexpr std::string_view kModes[] = {"face_to_face", "telephone", "video", "home_visit"};
  int64_t id = 0;
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamConsultations, p.index);
    int age = p.Age(), n = p.ConditionCount();
    double lambda = p.intensity * (1.2 + 1.1 * n + 0.015 * std::max(0, age - 40) +
                                   (age < 5 ? 1.5 : 0.0) + (p.care_home ? 3.0 : 0.0));
    int count = rng.Poisson(lambda);
    double home_share = p.care_home ? 0.5 : (age >= 85 ? 0.12 : 0.02);
    for (int k = 0; k < count; ++k) {
      size_t role = rng.Pick({0.5, 0.3, 0.1, 0.1});
      size_t mode = rng.Chance(home_share) ? 3 : rng.Pick({0.58, 0.36, 0.06});
      int minutes =
          std::max(3, static_cast<int>(rng.Normal(kMinutes[role], 3.0))) + (mode == 3 ? 20 : 0);
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kPlain));
      sink.Date(DateInFy(rng));
      sink.Text(kRoles[role]);
      sink.Text(kModes[mode]);
      sink.Int(minutes);
      sink.Decimal(std::llround(minutes * kPencePerMinute[role]), 2);
      sink.EndRow();
    }
  }
}

void WriteGpObservations(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t id = 0;
  auto emit = [&](const Person& p, Rng& rng, std::string_view code, double value) {
    sink.BeginRow();
    sink.Int(++id);
    sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kPlain));
    sink.Date(DateInFy(rng));
    sink.Text(code);
    sink.Decimal(std::llround(value * 10) * 10, 2);  // one decimal place, stored as (8,2)
    sink.EndRow();
  };
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamObservations, p.index);
    int age = p.Age();
    if (age < 18) continue;
    if (p.Has(Condition::kDiabetes)) {
      // Control varies by person more than by test: a personal mean, then noise.
      double personal = std::max(50.0, rng.Normal(60.0, 11.0));
      for (int k = 1 + rng.Poisson(1.2); k > 0; --k) {
        emit(p, rng, "hba1c", std::max(48.0, rng.Normal(personal, 5.0)));
      }
    } else if (p.Has(Condition::kNdh)) {
      for (int k = 1 + rng.Poisson(0.3); k > 0; --k) emit(p, rng, "hba1c", rng.Int(42, 47));
    } else if (rng.Chance(0.06)) {
      emit(p, rng, "hba1c", rng.Int(30, 41));
    }
    if (rng.Chance(p.Has(Condition::kDiabetes) ? 0.8 : 0.25)) {
      emit(p, rng, "bmi",
           std::clamp(rng.Normal(p.Has(Condition::kDiabetes) ? 31 : 27, 5), 15.0, 60.0));
    }
    if (p.Has(Condition::kHypertension)) {
      for (int k = 1 + rng.Poisson(1.0); k > 0; --k)
        emit(p, rng, "systolic_bp", rng.Normal(142, 14));
    } else if (rng.Chance(0.2)) {
      emit(p, rng, "systolic_bp", rng.Normal(124, 11));
    }
  }
}

void WriteGpPrescriptions(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  // BNF chapter and typical cost per item for each long-term condition's medicines.
  struct Medicine {
    Condition condition;
    int bnf_chapter;
    double median_item_cost;
  };
  static constexpr Medicine kMedicines[] = {
      {Condition::kDiabetes, 6, 18.0},    {Condition::kAsthma, 3, 14.0},
      {Condition::kCopd, 3, 22.0},        {Condition::kChd, 2, 4.0},
      {Condition::kHeartFailure, 2, 6.0}, {Condition::kDementia, 4, 5.0},
      {Condition::kDepression, 4, 3.0},   {Condition::kSmi, 4, 9.0},
      {Condition::kCkd, 2, 4.0},          {Condition::kCancer, 8, 40.0},
      {Condition::kHypertension, 2, 2.5}};
  int64_t id = 0;
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamPrescriptions, p.index);
    auto emit = [&](int chapter, double median_cost) {
      int items = 1 + static_cast<int>(rng.Pick({0.6, 0.3, 0.1}));
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kPlain));
      sink.Date(DateInFy(rng));
      sink.Int(chapter);
      sink.Int(items);
      sink.Decimal(Pence(items * rng.LogNormal(median_cost, 0.5)), 2);
      sink.EndRow();
    };
    for (const Medicine& m : kMedicines) {
      if (!p.Has(m.condition)) continue;
      for (int k = rng.Poisson(2.5 * p.intensity); k > 0; --k)
        emit(m.bnf_chapter, m.median_item_cost);
    }
    static constexpr int kAcuteChapters[] = {1, 5, 10, 13};
    for (int k = rng.Poisson(0.5 * p.intensity); k > 0; --k) {
      emit(kAcuteChapters[rng.Int(0, 3)], 4.0);
    }
  }
}

}  // namespace fedgate::datagen
