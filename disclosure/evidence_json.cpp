#include "disclosure/evidence_json.h"

namespace fedgate::disclosure {

nlohmann::json CellMarks(const Released& r, size_t begin, size_t end) {
  nlohmann::json cells = nlohmann::json::array();
  const size_t nc = r.columns;
  for (size_t row = begin; row < end && row * nc < r.cell_rules.size(); ++row) {
    for (size_t c = 0; c < nc; ++c) {
      const uint8_t rule = r.cell_rules[row * nc + c];
      if (rule) cells.push_back({row - begin, c, std::string(RuleName(static_cast<Rule>(rule)))});
    }
  }
  return cells;
}

nlohmann::json DisclosureJson(const Released& r, bool evidence) {
  const size_t rows = r.columns ? r.cell_rules.size() / r.columns : 0;
  nlohmann::json j = {
      {"min_persons", r.min_persons}, {"changed", r.rule_counts}, {"cells", CellMarks(r, 0, rows)}};
  if (r.rules) {
    const Rounding& rounding = r.rules->rounding;
    if (rounding.kind == Rounding::Kind::kBase)
      j["counts_rounded"] = "base " + std::to_string(rounding.base);
    else if (rounding.kind == Rounding::Kind::kMidpoint6)
      j["counts_rounded"] = "midpoint-6";
    j["rules"] = r.rules->Describe();
  }
  if (evidence) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& e : r.evidence) {
      nlohmann::json checks = nlohmann::json::array();
      for (const auto& c : e.checks) {
        checks.push_back({{"rule", std::string(RuleName(c.rule))},
                          {"verdict", c.pass ? "pass" : "changed"},
                          {"inputs", c.inputs}});
      }
      cells.push_back({{"row", e.row},
                       {"column", e.column},
                       {"rule", std::string(RuleName(e.rule))},
                       {"checks", std::move(checks)}});
    }
    j["evidence"] = std::move(cells);
  }
  return j;
}

std::string EvidenceText(const Released& r, const std::vector<std::string>& column_names) {
  std::string out;
  for (const auto& e : r.evidence) {
    out += "row " + std::to_string(e.row) + ", " +
           (e.column < column_names.size() ? column_names[e.column]
                                           : "column " + std::to_string(e.column)) +
           ": ";
    out += e.rule == Rule::kNone ? std::string("released as computed")
           : Withholds(e.rule)   ? "withheld by " + std::string(RuleName(e.rule))
                                 : "changed by " + std::string(RuleName(e.rule));
    out += " (";
    for (size_t i = 0; i < e.checks.size(); ++i) {
      const Check& c = e.checks[i];
      out += (i ? "; " : "") + std::string(RuleName(c.rule)) + ": " + c.inputs +
             (c.pass ? " pass" : " changed");
    }
    out += ")\n";
  }
  return out;
}

}  // namespace fedgate::disclosure
