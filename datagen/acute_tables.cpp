// acute: the district general hospital's admissions, outpatients and A&E attendances.
// Emergency admissions mostly arrive through A&E, so both tables come from one plan.
#include <algorithm>
#include <vector>

#include "datagen/table_util.h"
#include "datagen/table_writers.h"

namespace fedgate::datagen {

namespace {

enum Method { kElective, kEmergency, kMaternity, kTransfer };
constexpr std::string_view kMethodNames[] = {"elective", "emergency", "maternity", "transfer"};
enum Destination { kHome, kCareHome, kDied, kOtherHospital };
constexpr std::string_view kDestinationNames[] = {"home", "care_home", "died", "other_hospital"};

struct Diagnosis {
  std::string_view icd10;
  std::string_view hrg;
};

// Emergency diagnoses for a person's own conditions, in Condition order.
constexpr Diagnosis kConditionDiagnoses[kConditionCount] = {
    {"E11.9", "KB02G"}, {"J45.9", "DZ15N"}, {"J44.1", "DZ65H"}, {"I21.4", "EB10C"},
    {"I50.0", "EB03D"}, {"F03", "WD22Z"},   {"F32.9", "WD11Z"}, {"F20.9", "WD11Z"},
    {"N18.4", "LA08G"}, {"C34.9", "DZ17N"}, {"I10", "EB04Z"},   {"R73.0", "KB02G"}};
constexpr Diagnosis kGeneralEmergency[] = {{"R07.4", "EB12C"}, {"N39.0", "LA04N"},
                                           {"J18.9", "DZ11R"}, {"K80.2", "GC01F"},
                                           {"R55", "EB08E"},   {"S72.0", "HN12B"}};
constexpr Diagnosis kGeneralElective[] = {
    {"H25.9", "BZ34B"}, {"M17.1", "HN22C"}, {"K40.9", "FF61B"}, {"N20.0", "LB65D"}};
constexpr Diagnosis kChemotherapy{"Z51.1", "SB12Z"};
constexpr Diagnosis kMaternityDelivery{"O80.9", "NZ30A"};

struct Admission {
  int32_t date;
  int32_t los;
  Method method;
  Diagnosis diagnosis;
  int64_t cost_pence;
  Destination destination;
  bool via_ae;
  int64_t arrival_micros;
  bool ambulance;
};

std::vector<Admission> PlanAdmissions(const Person& p, uint64_t seed) {
  Rng rng = Rng::For(seed, kStreamAcutePlan, p.index);
  const int age = p.Age(), n = p.ConditionCount();
  const bool diabetes = p.Has(Condition::kDiabetes), asthma = p.Has(Condition::kAsthma);
  double emergency =
      p.intensity *
      (0.015 + 0.045 * n + 0.003 * std::max(0, age - 55) + 0.16 * diabetes + 0.16 * asthma +
       0.2 * p.Has(Condition::kCopd) + 0.25 * p.Has(Condition::kHeartFailure)) *
      (p.care_home ? 2.5 : 1.0);
  double elective = p.intensity * (0.025 + 0.025 * n + 0.12 * diabetes + 0.08 * asthma +
                                   0.6 * p.Has(Condition::kCancer));
  double maternity = (p.sex == 'F' && age >= 18 && age <= 44) ? 0.06 : 0.0;
  int counts[4] = {rng.Poisson(elective), rng.Poisson(emergency), rng.Poisson(maternity),
                   rng.Poisson(0.004)};

  // The person's conditions, weighted by how often each puts people in hospital.
  static constexpr double kAdmissionWeight[kConditionCount] = {4,   4,   3, 2, 3,   1,
                                                               0.3, 0.5, 1, 2, 0.3, 0};
  std::vector<double> weights(kConditionCount);
  double own = 0;
  for (int c = 0; c < kConditionCount; ++c) {
    weights[c] = p.Has(static_cast<Condition>(c)) ? kAdmissionWeight[c] : 0.0;
    own += weights[c];
  }
  std::vector<Admission> out;
  for (int m = 0; m < 4; ++m) {
    for (int k = 0; k < counts[m]; ++k) {
      Admission a{};
      a.method = static_cast<Method>(m);
      a.date = DateInFy(rng);
      switch (a.method) {
        case kEmergency: {
          bool own_condition = own > 0 && rng.Chance(0.7);
          size_t c = own_condition ? rng.Pick(weights) : 0;
          a.diagnosis = own_condition
                            ? kConditionDiagnoses[c]
                            : kGeneralEmergency[rng.Int(0, std::size(kGeneralEmergency) - 1)];
          a.los = rng.Poisson(age >= 75 ? 7.0 : 3.0);
          bool related = own_condition && (c == static_cast<size_t>(Condition::kDiabetes) ||
                                           c == static_cast<size_t>(Condition::kAsthma));
          a.cost_pence = Pence(rng.LogNormal(2600, 0.75) * (related ? 1.3 : 1.0) + 300 * a.los);
          break;
        }
        case kElective:
          if (p.Has(Condition::kCancer) && rng.Chance(0.6)) {
            a.diagnosis = kChemotherapy;
            a.los = 0;
            a.cost_pence = Pence(rng.LogNormal(900, 0.3));
          } else if ((diabetes || asthma) && rng.Chance(0.6)) {
            a.diagnosis = kConditionDiagnoses[diabetes ? 0 : 1];
            a.los = rng.Poisson(1.5);
            a.cost_pence = Pence(rng.LogNormal(2400, 0.5) + 250 * a.los);
          } else {
            a.diagnosis = kGeneralElective[rng.Int(0, std::size(kGeneralElective) - 1)];
            a.los = rng.Poisson(1.0);
            a.cost_pence = Pence(rng.LogNormal(2200, 0.6) + 250 * a.los);
          }
          break;
        case kMaternity:
          a.diagnosis = kMaternityDelivery;
          a.los = rng.Poisson(1.5);
          a.cost_pence = Pence(rng.LogNormal(2800, 0.3));
          break;
        case kTransfer:
          a.diagnosis = kGeneralEmergency[rng.Int(0, std::size(kGeneralEmergency) - 1)];
          a.los = 2 + rng.Poisson(6.0);
          a.cost_pence = Pence(rng.LogNormal(4000, 0.5));
          break;
      }
      double died = a.method == kEmergency ? 0.01 + (age >= 85 ? 0.05 : 0.0) : 0.002;
      if (rng.Chance(died)) {
        a.destination = kDied;
      } else if (p.care_home || (age >= 80 && rng.Chance(0.03))) {
        a.destination = kCareHome;
      } else {
        a.destination = rng.Chance(0.02) ? kOtherHospital : kHome;
      }
      a.via_ae = a.method == kEmergency && rng.Chance(0.85);
      a.arrival_micros = (static_cast<int64_t>(a.date) * 86400 + rng.Int(0, 86399)) * 1000000;
      a.ambulance = rng.Chance(age >= 75 ? 0.75 : 0.45);
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace

void WriteAcuteAdmissions(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t id = 0;
  for (const Person& p : people) {
    Rng typos = Rng::For(seed, kStreamNhsTypos + 1, p.index);
    for (const Admission& a : PlanAdmissions(p, seed)) {
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, typos, NhsStyle::kSpaced));
      sink.Date(a.date);
      sink.Date(a.date + a.los);
      sink.Text(kMethodNames[a.method]);
      sink.Text(a.diagnosis.icd10);
      sink.Text(a.diagnosis.hrg);
      sink.Decimal(a.cost_pence, 2);
      sink.Text(kDestinationNames[a.destination]);
      sink.EndRow();
    }
  }
}

void WriteAcuteOutpatients(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  struct Clinic {
    Condition condition;
    std::string_view specialty;
    double visits;
  };
  static constexpr Clinic kClinics[] = {{Condition::kDiabetes, "diabetic_medicine", 2.2},
                                        {Condition::kAsthma, "respiratory", 1.2},
                                        {Condition::kCopd, "respiratory", 0.8},
                                        {Condition::kChd, "cardiology", 0.8},
                                        {Condition::kHeartFailure, "cardiology", 1.0},
                                        {Condition::kCkd, "nephrology", 0.6},
                                        {Condition::kCancer, "oncology", 3.0},
                                        {Condition::kHypertension, "cardiology", 0.1}};
  static constexpr std::string_view kGeneral[] = {"trauma_orthopaedics", "ophthalmology",
                                                  "dermatology",         "general_surgery",
                                                  "gynaecology",         "ent"};
  int64_t id = 0;
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamOutpatients, p.index);
    auto emit = [&](std::string_view specialty) {
      bool first = rng.Chance(0.3);
      bool attended = rng.Chance(0.92);
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kSpaced));
      sink.Date(DateInFy(rng));
      sink.Text(specialty);
      sink.Bool(first);
      sink.Bool(attended);
      sink.Decimal(attended ? Pence(rng.LogNormal(first ? 165 : 115, 0.2)) : 0, 2);
      sink.EndRow();
    };
    for (const Clinic& c : kClinics) {
      if (!p.Has(c.condition)) continue;
      for (int k = rng.Poisson(c.visits * p.intensity); k > 0; --k) emit(c.specialty);
    }
    for (int k = rng.Poisson((0.3 + 0.1 * p.ConditionCount()) * p.intensity); k > 0; --k) {
      emit(kGeneral[rng.Int(0, std::size(kGeneral) - 1)]);
    }
  }
}

