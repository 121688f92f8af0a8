// social_care: the council's adult social care clients and the services they receive.
// The NHS number lives only in `clients` (and is missing for about one client in ten).
#include <algorithm>
#include <optional>
#include <vector>

#include "datagen/table_util.h"
#include "datagen/table_writers.h"

namespace fedgate::datagen {

namespace {

struct Service {
  std::string_view type;
  int32_t start;
  int32_t end;  // 0: open-ended
  int64_t weekly_pence;
};

struct Client {
  std::string_view support_reason;
  std::string_view postcode_district;
  bool has_nhs_number;
  std::vector<Service> services;
};

constexpr std::string_view kDistricts[] = {"TA1",  "TA2",  "TA6",  "TA9",  "TA10", "TA12", "TA18",
                                           "TA20", "BA20", "BA21", "BA22", "BA9",  "BA10", "BA11"};

std::optional<Client> PlanClient(const Person& p, uint64_t seed) {
  Rng rng = Rng::For(seed, kStreamSocialCarePlan, p.index);
  const int age = p.Age();
  const bool dementia = p.Has(Condition::kDementia), smi = p.Has(Condition::kSmi);
  double chance = 0;
  if (p.care_home) {
    chance = 1.0;
  } else if (age >= 65) {
    chance = 0.003 + 0.20 * dementia + 0.02 * std::max(0.0f, p.frailty) +
             (age >= 85 ? 0.015 : 0.0) + 0.01 * (p.ConditionCount() >= 4);
  } else if (age >= 18) {
    chance = 0.0015 + 0.08 * smi;
  }
  if (!rng.Chance(chance)) return std::nullopt;

  Client c;
  c.support_reason = dementia   ? "memory_cognition"
                     : smi      ? "mental_health"
                     : age < 65 ? (rng.Chance(0.6) ? "learning_disability" : "physical_support")
                     : rng.Chance(0.08) ? "sensory"
                                        : "physical_support";
  c.postcode_district = kDistricts[std::min<size_t>(p.practice * std::size(kDistricts) / 17,
                                                    std::size(kDistricts) - 1)];
  c.has_nhs_number = rng.Chance(0.9);
  if (p.care_home) {
    bool nursing = dementia ? rng.Chance(0.5) : rng.Chance(0.3);
    c.services.push_back({nursing ? "nursing" : "residential",
                          static_cast<int32_t>(rng.Int(FyStart() - 4 * 365, FyEnd() - 60)), 0,
                          Pence(rng.LogNormal(nursing ? 1050 : 820, 0.1))});
    return c;
  }
  int count = 1 + rng.Poisson(0.6);
  for (int k = 0; k < count; ++k) {
    static constexpr std::string_view kTypes[] = {"home_care", "reablement", "day_care",
                                                  "direct_payment"};
    size_t type = rng.Pick({0.45, 0.2, 0.15, 0.2});
    Service s{kTypes[type], 0, 0, 0};
    s.start = rng.Chance(0.5) ? static_cast<int32_t>(rng.Int(FyStart() - 2 * 365, FyStart() - 1))
                              : DateInFy(rng);
    switch (type) {
      case 0:
        s.weekly_pence = Pence(std::max(3.0, rng.Normal(10, 5)) * 26.5);
        break;
      case 1:
        s.start = DateInFy(rng);
        s.end = s.start + 42;
        s.weekly_pence = Pence(rng.LogNormal(350, 0.15));
        break;
      case 2:
        s.weekly_pence = Pence(rng.LogNormal(120, 0.3));
        break;
      case 3:
        s.weekly_pence = Pence(rng.LogNormal(260, 0.4));
        break;
    }
    if (s.end == 0 && rng.Chance(0.35)) {
      s.end = static_cast<int32_t>(rng.Int(std::max(s.start + 14, FyStart()), FyEnd() + 90));
    }
    c.services.push_back(s);
  }
  return c;
}

}  // namespace

void WriteSocialCareClients(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t id = 0;
  for (const Person& p : people) {
    auto client = PlanClient(p, seed);
    if (!client) continue;
    Rng typos = Rng::For(seed, kStreamNhsTypos + 4, p.index);
    sink.BeginRow();
    sink.Int(++id);
    if (client->has_nhs_number) {
      sink.Text(ProviderNhsNumber(p, typos, NhsStyle::kSometimesHyphenated));
    } else {
      sink.Null();
    }
    sink.Date(p.date_of_birth);
    sink.Text(client->postcode_district);
    sink.Text(client->support_reason);
    sink.EndRow();
  }
}

void WriteSocialCareServices(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t client_id = 0, id = 0;
  for (const Person& p : people) {
    auto client = PlanClient(p, seed);
    if (!client) continue;
    ++client_id;
    for (const Service& s : client->services) {
      sink.BeginRow();
      sink.Int(++id);
      sink.Int(client_id);
      sink.Text(s.type);
      sink.Date(s.start);
      if (s.end == 0) {
        sink.Null();
      } else {
        sink.Date(s.end);
      }
      sink.Decimal(s.weekly_pence, 2);
      sink.EndRow();
    }
  }
}

}  // namespace fedgate::datagen
