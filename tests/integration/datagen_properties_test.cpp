// The synthetic Somerset data, checked by querying the databases the `datagen_load` ctest
// fixture loaded (fedgate datagen --persons 40000 --seed 42): identifiers, and the
// statistical shape DESIGN.md promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iostream>
#include <numeric>
#include <regex>
#include <set>
#include <unordered_map>

#include "common/date.h"
#include "common/nhs_number.h"
#include "connectors/odbc/odbc_connection.h"
#include "connectors/postgres/pg_connection.h"
#include "tests/integration/harness_env.h"

namespace fedgate {
namespace {

using connectors::odbc::TextRow;
using testing::HarnessEnv;

constexpr int64_t kPersons = 40000;

enum Setting { kGp, kAcute, kCommunity, kMentalHealth, kSocialCare, kSettings };
constexpr const char* kSettingNames[] = {"gp", "acute", "community", "mental_health",
                                         "social_care"};

struct PersonStats {
  int age = -1;
  bool care_home = false;
  std::set<std::string> conditions;
  std::array<double, kSettings> cost{};
  int emergency_admissions = 0;
  double Total() const { return std::accumulate(cost.begin(), cost.end(), 0.0); }
  int Morbidity() const {  // long-term conditions, NDH (a risk state) not counted
    return static_cast<int>(conditions.size()) - static_cast<int>(conditions.count("ndh"));
  }
};

using testing::PgRows;
using testing::RowFn;
void MariaDbRows(const std::string& sql, const RowFn& row) {
  testing::MariaDbRows("social_care", sql, row);
}
void SqliteRows(const std::string& sql, const RowFn& row) {
  testing::SqliteRows("community.db", sql, row);
}

class SomersetData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HarnessEnv::Get().ok()) return;
    people_ = new std::unordered_map<std::string, PersonStats>();
    auto& people = *people_;
    const int32_t fy_end = DaysFromCivil(2025, 3, 31);
    PgRows("gp", "SELECT nhs_number, date_of_birth, care_home FROM patients",
           [&](const TextRow& r) {
             auto id = NormaliseNhsNumber(*r[0]);
             if (!id) return;
             auto dob = ParseIsoDate(*r[1]);
             CivilDate b = CivilFromDays(*dob), t = CivilFromDays(fy_end);
             PersonStats& p = people[*id];
             p.age = t.year - b.year -
                     ((t.month < b.month || (t.month == b.month && t.day < b.day)) ? 1 : 0);
             p.care_home = *r[2] == "t";
           });
    PgRows("gp", "SELECT nhs_number, condition FROM diagnoses", [&](const TextRow& r) {
      if (auto id = NormaliseNhsNumber(*r[0]); id && people.count(*id))
        people[*id].conditions.insert(*r[1]);
    });
    auto add = [&](Setting s) {
      return [&, s](const TextRow& r) {
        if (!r[0]) return;
        auto id = NormaliseNhsNumber(*r[0]);
        if (id && people.count(*id)) people[*id].cost[s] += std::stod(*r[1]);
      };
    };
    for (const char* t : {"consultations", "prescriptions"}) {
      PgRows("gp", std::string("SELECT nhs_number, sum(cost) FROM ") + t + " GROUP BY 1", add(kGp));
    }
    for (const char* t : {"admissions", "outpatients", "ae_attendances"}) {
      PgRows("acute", std::string("SELECT nhs_number, sum(cost) FROM ") + t + " GROUP BY 1",
             add(kAcute));
    }
    PgRows("acute",
           "SELECT nhs_number, count(*) FROM admissions WHERE admission_method = 'emergency' "
           "GROUP BY 1",
           [&](const TextRow& r) {
             if (auto id = NormaliseNhsNumber(*r[0]); id && people.count(*id)) {
               people[*id].emergency_admissions += std::stoi(*r[1]);
             }
           });
    PgRows("mental_health", "SELECT nhs_number, sum(cost) FROM contacts GROUP BY 1",
           add(kMentalHealth));
    SqliteRows("SELECT nhs_number, sum(cost) FROM contacts GROUP BY 1", add(kCommunity));
    // A service's cost in the year: its weekly cost for each week it ran within the year.
    MariaDbRows(
        "SELECT c.nhs_number, SUM(s.weekly_cost * (DATEDIFF(LEAST(COALESCE(s.end_date, "
        "'2025-03-31'), '2025-03-31'), GREATEST(s.start_date, '2024-04-01')) + 1) / 7) "
        "FROM services s JOIN clients c ON c.client_id = s.client_id "
        "WHERE s.start_date <= '2025-03-31' AND (s.end_date IS NULL OR s.end_date >= '2024-04-01') "
        "GROUP BY c.nhs_number",
        add(kSocialCare));
  }
  static void TearDownTestSuite() {
    delete people_;
    people_ = nullptr;
  }
  void SetUp() override {
    FEDGATE_REQUIRE_HARNESS();
    ASSERT_NE(people_, nullptr);
  }

  // Mean total cost of the people `select` picks; NaN if fewer than `min_n`.
  static double MeanCost(const std::function<bool(const PersonStats&)>& select, size_t min_n = 30) {
    double sum = 0;
    size_t n = 0;
    for (const auto& [id, p] : *people_) {
      if (!select(p)) continue;
      sum += p.Total();
      ++n;
    }
    return n >= min_n ? sum / n : std::nan("");
  }

  static std::array<double, kSettings> CostBySetting(const std::string& condition) {
    std::array<double, kSettings> out{};
    for (const auto& [id, p] : *people_) {
      if (!p.conditions.count(condition)) continue;
      for (int s = 0; s < kSettings; ++s) out[s] += p.cost[s];
    }
    return out;
  }

  static std::unordered_map<std::string, PersonStats>* people_;
};

