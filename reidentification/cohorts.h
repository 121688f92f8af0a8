#pragma once

// The cohorts the gateway keeps for re-identification, and how many persons each user has had
// re-identified today. A cohort is the linkage pseudonyms of a cohort query's result, held in
// this process only (never returned, never written) for the DSA's cohort_minutes, and known to
// its user by a random token: a bearer capability bound to that user. Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/types.h"

namespace fedgate::reidentification {

struct Cohort {
  std::string id;  // for audit records: not the token (SHA-256 of it, 16 hex digits)
  std::string user;
  std::string dsa;
  std::string purpose;
  std::vector<Pseudonym> persons;
  std::chrono::system_clock::time_point expires;
};

class CohortStore {
 public:
  using Clock = std::chrono::system_clock;
  // Keeps `cohort` (its id and expiry are set here) and returns its token.
  std::string Put(Cohort cohort, std::chrono::minutes lifetime);
  // The cohort of `token` when it is `user`'s and has not expired; nullopt otherwise (the
  // caller cannot tell another user's cohort from none).
  std::optional<Cohort> Find(const std::string& token, const std::string& user);
  void Erase(const std::string& token);
  // The id Put gives the cohort of `token`.
  static std::string IdOf(const std::string& token);

  // Persons re-identified for (dsa, user) on the UTC day of `now`, and adding to it.
  int64_t UsedToday(const std::string& dsa, const std::string& user, Clock::time_point now);
  void AddUsed(const std::string& dsa, const std::string& user, Clock::time_point now,
               int64_t persons);

 private:
  void PurgeLocked(Clock::time_point now);

  std::mutex mu_;
  std::map<std::string, Cohort> by_token_;
  std::map<std::tuple<std::string, std::string, int64_t>, int64_t> used_;  // (dsa, user, day)
};

}  // namespace fedgate::reidentification
