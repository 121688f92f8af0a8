#pragma once

#include <cstdint>
#include <string>

#include "planner/binder/binder.h"
#include "policy/dsa.h"

namespace fedgate::policy {

// Who asks, and why.
struct Session {
  std::string user;
  std::string role;
  std::string organisation;
  std::string purpose;
};

// The checks that need no SQL: the user's role and organisation are a recipient of the DSA,
// the purpose is one of its purposes, and `today` (days since 1970-01-01) is inside its
// validity window. Throws Error(kPermissionDenied) naming the rule and the DSA.
void CheckAccess(const Dsa& dsa, const Session& session, int32_t today);

// Every table the query touches is a dataset of the DSA, and every column it names (in any
// clause) is allowed. Throws Error(kPermissionDenied) naming the table or column, the rule
// and the DSA.
void CheckQueryScope(const Dsa& dsa, const planner::BoundQuery& query);

// Today, in days since 1970-01-01 (UTC).
int32_t TodayUtc();

}  // namespace fedgate::policy
