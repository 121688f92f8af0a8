#pragma once

// The state of one ordered-set aggregate in one group (hash_aggregate.cpp): percentile_cont,
// percentile_disc and mode, as PostgreSQL computes them, over every non-NULL value kept with
// its person (when the row has one). Not thread-safe (one group of one operator).

#include <optional>
#include <utility>
#include <vector>

#include "common/types.h"
#include "planner/bound_expr.h"
#include "planner/value.h"

namespace fedgate::planner::exec {

class OrderedValues {
 public:
  void Add(Value v, const Pseudonym* person) {
    values_.push_back({std::move(v), person ? std::optional<Pseudonym>(*person) : std::nullopt});
  }
  // PostgreSQL's results (NULL over no values):
  //   percentile_cont(f): at position f * (n - 1) of the ordered values, interpolated
  //     linearly between the two values around it (double precision);
  //   percentile_disc(f): the first value whose position (1-based) / n reaches f;
  //   mode(): the most frequent value, the first in the ordering among equally frequent ones.
  Value Result(const AggregateCall& agg);
  // For rule 'percentile' (disclosure/cell.h): percentiles, the smaller of the numbers of
  // distinct persons with a value at or below the result and at or above it (so a percentile
  // at an end, a minimum or maximum in disguise, counts only the persons who share that
  // value); mode, the distinct persons with the modal value. Rows without a person count for
  // no one.
  int64_t PersonsAside(const AggregateCall& agg);

 private:
  void Sort(bool descending);

  std::vector<std::pair<Value, std::optional<Pseudonym>>> values_;
  bool sorted_ = false;
  std::optional<Value> result_;
};

}  // namespace fedgate::planner::exec
