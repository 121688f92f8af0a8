// The window functions' table (window_functions.h): typing and computing each function over
// one partition, with PostgreSQL's results.

#include "planner/function/window_functions.h"

#include <algorithm>

#include "common/error.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

namespace {

using Partition = WindowPartition;

// --- typing

DataType BigintResult(const std::string&, std::vector<BoundExprPtr>&) {
  return DataType::Int64();
}
DataType DoubleResult(const std::string&, std::vector<BoundExprPtr>&) {
  return DataType::Double();
}

void RequireInteger(const std::string& fn, const BoundExpr& arg, const char* what) {
  if (arg.type.id != TypeId::kInt64 && arg.type.id != TypeId::kNull)
    ThrowInvalid(fn + "'s " + what + " must be an integer, not " + arg.type.ToString());
}

BoundExprPtr Typed(BoundExprPtr e) {
  return e->untyped_literal ? CastTo(std::move(e), DataType::Text()) : std::move(e);
}

DataType NtileType(const std::string& fn, std::vector<BoundExprPtr>& args) {
  RequireInteger(fn, *args[0], "number of buckets");
  return DataType::Int64();
}

// lag/lead(x [, offset [, default]]): default is cast to x's type.
DataType ShiftType(const std::string& fn, std::vector<BoundExprPtr>& args) {
  args[0] = Typed(std::move(args[0]));
  if (args[0]->type.id == TypeId::kPseudonym)
    ThrowInvalid(fn + " of a person key is not supported (it would move a key between rows)");
  if (args.size() > 1) RequireInteger(fn, *args[1], "offset");
  if (args.size() > 2) args[2] = CastTo(std::move(args[2]), args[0]->type);
  return args[0]->type;
}

// first_value, last_value, nth_value(x, n).
DataType FrameValueType(const std::string& fn, std::vector<BoundExprPtr>& args) {
  args[0] = Typed(std::move(args[0]));
  if (args[0]->type.id == TypeId::kPseudonym)
    ThrowInvalid(fn + " of a person key is not supported (it would move a key between rows)");
  if (args.size() > 1) RequireInteger(fn, *args[1], "position");
  return args[0]->type;
}

DataType AggregateResult(const std::string& fn, std::vector<BoundExprPtr>& args) {
  if (!args.empty()) args[0] = Typed(std::move(args[0]));
  return AggregateType(fn, args.empty() ? DataType::Null() : args[0]->type);
}

// --- ranking

void RowNumber(const WindowCall&, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) out[i] = Value::Int(static_cast<int64_t>(i + 1));
}

void Rank(const WindowCall&, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i)
    out[i] = Value::Int(static_cast<int64_t>((*p.group_start)[(*p.group)[i]] + 1));
}

void DenseRank(const WindowCall&, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) out[i] = Value::Int(static_cast<int64_t>((*p.group)[i] + 1));
}

// (rank - 1) / (rows - 1), 0 for a partition of one row.
void PercentRank(const WindowCall&, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) {
    const double rank = static_cast<double>((*p.group_start)[(*p.group)[i]]);
    out[i] = Value::Double(p.size > 1 ? rank / static_cast<double>(p.size - 1) : 0.0);
  }
}

// Rows up to the row's last peer, over rows.
void CumeDist(const WindowCall&, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) {
    const double upto = static_cast<double>((*p.group_start)[(*p.group)[i] + 1]);
    out[i] = Value::Double(upto / static_cast<double>(p.size));
  }
}

