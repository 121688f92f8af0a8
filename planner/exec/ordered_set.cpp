#include "planner/exec/ordered_set.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace fedgate::planner::exec {

int CompareOrdered(const Value& a, const Value& b) {
  if (a.type.id == TypeId::kDouble || b.type.id == TypeId::kDouble) {
    const bool an = a.type.id == TypeId::kDouble && std::isnan(a.d);
    const bool bn = b.type.id == TypeId::kDouble && std::isnan(b.d);
    if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  }
  return CompareValues(a, b);
}

int64_t OrderedValues::Add(Value v, std::vector<std::optional<Pseudonym>> persons) {
  person_columns_ = std::max(person_columns_, persons.size());
  const int64_t bytes = static_cast<int64_t>(sizeof(Entry) + v.s.size() +
                                             persons.size() * sizeof(std::optional<Pseudonym>));
  values_.push_back({std::move(v), std::move(persons)});
  sorted_ = false;
  result_.reset();
  return bytes;
}

void OrderedValues::Sort(bool descending) {
  if (sorted_) return;
  std::stable_sort(values_.begin(), values_.end(), [descending](const Entry& a, const Entry& b) {
    const int c = CompareOrdered(a.value, b.value);
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
    const double lo = values_[first].value.AsDouble(), hi = values_[second].value.AsDouble();
    return *(result_ = Value::Double(first == second ? lo : lo + (position - first) * (hi - lo)));
  }
  if (agg.fn == "percentile_disc") {
    // As PostgreSQL's percentile_disc_final: row ceil(f * n), the first for f = 0.
    auto row = static_cast<int64_t>(std::ceil(agg.fraction * static_cast<double>(n)));
    row = std::clamp<int64_t>(row, 1, static_cast<int64_t>(n));
    return *(result_ = values_[static_cast<size_t>(row - 1)].value);
  }
  // mode: the longest run of equal values; the first such run wins a tie.
  size_t best = 0, best_run = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && CompareOrdered(values_[j].value, values_[i].value) == 0) ++j;
    if (j - i > best_run) {
      best_run = j - i;
      best = i;
    }
    i = j;
  }
  return *(result_ = values_[best].value);
}

int64_t OrderedValues::PersonsAside(const AggregateCall& agg) {
  const Value r = Result(agg);
  if (r.null) return 0;
  const bool cont = agg.fn == "percentile_cont";
  std::vector<int> side(values_.size());  // each value against the result
  for (size_t i = 0; i < values_.size(); ++i)
    side[i] = cont ? CompareOrdered(Value::Double(values_[i].value.AsDouble()), r)
                   : CompareOrdered(values_[i].value, r);
  int64_t out = -1;
  for (size_t c = 0; c < std::max<size_t>(person_columns_, 1); ++c) {
    std::unordered_set<Pseudonym, PseudonymHash> at_or_below, at_or_above, equal;
    int64_t anon_below = 0, anon_above = 0, anon_equal = 0;
    for (size_t i = 0; i < values_.size(); ++i) {
      const auto& persons = values_[i].persons;
      const std::optional<Pseudonym>* p = c < persons.size() ? &persons[c] : nullptr;
      const bool known = p && p->has_value();
      if (side[i] <= 0) known ? (void)at_or_below.insert(**p) : (void)++anon_below;
      if (side[i] >= 0) known ? (void)at_or_above.insert(**p) : (void)++anon_above;
      if (side[i] == 0) known ? (void)equal.insert(**p) : (void)++anon_equal;
    }
    const int64_t below = static_cast<int64_t>(at_or_below.size()) + anon_below;
    const int64_t above = static_cast<int64_t>(at_or_above.size()) + anon_above;
    const int64_t here =
        agg.fn == "mode" ? static_cast<int64_t>(equal.size()) + anon_equal : std::min(below, above);
    out = out < 0 ? here : std::min(out, here);
  }
  return std::max<int64_t>(out, 0);
}

}  // namespace fedgate::planner::exec
