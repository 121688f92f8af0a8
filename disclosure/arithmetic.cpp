#include "disclosure/arithmetic.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace fedgate::disclosure {

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

Contributions ContributionsOf(std::vector<double> values, int top) {
  Contributions c;
  for (double& v : values) {
    v = std::fabs(v);
    c.total += v;
  }
  c.contributors = static_cast<int64_t>(values.size());
  const size_t k = std::min(values.size(), static_cast<size_t>(std::max(top, 0)));
  std::partial_sort(values.begin(), values.begin() + k, values.end(), std::greater<double>());
  c.top.assign(values.begin(), values.begin() + k);
  return c;
}

bool Dominated(const Contributions& c, int n, double k) {
  if (n <= 0) return false;
  if (c.contributors <= n) return true;
  if (c.total <= 0) return false;
  double top = 0;
  for (int i = 0; i < n && i < static_cast<int>(c.top.size()); ++i) top += c.top[i];
  return top > k / 100.0 * c.total;
}

double PRatio(const Contributions& c) {
  const double x1 = c.top.empty() ? 0 : c.top[0];
  const double x2 = c.top.size() > 1 ? c.top[1] : 0;
  if (x1 <= 0) return std::numeric_limits<double>::infinity();
  return std::max(0.0, c.total - x1 - x2) / x1;
}

bool PRatioFails(const Contributions& c, double p) {
  if (p <= 0) return false;
  if (c.contributors == 1) return true;
  return PRatio(c) < p;
}

namespace {

// The perturbation table: 352 rows, uniform over -5..5 (32 rows each), laid out by a fixed
// shuffle so that neighbouring keys get unrelated adjustments. Uniform, because what a
// differencing attacker gains is the total variation between the noise and the noise
// shifted by one person, which for a given range is least when uniform: 1/11 here, so an
// attacker who knows everything else is right at most 54.5% of the time on a yes/no question
// (tests/policy/differencing_test.cpp measures it).
const std::vector<int>& Table() {
  static const std::vector<int> table = [] {
    std::vector<int> t;
    for (int v = -5; v <= 5; ++v) t.insert(t.end(), 32, v);
    uint64_t x = 0x9E3779B97F4A7C15ull;  // a fixed seed: the table is part of the method
    for (size_t i = t.size() - 1; i > 0; --i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::swap(t[i], t[x % (i + 1)]);
    }
    return t;
  }();
  return table;
}

double Fraction(double v) {
  return v - std::floor(v);
}

}  // namespace

double CellKey(double record_key_sum, double definition_key) {
  return Fraction(Fraction(record_key_sum) + definition_key);
}

int Adjustment(double cell_key) {
  const auto& t = Table();
  size_t row = static_cast<size_t>(Fraction(cell_key) * static_cast<double>(t.size()));
  return t[std::min(row, t.size() - 1)];
}

int64_t PerturbCount(int64_t count, double cell_key) {
  if (count <= 0) return count;
  int64_t adjusted = count + Adjustment(cell_key);
  return adjusted < 1 ? 1 : adjusted;  // a non-empty cell never shows as empty or negative
}

double PerturbMagnitude(double total, double largest, double cell_key) {
  // A second draw from the same key: the golden-ratio step moves it to an unrelated row.
  const int a = Adjustment(Fraction(cell_key + 0.6180339887498949));
  return total + largest * a / 5.0;
}

double UnitInterval(const uint8_t bytes[8]) {
  uint64_t v;
  std::memcpy(&v, bytes, 8);
  return static_cast<double>(v >> 11) / static_cast<double>(uint64_t{1} << 53);
}

double DefinitionKey(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  uint8_t bytes[8];
  std::memcpy(bytes, &h, 8);
  return UnitInterval(bytes);
}

}  // namespace fedgate::disclosure
