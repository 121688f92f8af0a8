#pragma once

// The linkage report (Hertfordshire's headline figure, "over 90% of social care activity
// linked with an NHS number"): for each table a DSA shares with its person key, how many
// records it holds, how many carry a valid NHS number (a person key) and the linked share.
// Each figure is a query through the PolicyGate (so checked and audited like any) and is
// released under the DSA's rules: rounded, or withheld, exactly as an analyst's count(*)
// would be; the share is computed from the released figures, so it reveals nothing they do
// not. Used by `fedgate linkage report` and GET /api/v1/linkage.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/gate.h"

namespace fedgate::policy {

struct LinkageRow {
  std::string source;
  std::string table;
  std::optional<int64_t> records;    // nullopt: withheld
  std::optional<int64_t> linkable;   // records with a person key
  std::optional<double> linked_pct;  // 100 * linkable / records, one decimal, from the above
  std::string rules;                 // what disclosure control did ("rounded", "threshold", ...)
};

// The rows as JSON: [{source, table, records, linkable, linked_pct, rules}], withheld figures
// as null (the JSON API's and `fedgate linkage report --format json`'s shape).
nlohmann::json LinkageJson(const std::vector<LinkageRow>& rows);

// Throws what the gate throws for the DSA as a whole (not in force, not a recipient, ...).
std::vector<LinkageRow> LinkageReport(PolicyGate& gate, const Session& session,
                                      const std::string& dsa_id);

}  // namespace fedgate::policy
