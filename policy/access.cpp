#include "policy/access.h"

#include <chrono>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::policy {

namespace {

[[noreturn]] void Refuse(const Dsa& dsa, const std::string& rule, const std::string& why) {
  throw Error(ErrorCode::kPermissionDenied,
              "refused by rule '" + rule + "' of DSA " + dsa.id + ": " + why);
}

}  // namespace

int32_t TodayUtc() {
  using namespace std::chrono;
  return static_cast<int32_t>(duration_cast<days>(system_clock::now().time_since_epoch()).count());
}

void CheckAccess(const Dsa& dsa, const Session& s, int32_t today) {
  if (today < dsa.valid_from) {
    Refuse(dsa, "validity", "the agreement starts on " + FormatIsoDate(dsa.valid_from));
  }
  if (today > dsa.valid_until) {
    Refuse(dsa, "validity", "the agreement expired on " + FormatIsoDate(dsa.valid_until));
  }
  if (s.role.empty()) Refuse(dsa, "recipients", "user " + s.user + " is not a known user");
  if (!dsa.IsRecipient(s.role, s.organisation)) {
    Refuse(dsa, "recipients",
           "user " + s.user + " (role " + s.role + ", organisation " + s.organisation +
               ") is not a recipient");
  }
  if (!dsa.HasPurpose(s.purpose)) {
    std::string list;
    for (const auto& p : dsa.purposes) list += (list.empty() ? "" : ", ") + p;
    Refuse(dsa, "purposes",
           "purpose '" + s.purpose + "' is not one of the agreement's (" + list + ")");
  }
}

void CheckQueryScope(const Dsa& dsa, const planner::BoundQuery& q) {
  for (const auto& table : q.tables) {
    if (!dsa.datasets.count(table)) {
      Refuse(dsa, "datasets", "table " + table + " is not shared under this agreement");
    }
  }
  for (const auto& [table, column] : q.columns) {
    auto it = dsa.datasets.find(table);
    if (it == dsa.datasets.end())
      Refuse(dsa, "datasets", "table " + table + " is not shared under this agreement");
    if (!it->second.Allows(column)) {
      Refuse(dsa, "columns",
             "column " + table + "." + column +
                 " is not shared under this agreement (even in WHERE or JOIN)");
    }
  }
}

}  // namespace fedgate::policy
