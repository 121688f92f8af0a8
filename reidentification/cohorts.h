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
  // Keeps `cohort` until its `expires` (its id is set here) and returns its token.
  std::string Put(Cohort cohort);
  // Removes and returns the cohort of `token` when it is `user`'s and has not expired;
  // nullopt otherwise (the caller cannot tell another user's cohort from none). A cohort
  // serves one request: two requests with one token get it once.
  std::optional<Cohort> Take(const std::string& token, const std::string& user);
  // Cohorts `user` holds now (each bounded by the rule's persons_per_request).
  int Held(const std::string& user);
  // The id Put gives the cohort of `token`.
  static std::string IdOf(const std::string& token);

  // The daily limit, per (dsa, user) and UTC day: Reserve adds `persons` to the day's count
  // if it stays within `limit` (returning the count before, or -1 when it would not), in one
  // step, so concurrent requests cannot pass it together; Settle gives back what a request
  // reserved but did not re-identify (all of it when it failed).
  int64_t Reserve(const std::string& dsa, const std::string& user, Clock::time_point now,
                  int64_t persons, int64_t limit);
  void Settle(const std::string& dsa, const std::string& user, Clock::time_point now,
              int64_t unused);
  int64_t UsedToday(const std::string& dsa, const std::string& user, Clock::time_point now);

 private:
  void PurgeLocked(Clock::time_point now);

  std::mutex mu_;
  std::map<std::string, Cohort> by_token_;
  std::map<std::tuple<std::string, std::string, int64_t>, int64_t> used_;  // (dsa, user, day)
};

}  // namespace fedgate::reidentification
