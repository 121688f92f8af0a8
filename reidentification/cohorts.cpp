#include "reidentification/cohorts.h"

#include "audit/audit_log.h"
#include "common/random.h"

namespace fedgate::reidentification {

namespace {

int64_t DayOf(CohortStore::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() / 24;
}

}  // namespace

std::string CohortStore::IdOf(const std::string& token) {
  return audit::Sha256Hex("fedgate/cohort/" + token).substr(0, 16);
}

std::string CohortStore::Put(Cohort cohort) {
  const std::string token = "c" + RandomHex(24);
  cohort.id = IdOf(token);
  std::lock_guard lock(mu_);
  PurgeLocked(Clock::now());
  by_token_[token] = std::move(cohort);
  return token;
}

std::optional<Cohort> CohortStore::Take(const std::string& token, const std::string& user) {
  std::lock_guard lock(mu_);
  PurgeLocked(Clock::now());
  auto it = by_token_.find(token);
  if (it == by_token_.end() || it->second.user != user) return std::nullopt;
  Cohort out = std::move(it->second);
  by_token_.erase(it);
  return out;
}

int CohortStore::Held(const std::string& user) {
  std::lock_guard lock(mu_);
  PurgeLocked(Clock::now());
  int n = 0;
  for (const auto& [token, c] : by_token_) n += c.user == user;
  return n;
}

void CohortStore::PurgeLocked(Clock::time_point now) {
  for (auto it = by_token_.begin(); it != by_token_.end();)
    it = it->second.expires <= now ? by_token_.erase(it) : std::next(it);
  const int64_t today = DayOf(now);
  for (auto it = used_.begin(); it != used_.end();)
    it = std::get<2>(it->first) < today ? used_.erase(it) : std::next(it);
}

int64_t CohortStore::Reserve(const std::string& dsa, const std::string& user, Clock::time_point now,
                             int64_t persons, int64_t limit) {
  std::lock_guard lock(mu_);
  int64_t& used = used_[{dsa, user, DayOf(now)}];
  if (used + persons > limit) return -1;
  const int64_t before = used;
  used += persons;
  return before;
}

void CohortStore::Settle(const std::string& dsa, const std::string& user, Clock::time_point now,
                         int64_t unused) {
  std::lock_guard lock(mu_);
  used_[{dsa, user, DayOf(now)}] -= unused;
}

int64_t CohortStore::UsedToday(const std::string& dsa, const std::string& user,
                               Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = used_.find({dsa, user, DayOf(now)});
  return it == used_.end() ? 0 : it->second;
}

}  // namespace fedgate::reidentification
