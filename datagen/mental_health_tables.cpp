// mental_health: the trust's referrals and the contacts that belong to them.
#include <algorithm>
#include <vector>

#include "datagen/table_util.h"
#include "datagen/table_writers.h"

namespace fedgate::datagen {

namespace {

struct Contact {
  int32_t date;
  std::string_view type;
  int64_t cost_pence;
};

struct Referral {
  std::string_view team;
  std::string_view reason;
  int32_t referral_date;
  int32_t discharge_date;  // 0: still open
  std::vector<Contact> contacts;
};

// Adds a referral with `contacts` community contacts (and optionally an inpatient stay)
// spread between the referral date (or the year's start) and the end of the year.
void AddReferral(std::vector<Referral>& out, Rng& rng, std::string_view team,
                 std::string_view reason, double contacts, double contact_cost,
                 double inpatient_chance, double inpatient_days) {
  Referral r;
  r.team = team;
  r.reason = reason;
  bool long_standing = team == "cmht" || team == "older_adult";
  r.referral_date = long_standing && rng.Chance(0.6)
                        ? static_cast<int32_t>(rng.Int(FyStart() - 3 * 365, FyStart() - 1))
                        : DateInFy(rng) - 30;
  int32_t from = std::max(r.referral_date + 7, FyStart());
  int32_t to = FyEnd();
  if (from > to) from = to;
  int count = 1 + rng.Poisson(contacts);
  for (int k = 0; k < count; ++k) {
    bool phone = rng.Chance(team == "iapt" ? 0.5 : 0.25);
    r.contacts.push_back({static_cast<int32_t>(rng.Int(from, to)),
                          phone ? "telephone" : "face_to_face",
                          Pence(rng.LogNormal(contact_cost, 0.25) * (phone ? 0.6 : 1.0))});
  }
  if (rng.Chance(inpatient_chance)) {
    int days = 1 + rng.Poisson(inpatient_days);
    int32_t start = static_cast<int32_t>(rng.Int(from, to));
    for (int d = 0; d < days && start + d <= FyEnd(); ++d) {
      r.contacts.push_back({start + d, "inpatient_day", Pence(rng.LogNormal(520, 0.1))});
    }
  }
  std::sort(r.contacts.begin(), r.contacts.end(),
            [](const Contact& a, const Contact& b) { return a.date < b.date; });
  // Short-term teams discharge most people after their last contact.
  bool discharged = team == "iapt" || team == "crisis" ? rng.Chance(0.8) : rng.Chance(0.2);
  r.discharge_date = discharged ? std::min(FyEnd(), r.contacts.back().date + 14) : 0;
  out.push_back(std::move(r));
}

std::vector<Referral> PlanReferrals(const Person& p, uint64_t seed) {
  Rng rng = Rng::For(seed, kStreamMentalHealthPlan, p.index);
  std::vector<Referral> out;
  const int age = p.Age();
  const double u = std::min(3.0, static_cast<double>(p.intensity));
  if (p.Has(Condition::kDepression) && rng.Chance(0.3)) {
    AddReferral(out, rng, "iapt", rng.Chance(0.6) ? "low mood" : "anxiety and low mood", 6 * u, 95,
                0.0, 0);
  } else if (age >= 16 && rng.Chance(0.008)) {
    AddReferral(out, rng, "iapt", "anxiety", 4 * u, 95, 0.0, 0);
  }
  if (p.Has(Condition::kSmi) && rng.Chance(0.8)) {
    AddReferral(out, rng, "cmht", rng.Chance(0.5) ? "psychosis" : "bipolar disorder", 16 * u, 160,
                0.12, 20);
  }
  if ((p.Has(Condition::kDepression) || p.Has(Condition::kSmi)) && rng.Chance(0.05)) {
    AddReferral(out, rng, "crisis", "self-harm risk", 4, 300, 0.2, 6);
  }
  if (p.Has(Condition::kDementia)) {
    if (rng.Chance(0.75)) {
      AddReferral(out, rng, "memory_service", "memory concerns", 10 * u, 170, 0.0, 0);
    }
    if (rng.Chance(0.6)) {
      AddReferral(out, rng, "older_adult", "behavioural and psychological symptoms of dementia",
                  20 * u, 190, 0.06, 18);
    }
  }
  return out;
}

}  // namespace

void WriteMentalHealthReferrals(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t id = 0;
  for (const Person& p : people) {
    Rng typos = Rng::For(seed, kStreamNhsTypos + 2, p.index);
    for (const Referral& r : PlanReferrals(p, seed)) {
      sink.BeginRow();
      sink.Int(++id);
      sink.Text(ProviderNhsNumber(p, typos, NhsStyle::kPlain));
      sink.Date(r.referral_date);
      sink.Text(r.team);
      sink.Text(r.reason);
      if (r.discharge_date == 0) {
        sink.Null();
      } else {
        sink.Date(r.discharge_date);
      }
      sink.EndRow();
    }
  }
}

void WriteMentalHealthContacts(const std::vector<Person>& people, uint64_t seed, RowSink& sink) {
  int64_t referral_id = 0, id = 0;
  for (const Person& p : people) {
    Rng typos = Rng::For(seed, kStreamNhsTypos + 3, p.index);
    for (const Referral& r : PlanReferrals(p, seed)) {
      ++referral_id;
      for (const Contact& c : r.contacts) {
        sink.BeginRow();
        sink.Int(++id);
        sink.Int(referral_id);
        sink.Text(ProviderNhsNumber(p, typos, NhsStyle::kPlain));
        sink.Date(c.date);
        sink.Text(r.team);
        sink.Text(c.type);
        sink.Decimal(c.cost_pence, 2);
        sink.EndRow();
      }
    }
  }
}

}  // namespace fedgate::datagen
