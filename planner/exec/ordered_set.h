#pragma once

// The state of one ordered-set aggregate in one group (hash_aggregate.cpp): percentile_cont,
// percentile_disc and mode, as PostgreSQL computes them, over every non-NULL value kept with
// the row's person keys (one per person column of the input). Not thread-safe (one group of
// one operator).

#include <optional>
#include <vector>

#include "common/types.h"
#include "planner/bound_expr.h"
#include "planner/value.h"

namespace fedgate::planner::exec {

class OrderedValues {
 public:
  // `persons`: the row's person keys, one per person column (nullopt where NULL). Returns the
  // bytes it now holds for the value (for the memory budget).
  int64_t Add(Value v, std::vector<std::optional<Pseudonym>> persons);
  // PostgreSQL's results (NULL over no values), in PostgreSQL's order (NaN above every other
  // number and equal to itself):
  //   percentile_cont(f): at position f * (n - 1) of the ordered values, interpolated
  //     linearly between the two values around it (double precision);
  //   percentile_disc(f): the first value whose position (1-based) / n reaches f;
  //   mode(): the most frequent value, the first in the ordering among equally frequent ones.
  Value Result(const AggregateCall& agg);
  // For rule 'percentile' (disclosure/cell.h). Per person column: percentiles, the smaller of
  // the numbers of persons with a value at or below the result and at or above it (so a
  // percentile at an end, a minimum or maximum in disguise, counts only those who share
  // that value); mode, the persons holding the modal value. A row whose key in that column is
  // NULL counts as a person of its own. The result is the smallest over the person columns,
  // so a value that every row shares with one person (a cross join with that person) counts
  // as that one person's.
  int64_t PersonsAside(const AggregateCall& agg);

 private:
  struct Entry {
    Value value;
    std::vector<std::optional<Pseudonym>> persons;
  };
  void Sort(bool descending);

  std::vector<Entry> values_;
  size_t person_columns_ = 0;
  bool sorted_ = false;
  std::optional<Value> result_;
};

// PostgreSQL's ordering of two non-NULL values of one type: CompareValues, with a double NaN
// above every other double and equal to itself.
int CompareOrdered(const Value& a, const Value& b);

}  // namespace fedgate::planner::exec
