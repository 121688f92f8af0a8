#include "policy/linkage.h"

#include <cmath>
#include <set>

#include "common/error.h"

namespace fedgate::policy {

std::vector<LinkageRow> LinkageReport(PolicyGate& gate, const Session& session,
                                      const std::string& dsa_id) {
  auto dsa = gate.Authorize(session, dsa_id, "linkage");  // a refusal is audited
  std::vector<LinkageRow> out;
  for (const auto& [name, rule] : dsa->datasets) {
    if (!rule.Allows("person_id")) continue;  // a table shared without its person key
    LinkageRow row;
    const auto dot = name.find('.');
    row.source = name.substr(0, dot);
    row.table = name.substr(dot + 1);
    engine::QueryResult r;
    try {
      r = gate.Query(session, dsa_id,
                     "SELECT count(*) AS records, count(person_id) AS linkable FROM " + name);
    } catch (const Error& e) {
      // A table without an identifier has no person_id to count: not part of the report.
      if (e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kNotFound) continue;
      throw;
    }
    if (r.rows.rows != 1) continue;
    auto value = [&](size_t c) -> std::optional<int64_t> {
      if (r.rows.columns[c].IsNull(0)) return std::nullopt;
      return r.rows.columns[c].i64[0];
    };
    row.records = value(0);
    row.linkable = value(1);
    if (row.records && row.linkable && *row.records > 0) {
      const double pct =
          100.0 * static_cast<double>(*row.linkable) / static_cast<double>(*row.records);
      row.linked_pct = std::round(std::min(pct, 100.0) * 10.0) / 10.0;
    }
    std::set<std::string> rules;
    for (size_t c = 0; c < r.columns.size() && c < r.disclosure.cell_rules.size(); ++c) {
      const auto rule_code = static_cast<disclosure::Rule>(r.disclosure.cell_rules[c]);
      if (rule_code != disclosure::Rule::kNone)
        rules.insert(std::string(disclosure::RuleName(rule_code)));
    }
    for (const auto& n : rules) row.rules += (row.rules.empty() ? "" : ",") + n;
    out.push_back(std::move(row));
  }
  return out;
}

nlohmann::json LinkageJson(const std::vector<LinkageRow>& rows) {
  auto figure = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    out.push_back({{"source", r.source},
                   {"table", r.table},
                   {"records", figure(r.records)},
                   {"linkable", figure(r.linkable)},
                   {"linked_pct", figure(r.linked_pct)},
                   {"rules", r.rules}});
  }
  return out;
}

}  // namespace fedgate::policy
