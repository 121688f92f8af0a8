#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "disclosure/rules.h"

// The arithmetic of the disclosure rules, as pure functions with no knowledge of plans or
// queries: rounding, the sensitivity rules for magnitudes, the cell-key perturbation.
namespace fedgate::disclosure {

// Nearest multiple of `base` (halves away from zero).
int64_t RoundToBase(int64_t value, int64_t base);
// OpenSAFELY's midpoint-6: 0 -> 0; otherwise ceil(x/6)*6 - 3 (1..6 -> 3, 7..12 -> 9, ...).
int64_t Midpoint6(int64_t value);
int64_t ApplyRounding(int64_t value, const Rounding& rounding);

// What the sensitivity rules read of a magnitude cell: per-person contributions (absolute
// values), of which the largest few in descending order, their total and how many persons
// contributed.
struct Contributions {
  int64_t contributors = 0;
  double total = 0;
  std::vector<double> top;  // descending; at most the rules' TopContributions()
};

// (n,k) dominance: the n largest make up more than k% of the total (x1 + ... + xn > k/100 T).
// A cell with at most n contributors is always dominated.
bool Dominated(const Contributions& c, int n, double k);
// The contributions of a list of per-person values, keeping the `top` largest.
Contributions ContributionsOf(std::vector<double> values, int top);
// The p% rule (ACRO's p-ratio): (T - x1 - x2) / x1 < p, so the second largest contributor
// could estimate the largest within p. A cell of one contributor always fails; p <= 0: off.
bool PRatioFails(const Contributions& c, double p);
// The p% rule's ratio (T - x1 - x2) / x1 (infinite when x1 is 0).
double PRatio(const Contributions& c);

// The cell-key method (ABS TableBuilder, with fedgate's seeding): a cell's key in [0, 1) is
// the fractional part of the sum of its persons' record keys plus a value fixed by the
// cell's definition (`definition_key`, from the canonical query and the cell's group), so
// the same cell asked again, or by equivalent SQL, gets the same key, while two cells that
// differ by one person, or are defined differently, get unrelated keys.
double CellKey(double record_key_sum, double definition_key);
// The perturbation table: an integer in -5..5 from the cell key (each with probability
// 1/11; mean zero).
int Adjustment(double cell_key);
// A count adjusted by the table; never made zero or negative. 0 stays 0.
int64_t PerturbCount(int64_t count, double cell_key);
// A magnitude (sum) adjusted by up to the largest contribution: T + x1 * adjustment / 5,
// from a second key drawn from the cell key, so counts and sums of one cell move apart.
double PerturbMagnitude(double total, double largest, double cell_key);
// A value in [0, 1) from 8 bytes of a keyed hash (a person's record key, a definition key).
double UnitInterval(const uint8_t bytes[8]);
// The definition key from a text (FNV-1a 64 mixed): not secret, only well spread.
double DefinitionKey(std::string_view text);

}  // namespace fedgate::disclosure
