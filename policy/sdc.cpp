#include "policy/sdc.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace fedgate::sdc {

std::string_view CellRuleName(CellRule rule) {
  switch (rule) {
    case CellRule::kNone:
      return "none";
    case CellRule::kThreshold:
      return "threshold";
    case CellRule::kRounded:
      return "rounded";
    case CellRule::kPerturbed:
      return "perturbed";
    case CellRule::kDominance:
      return "dominance";
    case CellRule::kSecondary:
      return "secondary";
  }
  return "unknown";
}

int64_t RoundToBase(int64_t value, int64_t base) {
  if (base <= 1) return value;
  const int64_t sign = value < 0 ? -1 : 1;
  const int64_t m = value * sign;
  return sign * (((m + base / 2) / base) * base);
}

int64_t Midpoint6(int64_t value) {
  if (value <= 0) return value == 0 ? 0 : -Midpoint6(-value);
  return ((value + 5) / 6) * 6 - 3;
}

int64_t ApplyRounding(int64_t value, const Rounding& rounding) {
  switch (rounding.kind) {
    case Rounding::Kind::kNone:
      return value;
    case Rounding::Kind::kBase:
      return RoundToBase(value, rounding.base);
    case Rounding::Kind::kMidpoint6:
      return Midpoint6(value);
  }
  return value;
}

bool Dominated(std::vector<double> contributions, int n, double k) {
  if (n <= 0) return false;
  if (static_cast<int>(contributions.size()) <= n) return true;
  double total = 0;
  for (double c : contributions) total += c;
  if (total <= 0) return false;
  std::partial_sort(contributions.begin(), contributions.begin() + n, contributions.end(),
                    std::greater<double>());
  double top = 0;
  for (int i = 0; i < n; ++i) top += contributions[i];
  return top > k / 100.0 * total;
}

namespace {

// The perturbation table: 256 rows indexed by the cell key; mean zero, values in -2..2
// (P(0) = 1/2, P(+-1) = 3/16 each, P(+-2) = 1/16 each), laid out by a fixed shuffle so that
// neighbouring keys get unrelated adjustments.
int Adjustment(size_t row) {
  // 128 zeros, 48 +1, 48 -1, 16 +2, 16 -2 in a fixed pseudo-random order.
  static const std::vector<int> table = [] {
    std::vector<int> t;
    t.insert(t.end(), 128, 0);
    t.insert(t.end(), 48, 1);
    t.insert(t.end(), 48, -1);
    t.insert(t.end(), 16, 2);
    t.insert(t.end(), 16, -2);
    uint64_t x = 0x9E3779B97F4A7C15ull;  // a fixed seed: the table is part of the method
    for (size_t i = t.size() - 1; i > 0; --i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::swap(t[i], t[x % (i + 1)]);
    }
    return t;
  }();
  return table[row % table.size()];
}

}  // namespace

int64_t PerturbCount(int64_t count, double record_key_sum) {
  if (count <= 0) return count;
  double cell_key = record_key_sum - std::floor(record_key_sum);
  size_t row = static_cast<size_t>(cell_key * 256.0);
  int64_t adjusted = count + Adjustment(std::min<size_t>(row, 255));
  return adjusted < 1 ? 1 : adjusted;  // a non-empty cell never shows as empty or negative
}

double RecordKey(const uint8_t bytes[8]) {
  uint64_t v;
  std::memcpy(&v, bytes, 8);
  return static_cast<double>(v >> 11) / static_cast<double>(uint64_t{1} << 53);
}

int SecondarySuppress(const std::vector<std::vector<double>>& cells,
                      std::vector<std::vector<bool>>& suppressed) {
  const size_t rows = cells.size();
  const size_t cols = rows ? cells[0].size() : 0;
  int added = 0;
  // A line is a row or a column (margins included); each has its total in its last cell.
  auto fix_line = [&](bool is_row, size_t index) {
    const size_t n = is_row ? cols : rows;
    auto cell = [&](size_t i) -> std::pair<size_t, size_t> {
      return is_row ? std::pair{index, i} : std::pair{i, index};
    };
    int count = 0;
    for (size_t i = 0; i < n; ++i) {
      auto [r, c] = cell(i);
      count += suppressed[r][c];
    }
    if (count != 1) return false;
    // Suppress the smallest other cell of the line (a detail cell before the total).
    size_t best = n;
    double best_value = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i + 1 < n; ++i) {
      auto [r, c] = cell(i);
      if (!suppressed[r][c] && cells[r][c] < best_value) {
        best_value = cells[r][c];
        best = i;
      }
    }
    if (best == n) best = n - 1;  // only the total is left
    auto [r, c] = cell(best);
    suppressed[r][c] = true;
    ++added;
    return true;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t r = 0; r < rows; ++r) changed |= fix_line(true, r);
    for (size_t c = 0; c < cols; ++c) changed |= fix_line(false, c);
  }
  return added;
}

}  // namespace fedgate::sdc
