#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Statistical disclosure control arithmetic: the rules a DSA can switch on, as pure functions
// with no knowledge of plans or queries (the engine applies them; policy/ configures them).
// REFERENCE.md "Statistical disclosure control" gives the sources.
namespace fedgate::sdc {

// How counts are rounded before release.
struct Rounding {
  enum class Kind { kNone, kBase, kMidpoint6 };
  Kind kind = Kind::kNone;
  int64_t base = 5;  // kBase only
};

// What a DSA asks of every released table.
struct Rules {
  int64_t min_persons = 10;  // fewer distinct persons in a group: the group is withheld
  Rounding rounding;         // applied to counts
  bool cell_key_perturbation = false;
  int dominance_n = 0;            // (n,k) dominance on sums; n == 0: off
  double dominance_k = 0;         // percent
  bool extremes_allowed = false;  // MIN/MAX of person-level values
};

// Why a released cell differs from the computed one. Codes are stable (they go into audit
// records and responses).
enum class CellRule : uint8_t {
  kNone = 0,
  kThreshold = 1,  // withheld: fewer than min_persons persons
  kRounded = 2,    // count rounded to the base, or to midpoint-6
  kPerturbed = 3,  // count adjusted by the cell-key method (then rounded when rounding is on)
  kDominance = 4,  // withheld: the n largest contributors make up more than k% of the total
  kSecondary = 5,  // withheld so that a withheld cell cannot be recovered from totals
};
std::string_view CellRuleName(CellRule rule);

// Nearest multiple of `base` (halves away from zero).
int64_t RoundToBase(int64_t value, int64_t base);
// OpenSAFELY's midpoint-6: 0 -> 0; otherwise ceil(x/6)*6 - 3 (1..6 -> 3, 7..12 -> 9, ...).
int64_t Midpoint6(int64_t value);
int64_t ApplyRounding(int64_t value, const Rounding& rounding);

// True when the n largest contributions make up more than k% of the total
// (x1 + ... + xn > k/100 * T). Contributions are per person and non-negative; a cell with at
// most n contributors is always dominated.
bool Dominated(std::vector<double> contributions, int n, double k);

// The cell-key method (ABS TableBuilder): `record_key_sum` is the sum of the cell's persons'
// record keys (each in [0, 1)); the cell key is its fractional part. The adjustment comes from
// a fixed table indexed by the cell key, with a mean of zero, and never makes a count
// negative. Same cell, same answer.
int64_t PerturbCount(int64_t count, double record_key_sum);
// A person's record key in [0, 1), from 8 bytes of a keyed hash of the pseudonym.
double RecordKey(const uint8_t bytes[8]);

// Secondary suppression for a two-way table with margins. `cells` is (rows+1) x (cols+1):
// the last row and column are the margins (totals), the corner the grand total. `suppressed`
// marks the primarily suppressed cells (same shape). Adds complementary suppressions (the
// smallest unsuppressed cell of the line) until every row and column, margins included, has
// none or at least two suppressed cells, so that no suppressed cell can be recovered by
// subtraction. Returns the number of cells added.
int SecondarySuppress(const std::vector<std::vector<double>>& cells,
                      std::vector<std::vector<bool>>& suppressed);

}  // namespace fedgate::sdc
