#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace fedgate::datagen {

// A small, fast, deterministic generator (SplitMix64). Every stream of random numbers in
// the generator is derived from (seed, stream id, person index), so the data does not depend
// on thread scheduling or on the order tables are written in.
class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}

  static uint64_t Mix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  static Rng For(uint64_t seed, uint64_t stream, uint64_t index) {
    return Rng(Mix(Mix(seed) ^ Mix(stream * 0x632be59bd9b4e019ull) ^ Mix(index + 0x1234567ull)));
  }

  uint64_t Next() { return Mix(state_++); }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform whole number in [lo, hi].
  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform() * static_cast<double>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    double u1 = Uniform(), u2 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  // exp(N(log(median), sigma)).
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 40) {
      double v = std::round(Normal(lambda, std::sqrt(lambda)));
      return v < 0 ? 0 : static_cast<int>(v);
    }
    double limit = std::exp(-lambda), p = 1.0;
    int k = 0;
    do {
      ++k;
      p *= Uniform();
    } while (p > limit);
    return k - 1;
  }
  // Index drawn with probability proportional to its weight.
  template <typename Weights>
  size_t Pick(const Weights& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double r = Uniform() * total;
    size_t i = 0;
    for (double w : weights) {
      if (r < w) return i;
      r -= w;
      ++i;
    }
    return i - 1;
  }
  size_t Pick(std::initializer_list<double> weights) {
    return Pick<std::initializer_list<double>>(weights);
  }

 private:
  uint64_t state_;
};

}  // namespace fedgate::datagen
