#include "disclosure/rules.h"

#include <algorithm>
#include <cstdio>

namespace fedgate::disclosure {

namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

int64_t Rules::PersonsNeeded() const {
  return std::max(min_persons, mean_min_persons);
}

bool Rules::NeedsContributions() const {
  return dominance_n > 0 || p_ratio > 0 || cell_key_perturbation;
}

int Rules::TopContributions() const {
  if (!NeedsContributions()) return 0;
  return std::max(dominance_n, 2);
}

std::string Rules::Describe() const {
  std::string out = "min_persons " + std::to_string(min_persons) + " at every aggregation level";
  if (redact_at_or_below > 0)
    out += "; counts and sums of " + std::to_string(redact_at_or_below) +
           " or less withheld, totals shown as sums of the released cells";
  if (rounding.kind == Rounding::Kind::kBase)
    out += "; counts and sums rounded to the nearest " + std::to_string(rounding.base);
  if (rounding.kind == Rounding::Kind::kMidpoint6) out += "; counts and sums shown as midpoint-6";
  if (cell_key_perturbation) out += "; counts, sums and means perturbed by the cell-key method";
  if (dominance_n > 0) {
    out += "; sums withheld when " + std::to_string(dominance_n) + " persons make up more than " +
           Number(dominance_k) + "%";
  }
  if (p_ratio > 0)
    out += "; sums withheld when the rest are less than " + Number(p_ratio * 100) +
           "% of the largest (p% rule)";
  if (zeros_disclosive) out += "; zero counts withheld";
  if (mean_min_persons > min_persons)
    out += "; means of fewer than " + std::to_string(mean_min_persons) + " persons withheld";
  out += extremes_allowed ? "; MIN/MAX allowed" : "; MIN/MAX of person-level values refused";
  out += percentiles_allowed ? "; percentiles and modes released with at least " +
                                   std::to_string(PercentilePersons()) +
                                   " persons at or below the value and as many at or above it"
                             : "; percentiles and modes of person-level values refused";
  out += unlinked_records_count
             ? "; in count(*), each record without a valid NHS number counts as a person"
             : "; records without a valid NHS number count as no person";
  return out;
}

std::string Rules::Label() const {
  std::string line = "min_persons=" + std::to_string(min_persons);
  if (redact_at_or_below > 0) line += " redact<=" + std::to_string(redact_at_or_below);
  if (rounding.kind == Rounding::Kind::kBase) line += " round=" + std::to_string(rounding.base);
  if (rounding.kind == Rounding::Kind::kMidpoint6) line += " midpoint-6";
  if (cell_key_perturbation) line += " cell-key";
  if (dominance_n > 0)
    line += " dominance=(" + std::to_string(dominance_n) + "," + Number(dominance_k) + ")";
  if (p_ratio > 0) line += " p=" + Number(p_ratio);
  if (zeros_disclosive) line += " zeros";
  if (mean_min_persons > min_persons) line += " mean_persons=" + std::to_string(mean_min_persons);
  line += percentiles_allowed ? " percentile_persons=" + std::to_string(PercentilePersons())
                              : " no-percentiles";
  if (unlinked_records_count) line += " unlinked=count";
  return line;
}

std::string_view RuleName(Rule rule) {
  switch (rule) {
    case Rule::kNone:
      return "none";
    case Rule::kThreshold:
      return "threshold";
    case Rule::kRounded:
      return "rounded";
    case Rule::kPerturbed:
      return "perturbed";
    case Rule::kDominance:
      return "dominance";
    case Rule::kSecondary:
      return "secondary";
    case Rule::kPRatio:
      return "p-ratio";
    case Rule::kZero:
      return "zero";
    case Rule::kRedacted:
      return "redacted";
    case Rule::kMean:
      return "mean-persons";
    case Rule::kSummed:
      return "summed";
    case Rule::kPercentile:
      return "percentile";
  }
  return "unknown";
}

bool Withholds(Rule rule) {
  switch (rule) {
    case Rule::kThreshold:
    case Rule::kDominance:
    case Rule::kSecondary:
    case Rule::kPRatio:
    case Rule::kZero:
    case Rule::kRedacted:
    case Rule::kMean:
    case Rule::kPercentile:
      return true;
    case Rule::kNone:
    case Rule::kRounded:
    case Rule::kPerturbed:
    case Rule::kSummed:
      return false;
  }
  return false;
}

CellKind KindOfAggregate(std::string_view function) {
  if (function == "count" || function == "count_star") return CellKind::kCount;
  if (function == "sum") return CellKind::kSum;
  if (function == "avg") return CellKind::kMean;
  if (function == "percentile_cont" || function == "percentile_disc" || function == "mode")
    return CellKind::kPercentile;
  return CellKind::kOther;
}

}  // namespace fedgate::disclosure
