#include "disclosure/cell.h"

#include <cmath>
#include <cstdio>

namespace fedgate::disclosure {

namespace {

// The cell's value in its own units (a decimal's unscaled value divided out).
double Magnitude(const Column& c, size_t r) {
  switch (c.type.id) {
    case TypeId::kDouble:
      return c.f64[r];
    case TypeId::kDecimal:
      return static_cast<double>(c.i64[r]) / static_cast<double>(Pow10(c.type.scale));
    default:
      return static_cast<double>(c.i64[r]);
  }
}

// Writes a value in the cell's own units back (integers and decimals rounded to the type).
void SetMagnitude(Column& c, size_t r, double v) {
  switch (c.type.id) {
    case TypeId::kDouble:
      c.f64[r] = v;
      return;
    case TypeId::kDecimal:
      c.i64[r] = std::llround(v * static_cast<double>(Pow10(c.type.scale)));
      return;
    default:
      c.i64[r] = std::llround(v);
      return;
  }
}

// Rounds a count or sum in place, in its own units (a decimal's unscaled value is rounded to
// a multiple of base * 10^scale). True when it changed.
bool RoundInPlace(Column& cell, size_t r, const Rounding& rounding) {
  switch (cell.type.id) {
    case TypeId::kInt64: {
      const int64_t v = ApplyRounding(cell.i64[r], rounding);
      const bool changed = v != cell.i64[r];
      cell.i64[r] = v;
      return changed;
    }
    case TypeId::kDecimal: {
      const int64_t unit = Pow10(cell.type.scale);
      const int64_t v = cell.i64[r];
      // Round to whole units first (half away from zero), then as a count.
      const int64_t whole = (v >= 0 ? v + unit / 2 : v - unit / 2) / unit;
      const int64_t out = ApplyRounding(whole, rounding) * unit;
      cell.i64[r] = out;
      return out != v;
    }
    case TypeId::kDouble: {
      const double v = cell.f64[r];
      const double out =
          static_cast<double>(ApplyRounding(static_cast<int64_t>(std::llround(v)), rounding));
      cell.f64[r] = out;
      return out != v;
    }
    default:
      return false;
  }
}

// A share as a 5%-wide band ("60-65%"): enough for a checker, too coarse to undo a total.
std::string Band(double share) {
  int lo = static_cast<int>(std::floor(share * 20.0)) * 5;
  if (lo >= 100) return "100%";
  if (lo < 0) lo = 0;
  return std::to_string(lo) + "-" + std::to_string(lo + 5) + "%";
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

CellOutcome ProtectCell(const Rules& rules, CellKind kind, const GroupFacts& group,
                        const Contributions* contributions, Column& cell, size_t row) {
  CellOutcome out;
  auto withhold = [&](Rule rule, std::string inputs) {
    out.checks.push_back({rule, false, std::move(inputs)});
    out.rule = rule;
    cell.null[row] = 1;
    return out;
  };
  auto pass = [&](Rule rule, std::string inputs) {
    out.checks.push_back({rule, true, std::move(inputs)});
  };
  const std::string n = std::to_string(rules.min_persons);
  if (group.persons < rules.min_persons) return withhold(Rule::kThreshold, "persons < " + n);
  pass(Rule::kThreshold, "persons >= " + n);
  if (kind == CellKind::kMean && rules.mean_min_persons > rules.min_persons) {
    const std::string m = std::to_string(rules.mean_min_persons);
    if (group.persons < rules.mean_min_persons) return withhold(Rule::kMean, "persons < " + m);
    pass(Rule::kMean, "persons >= " + m);
  }
  if (kind == CellKind::kPercentile) {
    // Rule 'percentile': a percentile at or near an end is a minimum or maximum in disguise,
    // one person's value; released only with enough persons at or below it and at or above
    // it (a mode: holding it), so the value is no one person's alone.
    const std::string m = std::to_string(rules.PercentilePersons());
    if (cell.IsNull(row)) return out;
    if (group.persons_aside < rules.PercentilePersons())
      return withhold(Rule::kPercentile, "persons at or beyond the value on a side < " + m);
    pass(Rule::kPercentile, "persons at or beyond the value on each side >= " + m);
    return out;  // a value, not a count: neither rounded nor perturbed
  }
  if (cell.IsNull(row) || kind == CellKind::kOther) return out;
  const bool count_like = kind == CellKind::kCount || kind == CellKind::kSum;
  const double value = Magnitude(cell, row);
  if (count_like && rules.zeros_disclosive) {
    if (value == 0) return withhold(Rule::kZero, "value = 0 (zeros are disclosive)");
    pass(Rule::kZero, "value <> 0");
  }
  const bool magnitude = kind == CellKind::kSum || kind == CellKind::kMean;
  if (magnitude && contributions) {
    const Contributions& c = *contributions;
    if (rules.dominance_n > 0) {
      double top = 0;
      for (int i = 0; i < rules.dominance_n && i < static_cast<int>(c.top.size()); ++i)
        top += c.top[i];
      const std::string what = c.contributors <= rules.dominance_n
                                   ? "contributors <= " + std::to_string(rules.dominance_n)
                                   : "top " + std::to_string(rules.dominance_n) + " = " +
                                         Band(c.total > 0 ? top / c.total : 0) +
                                         " of total, limit " + Fixed(rules.dominance_k, 0) + "%";
      if (Dominated(c, rules.dominance_n, rules.dominance_k))
        return withhold(Rule::kDominance, what);
      pass(Rule::kDominance, what);
    }
    if (rules.p_ratio > 0) {
      const double ratio = PRatio(c);
      const double x1 = c.top.empty() ? 0 : c.top[0];
      const double x2 = c.top.size() > 1 ? c.top[1] : 0;
      const std::string shares = c.total > 0 ? "x1 = " + Band(x1 / c.total) +
                                                   ", x2 = " + Band(x2 / c.total) + " of total; "
                                             : std::string();
      const std::string what =
          c.contributors == 1
              ? std::string("one contributor")
              : shares + "(T-x1-x2)/x1 " +
                    (std::isinf(ratio) ? std::string("undefined (x1 = 0)")
                                       : std::string(ratio < rules.p_ratio ? "< " : ">= ") +
                                             Fixed(rules.p_ratio, 2));
      if (PRatioFails(c, rules.p_ratio)) return withhold(Rule::kPRatio, what);
      pass(Rule::kPRatio, what);
    }
  }
  if (count_like && rules.redact_at_or_below > 0) {
    const std::string k = std::to_string(rules.redact_at_or_below);
    if (value != 0 && std::fabs(value) <= static_cast<double>(rules.redact_at_or_below))
      return withhold(Rule::kRedacted, "value in 1.." + k);
    pass(Rule::kRedacted, "value not in 1.." + k);
  }
  if (rules.cell_key_perturbation && group.has_cell_key) {
    bool changed = false;
    if (kind == CellKind::kCount) {
      const int64_t p = PerturbCount(cell.i64[row], group.cell_key);
      changed = p != cell.i64[row];
      cell.i64[row] = p;
    } else if (contributions && !contributions->top.empty()) {
      const double x1 = contributions->top[0];
      const double spread = kind == CellKind::kMean && contributions->contributors > 0
                                ? x1 / static_cast<double>(contributions->contributors)
                                : x1;
      const double p = PerturbMagnitude(value, spread, group.cell_key);
      SetMagnitude(cell, row, p);
      changed = Magnitude(cell, row) != value;
    }
    if (changed) out.rule = Rule::kPerturbed;
    out.checks.push_back({Rule::kPerturbed, !changed,
                          changed ? "adjusted by the cell key" : "the cell key left it unchanged"});
  }
  if (count_like && rules.rounding.kind != Rounding::Kind::kNone) {
    const bool changed = RoundInPlace(cell, row, rules.rounding);
    if (changed && out.rule == Rule::kNone) out.rule = Rule::kRounded;
    out.checks.push_back({Rule::kRounded, !changed,
                          rules.rounding.kind == Rounding::Kind::kBase
                              ? "to a multiple of " + std::to_string(rules.rounding.base)
                              : std::string("to midpoint-6")});
  }
  return out;
}

}  // namespace fedgate::disclosure