void WriteAcuteAeAttendances(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t id = 0;
  auto emit = [&](const Person& p, Rng& rng, int64_t arrival, bool ambulance,
                  std::string_view disposal, int64_t cost_pence) {
    sink.BeginRow();
    sink.Int(++id);
    sink.Text(ProviderNhsNumber(p, rng, NhsStyle::kSpaced));
    sink.Timestamp(arrival);
    sink.Text(ambulance ? "ambulance" : "walk_in");
    sink.Text(disposal);
    sink.Decimal(cost_pence, 2);
    sink.EndRow();
  };
  for (const Person& p : people) {
    Rng rng = Rng::For(seed, kStreamAeOther, p.index);
    for (const Admission& a : PlanAdmissions(p, seed)) {
      if (a.via_ae)
        emit(p, rng, a.arrival_micros, a.ambulance, "admitted", Pence(rng.LogNormal(350, 0.2)));
    }
    int age = p.Age();
    double lambda =
        p.intensity * (0.16 + 0.05 * p.ConditionCount() + 0.12 * p.Has(Condition::kAsthma) +
                       (age < 5 ? 0.25 : 0.0) + (age >= 80 ? 0.1 : 0.0));
    for (int k = rng.Poisson(lambda); k > 0; --k) {
      int64_t arrival = (static_cast<int64_t>(DateInFy(rng)) * 86400 + rng.Int(0, 86399)) * 1000000;
      static constexpr std::string_view kDisposals[] = {"discharged", "referred", "left"};
      emit(p, rng, arrival, rng.Chance(age >= 75 ? 0.4 : 0.15),
           kDisposals[rng.Pick({0.75, 0.15, 0.1})], Pence(rng.LogNormal(180, 0.35)));
    }
  }
}

}  // namespace fedgate::datagen
