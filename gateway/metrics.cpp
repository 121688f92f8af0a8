#include "gateway/metrics.h"

#include <sstream>

namespace fedgate::gateway {

void Metrics::Observe(double seconds) {
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++latency_[i];
  latency_sum_ += seconds;
  ++latency_count_;
}

void Metrics::Released(const engine::QueryResult& r) {
  std::lock_guard lock(mu_);
  ++queries_["released"];
  Observe(r.seconds);
  for (const auto& f : r.fragments) source_rows_[f.source] += f.rows;
  for (const auto& [rule, n] : r.disclosure.rule_counts) cells_by_rule_[rule] += n;
}

void Metrics::Failed(const std::string& outcome, double seconds) {
  std::lock_guard lock(mu_);
  ++queries_[outcome];
  Observe(seconds);
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  out << "# HELP fedgate_queries_total Queries by outcome.\n# TYPE fedgate_queries_total counter\n";
  for (const char* o : {"released", "refused", "failed"}) {
    auto it = queries_.find(o);
    out << "fedgate_queries_total{outcome=\"" << o << "\"} "
        << (it == queries_.end() ? 0 : it->second) << "\n";
  }
  out << "# HELP fedgate_query_seconds Query latency.\n# TYPE fedgate_query_seconds histogram\n";
  int64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_[i];
    out << "fedgate_query_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += latency_[kBuckets.size()];
  out << "fedgate_query_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
  out << "fedgate_query_seconds_sum " << latency_sum_ << "\nfedgate_query_seconds_count "
      << latency_count_ << "\n";
  out << "# HELP fedgate_source_rows_total Rows fetched from each source.\n# TYPE "
         "fedgate_source_rows_total counter\n";
  for (const auto& [s, n] : source_rows_)
    out << "fedgate_source_rows_total{source=\"" << s << "\"} " << n << "\n";
  out << "# HELP fedgate_disclosure_cells_total Released cells changed by each disclosure rule.\n"
         "# TYPE fedgate_disclosure_cells_total counter\n";
  for (const auto& [r, n] : cells_by_rule_)
    out << "fedgate_disclosure_cells_total{rule=\"" << r << "\"} " << n << "\n";
  return out.str();
}

}  // namespace fedgate::gateway
