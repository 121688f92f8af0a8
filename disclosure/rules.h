#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// What a DSA asks of every released table, and the names of the rules that can change a
// cell. Plain data: policy/ fills it from the DSA file, the rest of disclosure/ applies it.
// REFERENCE.md "Statistical disclosure control" and "Automated output checking" give the
// sources; disclosure/README.md says where each rule is decided.
namespace fedgate::disclosure {

// How counts (and sums, which are often counts in disguise) are rounded before release.
struct Rounding {
  enum class Kind { kNone, kBase, kMidpoint6 };
  Kind kind = Kind::kNone;
  int64_t base = 5;  // kBase only
};

struct Rules {
  int64_t min_persons = 10;  // fewer distinct persons in a group: the group is withheld
  Rounding rounding;         // applied to counts and sums
  // OpenSAFELY's redact-then-round: counts and sums in 1..N are withheld (0: off), the rest
  // rounded, and totals of a table with margins are the sums of its released cells.
  int64_t redact_at_or_below = 0;
  bool cell_key_perturbation = false;
  int dominance_n = 0;            // (n,k) dominance on sums and means; n == 0: off
  double dominance_k = 0;         // percent
  double p_ratio = 0;             // p% rule: withheld when (T - x1 - x2) / x1 < p; 0: off
  bool zeros_disclosive = false;  // a zero count or sum in a released group is withheld
  int64_t mean_min_persons = 0;   // means of fewer persons are withheld (0: min_persons)
  bool extremes_allowed = false;  // MIN/MAX of person-level values
  // Ordered-set aggregates (percentile_cont, percentile_disc, mode, median) at the output:
  // allowed, and then each released value needs at least percentile_min_persons distinct
  // persons at or below it and as many at or above it (mode: holding it); 0: min_persons.
  bool percentiles_allowed = true;
  int64_t percentile_min_persons = 0;
  // Records without a person key (no valid NHS number: they cannot be linked): when true
  // (`output.unlinked_records: count`), each counts as one person of its own for the
  // threshold of a count(*) cell, so the number of unlinkable records of a group can be
  // released (rounded like any count); every other cell (sums, means, count(DISTINCT),
  // percentiles) counts persons only. False (`exclude`, the default): they count as no one.
  bool unlinked_records_count = false;
  int64_t PercentilePersons() const {
    return percentile_min_persons > 0 ? percentile_min_persons : min_persons;
  }

  // The largest person count any rule compares with: groups count persons up to it.
  int64_t PersonsNeeded() const;
  // Whether per-person contributions must be kept for the sums and means of an output
  // aggregate (dominance, p%, or the cell-key perturbation of magnitudes).
  bool NeedsContributions() const;
  // How many of the largest contributions the rules read (0: none).
  int TopContributions() const;
  // The rules in plain words ("min_persons 10 at every aggregation level; ...").
  std::string Describe() const;
  // The rules in one EXPLAIN line ("min_persons=10 round=5 cell-key ...").
  std::string Label() const;
};

// Why a released cell differs from the computed one, or the rule a check is named after.
// Codes are stable: they go into audit records and responses.
enum class Rule : uint8_t {
  kNone = 0,
  kThreshold = 1,    // withheld: fewer than min_persons persons
  kRounded = 2,      // rounded to the base, or to midpoint-6
  kPerturbed = 3,    // adjusted by the cell-key method (then rounded when rounding is on)
  kDominance = 4,    // withheld: the n largest contributors make up more than k% of the total
  kSecondary = 5,    // withheld so that a withheld cell cannot be recovered from totals
  kPRatio = 6,       // withheld: the others' share would let the largest estimate the second
  kZero = 7,         // withheld: a zero count of a group (zeros disclosive)
  kRedacted = 8,     // withheld: a count in 1..redact_at_or_below
  kMean = 9,         // withheld: a mean of fewer than mean_min_persons persons
  kSummed = 10,      // a total shown as the sum of its released cells
  kPercentile = 11,  // withheld: fewer than the percentile persons on a side of the value
};
std::string_view RuleName(Rule rule);
// True for the rules whose cells are withheld (NULL), false for those that adjust them.
bool Withholds(Rule rule);

// What an aggregate cell is to the rules.
enum class CellKind : uint8_t {
  kCount,       // count(*), count(x), count(DISTINCT x): thresholded, perturbed, rounded
  kSum,         // sum(x): rounded like a count, checked for dominance and p%, perturbed
  kMean,        // avg(x): checked for dominance, p% and mean_min_persons, perturbed
  kOther,       // min/max where allowed: thresholded only
  kPercentile,  // percentile_cont, percentile_disc, mode: thresholded, persons on each side
};
CellKind KindOfAggregate(std::string_view function);

}  // namespace fedgate::disclosure
