#include "planner/exec/ordered_set.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace fedgate::planner::exec {

void OrderedValues::Sort(bool descending) {
  if (sorted_) return;
  std::stable_sort(values_.begin(), values_.end(), [descending](const auto& a, const auto& b) {
    const int c = CompareValues(a.first, b.first);
    return descending ? c > 0 : c < 0;
  });
  sorted_ = true;
}

Value OrderedValues::Result(const AggregateCall& agg) {
  if (result_) return *result_;
  if (values_.empty()) return *(result_ = Value::Null(agg.type));
  Sort(agg.descending);
  const size_t n = values_.size();
  if (agg.fn == "percentile_cont") {
    // As PostgreSQL's percentile_cont_final_common, in double precision.
    const double position = agg.fraction * static_cast<double>(n - 1);
    const auto first = static_cast<size_t>(std::floor(position));
    const auto second = static_cast<size_t>(std::ceil(position));
    const double lo = values_[first].first.AsDouble(), hi = values_[second].first.AsDouble();
    return *(result_ = Value::Double(first == second ? lo : lo + (position - first) * (hi - lo)));
  }
  if (agg.fn == "percentile_disc") {
    // As PostgreSQL's percentile_disc_final: row ceil(f * n), the first for f = 0.
    auto row = static_cast<int64_t>(std::ceil(agg.fraction * static_cast<double>(n)));
    row = std::clamp<int64_t>(row, 1, static_cast<int64_t>(n));
    return *(result_ = values_[static_cast<size_t>(row - 1)].first);
  }
  // mode: the longest run of equal values; the first such run wins a tie.
  size_t best = 0, best_run = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && CompareValues(values_[j].first, values_[i].first) == 0) ++j;
    if (j - i > best_run) {
      best_run = j - i;
      best = i;
    }
    i = j;
  }
  return *(result_ = values_[best].first);
}

int64_t OrderedValues::PersonsAside(const AggregateCall& agg) {
  const Value r = Result(agg);
  if (r.null) return 0;
  std::set<std::string> at_or_below, at_or_above, equal;
  for (const auto& [v, person] : values_) {
    if (!person) continue;
    const std::string key(person->bytes.begin(), person->bytes.end());
    const int c = agg.fn == "percentile_cont" ? (v.AsDouble() < r.d ? -1 : v.AsDouble() > r.d)
                                              : CompareValues(v, r);
    if (c <= 0) at_or_below.insert(key);
    if (c >= 0) at_or_above.insert(key);
    if (c == 0) equal.insert(key);
  }
  if (agg.fn == "mode") return static_cast<int64_t>(equal.size());
  return static_cast<int64_t>(std::min(at_or_below.size(), at_or_above.size()));
}

}  // namespace fedgate::planner::exec