// PostgreSQL's ntile: the first rows % n buckets hold one row more than the others; the
// bucket count is read at the partition's first row.
void Ntile(const WindowCall&, const Partition& p, std::vector<Value>& out) {
  if (p.size == 0) return;
  const Value n = p.Arg(0, 0);
  if (n.null) {
    std::fill(out.begin(), out.end(), Value::Null(DataType::Int64()));
    return;
  }
  if (n.i <= 0) ThrowInvalid("argument of ntile must be greater than zero");
  const int64_t rows = static_cast<int64_t>(p.size);
  const int64_t per = rows / n.i, extra = rows % n.i;
  int64_t bucket = 1, left = per + (extra > 0 ? 1 : 0);
  for (size_t i = 0; i < p.size; ++i) {
    if (left == 0) {
      ++bucket;
      left = per + (bucket <= extra ? 1 : 0);
    }
    out[i] = Value::Int(bucket);
    --left;
  }
}

// --- values

// lag (sign -1) and lead (sign +1): the value `offset` rows away in the partition, else the
// default (NULL without one). Offset and default are read at each row, as PostgreSQL does.
void Shift(const WindowCall& call, const Partition& p, std::vector<Value>& out, int sign) {
  for (size_t i = 0; i < p.size; ++i) {
    int64_t offset = 1;
    if (call.args.size() > 1) {
      const Value o = p.Arg(1, i);
      if (o.null) {
        out[i] = Value::Null(call.type);
        continue;
      }
      offset = o.i;
    }
    const int64_t at = static_cast<int64_t>(i) + sign * offset;
    if (at >= 0 && at < static_cast<int64_t>(p.size)) {
      out[i] = p.Arg(0, static_cast<size_t>(at));
    } else {
      out[i] = call.args.size() > 2 ? p.Arg(2, i) : Value::Null(call.type);
    }
  }
}

void Lag(const WindowCall& call, const Partition& p, std::vector<Value>& out) {
  Shift(call, p, out, -1);
}

void Lead(const WindowCall& call, const Partition& p, std::vector<Value>& out) {
  Shift(call, p, out, +1);
}

void FirstValue(const WindowCall& call, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) {
    const size_t s = (*p.frame_start)[i], e = (*p.frame_end)[i];
    out[i] = s < e ? p.Arg(0, s) : Value::Null(call.type);
  }
}

void LastValue(const WindowCall& call, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) {
    const size_t s = (*p.frame_start)[i], e = (*p.frame_end)[i];
    out[i] = s < e ? p.Arg(0, e - 1) : Value::Null(call.type);
  }
}

void NthValue(const WindowCall& call, const Partition& p, std::vector<Value>& out) {
  for (size_t i = 0; i < p.size; ++i) {
    const Value n = p.Arg(1, i);
    if (n.null) {
      out[i] = Value::Null(call.type);
      continue;
    }
    if (n.i <= 0) ThrowInvalid("argument of nth_value must be greater than zero");
    const size_t s = (*p.frame_start)[i], e = (*p.frame_end)[i];
    const uint64_t at = s + static_cast<uint64_t>(n.i) - 1;
    out[i] = s < e && at < e ? p.Arg(0, static_cast<size_t>(at)) : Value::Null(call.type);
  }
}

// --- aggregates over the frame

// The state of one aggregate over a range [start, end) of partition rows. Counts and sums of
// integers and decimals are exact, so rows leave the frame by subtraction; a double sum and
// MIN/MAX are recomputed when the frame's start moves (PostgreSQL does the same: float sums
// have no inverse, as subtracting would drift).
class FrameAggregate {
 public:
  FrameAggregate(const WindowCall& call, const Partition& p) : call_(call), p_(p) {
    star_ = call.fn == "count_star";
    extreme_ = call.fn == "min" || call.fn == "max";
    in_double_ = !star_ && call.args[0]->type.id == TypeId::kDouble;
  }

  Value At(size_t start, size_t end) {
    if (end < start) end = start;
    const bool removable = !extreme_ && !in_double_;
    if (start < start_ || end < end_ || (start > start_ && !removable) || start >= end_) {
      Reset(start);
    }
    while (start_ < start) Remove(start_++);
    while (end_ < end) Add(end_++);
    return Result();
  }

