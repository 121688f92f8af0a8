#include "reidentification/cohorts.h"

#include <openssl/rand.h>

#include "audit/audit_log.h"
#include "common/encoding.h"
#include "common/error.h"

namespace fedgate::reidentification {

namespace {

int64_t DayOf(CohortStore::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() / 24;
}

}  // namespace

std::string CohortStore::IdOf(const std::string& token) {
  return audit::Sha256Hex("fedgate/cohort/" + token).substr(0, 16);
}

std::string CohortStore::Put(Cohort cohort, std::chrono::minutes lifetime) {
  unsigned char random[24];
  if (RAND_bytes(random, sizeof random) != 1)
    throw Error(ErrorCode::kInternal, "OpenSSL failed: RAND_bytes");
  const std::string token =
      "c" + HexEncode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  const auto now = Clock::now();
  cohort.id = IdOf(token);
  cohort.expires = now + lifetime;
  std::lock_guard lock(mu_);
  PurgeLocked(now);
  by_token_[token] = std::move(cohort);
  return token;
}

std::optional<Cohort> CohortStore::Find(const std::string& token, const std::string& user) {
  std::lock_guard lock(mu_);
  PurgeLocked(Clock::now());
  auto it = by_token_.find(token);
  if (it == by_token_.end() || it->second.user != user) return std::nullopt;
  return it->second;
}

void CohortStore::Erase(const std::string& token) {
  std::lock_guard lock(mu_);
  by_token_.erase(token);
}

void CohortStore::PurgeLocked(Clock::time_point now) {
  for (auto it = by_token_.begin(); it != by_token_.end();)
    it = it->second.expires <= now ? by_token_.erase(it) : std::next(it);
  const int64_t today = DayOf(now);
  for (auto it = used_.begin(); it != used_.end();)
    it = std::get<2>(it->first) < today ? used_.erase(it) : std::next(it);
}

int64_t CohortStore::UsedToday(const std::string& dsa, const std::string& user,
                               Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = used_.find({dsa, user, DayOf(now)});
  return it == used_.end() ? 0 : it->second;
}

void CohortStore::AddUsed(const std::string& dsa, const std::string& user, Clock::time_point now,
                          int64_t persons) {
  std::lock_guard lock(mu_);
  used_[{dsa, user, DayOf(now)}] += persons;
}

}  // namespace fedgate::reidentification