std::unordered_map<std::string, PersonStats>* SomersetData::people_ = nullptr;

TEST_F(SomersetData, EveryPersonIsRegisteredOnce) {
  int64_t rows = 0;
  PgRows("gp", "SELECT count(*) FROM patients",
         [&](const TextRow& r) { rows = std::stoll(*r[0]); });
  EXPECT_EQ(rows, kPersons);
  // Valid numbers are unique; the few mistyped ones are the only ones missing.
  EXPECT_GT(static_cast<int64_t>(people_->size()), kPersons * 99 / 100);
  EXPECT_LT(static_cast<int64_t>(people_->size()), kPersons);
}

TEST_F(SomersetData, IdentifiersAreValidExceptTheMistypedShare) {
  struct Source {
    std::string name, sql;
    std::function<void(const std::string&, const RowFn&)> run;
  };
  auto pg = [](const std::string& db) {
    return [db](const std::string& sql, const RowFn& f) { PgRows(db, sql, f); };
  };
  std::vector<Source> sources = {
      {"gp.patients", "SELECT nhs_number FROM patients", pg("gp")},
      {"gp.diagnoses", "SELECT nhs_number FROM diagnoses", pg("gp")},
      {"gp.consultations", "SELECT nhs_number FROM consultations", pg("gp")},
      {"gp.observations", "SELECT nhs_number FROM observations", pg("gp")},
      {"gp.prescriptions", "SELECT nhs_number FROM prescriptions", pg("gp")},
      {"acute.admissions", "SELECT nhs_number FROM admissions", pg("acute")},
      {"acute.outpatients", "SELECT nhs_number FROM outpatients", pg("acute")},
      {"acute.ae_attendances", "SELECT nhs_number FROM ae_attendances", pg("acute")},
      {"mental_health.referrals", "SELECT nhs_number FROM referrals", pg("mental_health")},
      {"mental_health.contacts", "SELECT nhs_number FROM contacts", pg("mental_health")},
      {"community.contacts", "SELECT nhs_number FROM contacts",
       [](const std::string& sql, const RowFn& f) { SqliteRows(sql, f); }},
      {"social_care.clients", "SELECT nhs_number FROM clients",
       [](const std::string& sql, const RowFn& f) { MariaDbRows(sql, f); }},
  };
  const std::regex spaced("[0-9]{3} [0-9]{3} [0-9]{4}");
  int64_t total = 0, invalid = 0;
  for (const auto& s : sources) {
    int64_t rows = 0, bad = 0, missing = 0, wrong_form = 0;
    std::set<std::string> unique_in_patients;
    s.run(s.sql, [&](const TextRow& r) {
      ++rows;
      if (!r[0]) {
        ++missing;
        return;
      }
      bool is_acute = s.name.rfind("acute.", 0) == 0;
      if (is_acute && !std::regex_match(*r[0], spaced)) ++wrong_form;
      if (!is_acute && s.name != "social_care.clients" && r[0]->size() != 10) ++wrong_form;
      auto id = NormaliseNhsNumber(*r[0]);
      if (!id) {
        ++bad;
      } else if (s.name == "gp.patients" || s.name == "social_care.clients") {
        EXPECT_TRUE(unique_in_patients.insert(*id).second) << s.name << ": duplicate " << *id;
      }
    });
    ASSERT_GT(rows, 0) << s.name;
    EXPECT_EQ(wrong_form, 0) << s.name << " writes identifiers in the wrong form";
    if (s.name == "social_care.clients") {
      double missing_share = static_cast<double>(missing) / rows;
      EXPECT_GT(missing_share, 0.05) << "about 10% of clients have no NHS number";
      EXPECT_LT(missing_share, 0.16);
    } else {
      EXPECT_EQ(missing, 0) << s.name;
    }
    EXPECT_LT(static_cast<double>(bad) / rows, 0.03) << s.name;
    total += rows - missing;
    invalid += bad;
  }
  double share = static_cast<double>(invalid) / total;
  std::cout << "mistyped share " << share << " of " << total << " records\n";
  EXPECT_GT(share, 0.003);
  EXPECT_LT(share, 0.008);
}