 private:
  void Reset(size_t at) {
    start_ = end_ = at;
    count_ = 0;
    sum_int_ = 0;
    sum_double_ = 0;
    best_ = Value::Null(call_.type);
  }
  void Add(size_t i) {
    if (star_) {
      ++count_;
      return;
    }
    const Value v = p_.Arg(0, i);
    if (v.null) return;
    ++count_;
    if (extreme_) {
      if (best_.null) {
        best_ = v;
      } else {
        const int c = CompareValues(v, best_);
        if (call_.fn == "min" ? c < 0 : c > 0) best_ = v;
      }
    } else if (in_double_) {
      sum_double_ += v.d;
    } else {
      sum_int_ += v.i;
    }
  }
  void Remove(size_t i) {
    if (star_) {
      --count_;
      return;
    }
    const Value v = p_.Arg(0, i);
    if (v.null) return;
    --count_;
    sum_int_ -= v.i;
  }
  Value Result() const {
    if (call_.fn == "count" || star_) return Value::Int(count_);
    if (count_ == 0) return Value::Null(call_.type);
    if (extreme_) return best_;
    const DataType& in = call_.args[0]->type;
    if (call_.fn == "sum") return SumResult(in, sum_int_, sum_double_);
    return MeanResult(in, sum_int_, sum_double_, count_);  // avg
  }

  const WindowCall& call_;
  const Partition& p_;
  bool star_ = false, extreme_ = false, in_double_ = false;
  size_t start_ = 0, end_ = 0;
  int64_t count_ = 0;
  __int128 sum_int_ = 0;
  double sum_double_ = 0;
  Value best_;
};

void Aggregate(const WindowCall& call, const Partition& p, std::vector<Value>& out) {
  FrameAggregate agg(call, p);
  for (size_t i = 0; i < p.size; ++i) out[i] = agg.At((*p.frame_start)[i], (*p.frame_end)[i]);
}

}  // namespace

const std::vector<WindowFunction>& WindowFunctions() {
  static const std::vector<WindowFunction> kTable = {
      {"avg", WindowKind::kAggregate, 1, 1, AggregateResult, Aggregate},
      {"count", WindowKind::kAggregate, 1, 1, AggregateResult, Aggregate},
      {"count_star", WindowKind::kAggregate, 0, 0, AggregateResult, Aggregate},
      {"cume_dist", WindowKind::kRanking, 0, 0, DoubleResult, CumeDist},
      {"dense_rank", WindowKind::kRanking, 0, 0, BigintResult, DenseRank},
      {"first_value", WindowKind::kValue, 1, 1, FrameValueType, FirstValue},
      {"lag", WindowKind::kValue, 1, 3, ShiftType, Lag},
      {"last_value", WindowKind::kValue, 1, 1, FrameValueType, LastValue},
      {"lead", WindowKind::kValue, 1, 3, ShiftType, Lead},
      {"max", WindowKind::kAggregate, 1, 1, AggregateResult, Aggregate},
      {"min", WindowKind::kAggregate, 1, 1, AggregateResult, Aggregate},
      {"nth_value", WindowKind::kValue, 2, 2, FrameValueType, NthValue},
      {"ntile", WindowKind::kRanking, 1, 1, NtileType, Ntile},
      {"percent_rank", WindowKind::kRanking, 0, 0, DoubleResult, PercentRank},
      {"rank", WindowKind::kRanking, 0, 0, BigintResult, Rank},
      {"row_number", WindowKind::kRanking, 0, 0, BigintResult, RowNumber},
      {"sum", WindowKind::kAggregate, 1, 1, AggregateResult, Aggregate},
  };
  return kTable;
}

bool ReadsFrame(const WindowFunction& f) {
  return f.kind == WindowKind::kAggregate || f.name == "first_value" || f.name == "last_value" ||
         f.name == "nth_value";
}

const WindowFunction* FindWindowFunction(std::string_view name) {
  for (const auto& f : WindowFunctions()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace fedgate::planner
