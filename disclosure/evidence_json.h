#pragma once

#include <nlohmann/json.hpp>

#include "disclosure/release.h"

// The one serialiser of what disclosure control did, used by every front end (JSON API, CLI,
// Trino's fedgateDisclosure, the audit record's rule counts).
namespace fedgate::disclosure {

// [[row, column, rule], ...] for the changed cells of rows [begin, end), rows numbered from
// `begin` (a Trino page numbers its own rows from 0).
nlohmann::json CellMarks(const Released& r, size_t begin, size_t end);

// {"min_persons", "changed" (rule counts), "cells" (CellMarks of every row),
//  "counts_rounded" (when rounding is on), "rules" (the rules in plain words)}; with
// `evidence`, also "evidence": per aggregate cell {row, column, rule, checks: [{rule,
// verdict ("pass"/"changed"), inputs}]} — the comparisons made, never a value or count.
nlohmann::json DisclosureJson(const Released& r, bool evidence);

// The evidence as text, one cell a line: "row 3, column 2: withheld by dominance (threshold:
// persons >= 10 pass; dominance: top 2 = 85-90% of total, limit 85% changed)".
std::string EvidenceText(const Released& r, const std::vector<std::string>& column_names);

}  // namespace fedgate::disclosure
