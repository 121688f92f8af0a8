// Nanoseconds per key of the linkage pseudonym (issue 18 "fast pseudonyms"): HMAC-SHA256 of a
// normalised NHS number by the fast path (two compressions from precomputed key states) and by
// OpenSSL's EVP interface, and the whole FromRaw (normalise, Modulus 11, HMAC).
//   build/release/bench/fedgate_pseudonym_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/nhs_number.h"
#include "common/pseudonymiser.h"

namespace {

// Valid NHS numbers (Modulus 11), as a source holds them, some with spaces.
const std::vector<std::string>& Numbers() {
  static const std::vector<std::string> numbers = [] {
    std::vector<std::string> out;
    for (uint64_t n = 400000000; out.size() < 100000; ++n) {
      std::string nine = std::to_string(n);
      int sum = 0;
      for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * (10 - i);
      const int check = 11 - sum % 11;
      if (check == 10) continue;
      std::string ten = nine + std::to_string(check == 11 ? 0 : check);
      if (out.size() % 4 == 0)
        ten = ten.substr(0, 3) + " " + ten.substr(3, 3) + " " + ten.substr(6);
      out.push_back(ten);
    }
    return out;
  }();
  return numbers;
}

std::vector<std::string> Normalised() {
  std::vector<std::string> out;
  for (const auto& n : Numbers()) out.push_back(*fedgate::NormaliseNhsNumber(n));
  return out;
}

// One call per iteration over `keys`, in turn.
template <typename Call>
void Run(benchmark::State& state, const std::vector<std::string>& keys, Call call) {
  fedgate::Pseudonymiser p("bench-linkage-secret", "bench-dsa");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(call(p, keys[i]));
    if (++i == keys.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HmacFast(benchmark::State& state) {
  Run(state, Normalised(),
      [](const fedgate::Pseudonymiser& p, const std::string& k) { return p.FromNormalised(k); });
}
BENCHMARK(BM_HmacFast);

void BM_HmacEvp(benchmark::State& state) {
  Run(state, Normalised(),
      [](const fedgate::Pseudonymiser& p, const std::string& k) { return p.FromNormalisedEvp(k); });
}
BENCHMARK(BM_HmacEvp);

void BM_FromRaw(benchmark::State& state) {
  Run(state, Numbers(),
      [](const fedgate::Pseudonymiser& p, const std::string& k) { return p.FromRaw(k); });
}
BENCHMARK(BM_FromRaw);

}  // namespace

BENCHMARK_MAIN();
