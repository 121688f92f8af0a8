#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "engine/query_engine.h"

namespace fedgate::gateway {

// Counters for GET /metrics (Prometheus text format): queries by outcome, a latency
// histogram, rows fetched per source, and cells changed per disclosure rule. Thread-safe.
class Metrics {
 public:
  void Released(const engine::QueryResult& result);
  void Failed(const std::string& outcome, double seconds);  // "refused" or "failed"
  std::string Render() const;

 private:
  static constexpr std::array<double, 9> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  void Observe(double seconds);

  mutable std::mutex mu_;
  std::map<std::string, int64_t> queries_;  // by outcome
  std::array<int64_t, kBuckets.size() + 1> latency_{};
  double latency_sum_ = 0;
  int64_t latency_count_ = 0;
  std::map<std::string, int64_t> source_rows_;
  std::map<std::string, int64_t> cells_by_rule_;
};

}  // namespace fedgate::gateway