TEST_F(SomersetData, CostGrowsWithConditionsMoreThanWithAge) {
  // Mean cost rises with each extra long-term condition.
  double previous = 0;
  for (int n = 0; n <= 4; ++n) {
    double mean = MeanCost([n](const PersonStats& p) { return std::min(p.Morbidity(), 4) == n; });
    std::cout << "conditions " << n << (n == 4 ? "+" : "") << ": mean cost " << mean << "\n";
    EXPECT_GT(mean, previous) << "mean cost must rise with the number of conditions";
    previous = mean;
  }
  // The condition gradient (2+ conditions vs none) within each age band is larger than the
  // age gradient (75+ vs 18-44) within each morbidity stratum.
  const std::pair<int, int> bands[] = {{18, 44}, {45, 64}, {65, 74}, {75, 120}};
  double condition_gradient = 0;
  int band_count = 0;
  for (auto [lo, hi] : bands) {
    auto in_band = [lo, hi](const PersonStats& p) { return p.age >= lo && p.age <= hi; };
    double many = MeanCost([&](const PersonStats& p) { return in_band(p) && p.Morbidity() >= 2; });
    double none = MeanCost([&](const PersonStats& p) { return in_band(p) && p.Morbidity() == 0; });
    if (std::isnan(many) || std::isnan(none)) continue;
    condition_gradient += many / none;
    ++band_count;
  }
  ASSERT_GT(band_count, 2);
  condition_gradient /= band_count;
  double age_gradient = 0;
  for (int stratum = 0; stratum <= 2; ++stratum) {
    auto in_stratum = [stratum](const PersonStats& p) {
      return std::min(p.Morbidity(), 2) == stratum;
    };
    double old = MeanCost([&](const PersonStats& p) { return in_stratum(p) && p.age >= 75; });
    double young =
        MeanCost([&](const PersonStats& p) { return in_stratum(p) && p.age >= 18 && p.age <= 44; });
    ASSERT_FALSE(std::isnan(old) || std::isnan(young)) << "stratum " << stratum;
    age_gradient += old / young / 3;
  }
  std::cout << "condition gradient " << condition_gradient << ", age gradient " << age_gradient
            << "\n";
  EXPECT_GT(condition_gradient, 2.0);
  EXPECT_GT(condition_gradient, age_gradient);
}

TEST_F(SomersetData, FewerThanOneFifthOfPeopleUseMostOfTheCost) {
  std::vector<double> costs;
  for (const auto& [id, p] : *people_) costs.push_back(p.Total());
  std::sort(costs.rbegin(), costs.rend());
  double total = std::accumulate(costs.begin(), costs.end(), 0.0);
  double top = std::accumulate(costs.begin(), costs.begin() + costs.size() / 5, 0.0);
  std::cout << "top 20% of people: " << 100 * top / total << "% of cost\n";
  EXPECT_GT(top / total, 0.5);
}

TEST_F(SomersetData, DiabetesAndAsthmaCostsFallMostlyInHospital) {
  for (const char* condition : {"diabetes", "asthma"}) {
    auto by_setting = CostBySetting(condition);
    int largest = static_cast<int>(std::max_element(by_setting.begin(), by_setting.end()) -
                                   by_setting.begin());
    std::cout << condition << ":";
    for (int s = 0; s < kSettings; ++s)
      std::cout << " " << kSettingNames[s] << "=" << static_cast<int64_t>(by_setting[s]);
    std::cout << "\n";
    EXPECT_EQ(largest, kAcute) << condition << ": largest share is " << kSettingNames[largest];
  }
}

TEST_F(SomersetData, DementiaCostsFallMostlyInMentalHealthAndCommunity) {
  auto by_setting = CostBySetting("dementia");
  std::cout << "dementia:";
  for (int s = 0; s < kSettings; ++s)
    std::cout << " " << kSettingNames[s] << "=" << static_cast<int64_t>(by_setting[s]);
  std::cout << "\n";
  EXPECT_GT(by_setting[kMentalHealth] + by_setting[kCommunity], by_setting[kAcute]);
}

TEST_F(SomersetData, CareHomeResidentsHaveMoreEmergencyAdmissions) {
  for (auto [lo, hi] : {std::pair{75, 84}, std::pair{85, 120}}) {
    double rate[2] = {0, 0};
    int n[2] = {0, 0};
    for (const auto& [id, p] : *people_) {
      if (p.age < lo || p.age > hi) continue;
      rate[p.care_home] += p.emergency_admissions;
      ++n[p.care_home];
    }
    ASSERT_GT(n[1], 5) << "too few care-home residents aged " << lo << "-" << hi;
    std::cout << "age " << lo << "-" << hi << ": emergency admissions per person, care home "
              << rate[1] / n[1] << " (n=" << n[1] << "), others " << rate[0] / n[0]
              << " (n=" << n[0] << ")\n";
    EXPECT_GT(rate[1] / n[1], rate[0] / n[0]);
  }
}

}  // namespace
}  // namespace fedgate
