// Window functions (kWindow): every input row in memory (within the budget), sorted by the
// window's PARTITION BY and ORDER BY; per partition, the peer groups and each call's frames,
// then each call computed by its row of the window-function table
// (planner/function/window_functions.h). Output: the input's rows, in window order, with one
// column per call.
#include <algorithm>
#include <numeric>

#include "common/error.h"
#include "planner/exec/evaluate.h"
#include "planner/exec/operators.h"
#include "planner/exec/ordered_set.h"
#include "planner/function/window_functions.h"

namespace fedgate::planner::exec {

namespace {

using Bound = WindowFrame::Bound;
using Mode = WindowFrame::Mode;

// A RANGE key or offset as a number on one scale: numbers by value (decimals unscaled, and
// their offsets on the key's scale), dates in days, timestamps in microseconds. Exact for
// every integer a source holds (a long double has a 64-bit mantissa).
long double RangeKey(const Value& v, const DataType& key) {
  if (v.type.id == TypeId::kInterval)
    return static_cast<long double>(v.iv.days) *
               (key.id == TypeId::kTimestamp ? 86400000000.0L : 1.0L) +
           static_cast<long double>(v.iv.micros);
  if (v.type.id == TypeId::kDouble) {
    long double d = v.d;
    if (key.id == TypeId::kDecimal) d *= static_cast<long double>(Pow10(key.scale));
    return d;
  }
  long double x = static_cast<long double>(v.i);
  const int from = v.type.id == TypeId::kDecimal ? v.type.scale : 0;
  const int to = key.id == TypeId::kDecimal ? key.scale : 0;
  if (to > from) x *= static_cast<long double>(Pow10(to - from));
  if (from > to) x /= static_cast<long double>(Pow10(from - to));
  return x;
}

class WindowOperator : public Operator {
 public:
  WindowOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  ~WindowOperator() override { ctx_.memory->Release(reserved_); }
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    if (!computed_) Compute();
    if (position_ >= order_.size()) return false;
    const size_t end = std::min(order_.size(), position_ + kBatchRows);
    const size_t inputs = all_.columns.size();
    out.columns.assign(inputs + results_.size(), Column());
    for (size_t c = 0; c < inputs; ++c) {
      out.columns[c].type = all_.columns[c].type;
      for (size_t i = position_; i < end; ++i)
        out.columns[c].AppendFrom(all_.columns[c], order_[i]);
    }
    for (size_t w = 0; w < results_.size(); ++w) {
      Column& col = out.columns[inputs + w];
      col.type = op_.windows[w].type;
      for (size_t i = position_; i < end; ++i) col.AppendFrom(results_[w], i);
    }
    out.rows = end - position_;
    position_ = end;
    return true;
  }

 private:
  // Orders rows by the partition keys (any total order: NULLs together), then by the
  // window's ORDER BY; `peer` compares the ORDER BY only.
  int ComparePartition(uint32_t a, uint32_t b) const {
    for (const Column& k : partition_keys_) {
      const bool na = k.null[a], nb = k.null[b];
      if (na || nb) {
        if (na != nb) return na ? 1 : -1;
        continue;
      }
      const int c = CompareValues(GetValue(k, a), GetValue(k, b));
      if (c != 0) return c;
    }
    return 0;
  }
  int CompareOrder(uint32_t a, uint32_t b) const {
    for (size_t k = 0; k < order_keys_.size(); ++k) {
      const SortKey& key = op_.sort_keys[k];
      const Column& col = order_keys_[k];
      const bool na = col.null[a], nb = col.null[b];
      if (na || nb) {
        if (na == nb) continue;
        return na == key.nulls_first ? -1 : 1;
      }
      const int c = CompareOrdered(GetValue(col, a), GetValue(col, b));
      if (c != 0) return key.descending ? -c : c;
    }
    return 0;
  }

  void Compute() {
    all_ = Drain(*child_, ctx_, op_.children[0]->columns);
    const size_t rows = all_.rows;
    Charge(BatchBytes(all_) + static_cast<int64_t>(rows) * (8 + 24 * op_.windows.size()));
    for (const auto& p : op_.window_partition) partition_keys_.push_back(Evaluate(*p, all_));
    for (const auto& k : op_.sort_keys) order_keys_.push_back(Evaluate(*k.expr, all_));
    std::vector<std::vector<Column>> args(op_.windows.size());
    for (size_t w = 0; w < op_.windows.size(); ++w) {
      for (const auto& a : op_.windows[w].args) args[w].push_back(Evaluate(*a, all_));
    }
    int64_t keys = 0;
    for (const Column& c : partition_keys_) keys += static_cast<int64_t>(c.MemoryBytes());
    for (const Column& c : order_keys_) keys += static_cast<int64_t>(c.MemoryBytes());
    for (const auto& call_args : args)
      for (const Column& c : call_args) keys += static_cast<int64_t>(c.MemoryBytes());
    Charge(keys);
    order_.resize(rows);
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      const int c = ComparePartition(a, b);
      return c != 0 ? c < 0 : CompareOrder(a, b) < 0;
    });
    ctx_.CheckCancelled();

    results_.clear();
    for (const auto& call : op_.windows) results_.emplace_back(call.type);
    // Resolved once, not per partition (a window per person has a million of them): each
    // call's function, and its frame's slot (calls with equal frames share one).
    std::vector<const WindowFunction*> functions;
    std::vector<size_t> frame_slot;
    std::vector<std::string> frame_texts;
    for (const auto& call : op_.windows) {
      functions.push_back(FindWindowFunction(call.fn));
      const std::string text = call.frame.ToString();
      auto at = std::find(frame_texts.begin(), frame_texts.end(), text);
      frame_slot.push_back(static_cast<size_t>(at - frame_texts.begin()));
      if (at == frame_texts.end()) frame_texts.push_back(text);
    }
    std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>> frames(frame_texts.size());
    std::vector<uint8_t> framed(frame_texts.size());
    std::vector<Value> out;
    std::vector<size_t> group, group_start;
    for (size_t b = 0; b < rows;) {
      size_t e = b + 1;
      while (e < rows && ComparePartition(order_[b], order_[e]) == 0) ++e;
      const uint32_t* part = order_.data() + b;
      const size_t n = e - b;
      group.assign(n, 0);
      group_start.assign(1, 0);
      for (size_t i = 1; i < n; ++i) {
        const bool peer = CompareOrder(part[i - 1], part[i]) == 0;
        group[i] = group[i - 1] + (peer ? 0 : 1);
        if (!peer) group_start.push_back(i);
      }
      group_start.push_back(n);
      std::fill(framed.begin(), framed.end(), 0);
      for (size_t w = 0; w < op_.windows.size(); ++w) {
        const WindowCall& call = op_.windows[w];
        auto& [fs, fe] = frames[frame_slot[w]];
        if (!framed[frame_slot[w]]) {
          Frames(call.frame, part, n, group, group_start, fs, fe);
          framed[frame_slot[w]] = 1;
        }
        WindowPartition p{part, n, &group, &group_start, &fs, &fe, &args[w]};
        out.assign(n, Value::Null(call.type));
        functions[w]->compute(call, p, out);
        for (const Value& v : out) AppendValue(results_[w], v);
      }
      ctx_.CheckCancelled();
      b = e;
    }
    computed_ = true;
  }

  // The frame [fs[i], fe[i]) of each row of one partition, by PostgreSQL's rules.
  void Frames(const WindowFrame& f, const uint32_t* part, size_t n,
              const std::vector<size_t>& group, const std::vector<size_t>& gs,
              std::vector<size_t>& fs, std::vector<size_t>& fe) {
    fs.assign(n, 0);
    fe.assign(n, n);
    const size_t groups = gs.size() - 1;
    auto offset = [](const Value& v) { return static_cast<size_t>(std::max<int64_t>(v.i, 0)); };
    // RANGE with an offset: the one ORDER BY key, its non-NULL rows [lo, hi) of the partition.
    const bool range_offsets =
        f.mode == Mode::kRange && (f.start == Bound::kPreceding || f.start == Bound::kFollowing ||
                                   f.end == Bound::kPreceding || f.end == Bound::kFollowing);
    std::vector<long double> key;
    size_t lo = 0, hi = n;
    bool descending = false;
    DataType key_type;
    if (range_offsets) {
      const Column& col = order_keys_[0];
      key_type = col.type;
      descending = op_.sort_keys[0].descending;
      key.resize(n);
      for (size_t i = 0; i < n; ++i) {
        if (col.null[part[i]]) continue;
        key[i] = RangeKey(GetValue(col, part[i]), key_type);
      }
      while (lo < n && col.null[part[lo]]) ++lo;
      hi = lo;
      while (hi < n && !col.null[part[hi]]) ++hi;
    }
    // First non-NULL row whose key is at or past `v` in the window's direction, and first
    // past it.
    auto first_at = [&](long double v) {
      return static_cast<size_t>(
          std::partition_point(key.begin() + lo, key.begin() + hi,
                               [&](long double k) { return descending ? k > v : k < v; }) -
          key.begin());
    };
    auto first_after = [&](long double v) {
      return static_cast<size_t>(
          std::partition_point(key.begin() + lo, key.begin() + hi,
                               [&](long double k) { return descending ? k >= v : k <= v; }) -
          key.begin());
    };
    // The offsets on the key's scale, signed for the window's direction (preceding rows have
    // larger keys when it descends).
    const long double sign = descending ? -1.0L : 1.0L;
    const long double start_by =
        range_offsets && !f.start_offset.null ? sign * RangeKey(f.start_offset, key_type) : 0;
    const long double end_by =
        range_offsets && !f.end_offset.null ? sign * RangeKey(f.end_offset, key_type) : 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t g = group[i];
      // A NULL key's offsets reach its NULL peers only (PostgreSQL).
      const bool null_key = range_offsets && order_keys_[0].null[part[i]];
      switch (f.start) {
        case Bound::kUnboundedPreceding:
          fs[i] = 0;
          break;
        case Bound::kCurrentRow:
          fs[i] = f.mode == Mode::kRows ? i : gs[g];
          break;
        case Bound::kPreceding:
          if (f.mode == Mode::kRows) {
            fs[i] = i >= offset(f.start_offset) ? i - offset(f.start_offset) : 0;
          } else if (f.mode == Mode::kGroups) {
            const size_t o = offset(f.start_offset);
            fs[i] = gs[g >= o ? g - o : 0];
          } else {
            fs[i] = null_key ? gs[g] : first_at(key[i] - start_by);
          }
          break;
        case Bound::kFollowing:
          if (f.mode == Mode::kRows) {
            fs[i] = std::min(n, i + offset(f.start_offset));
          } else if (f.mode == Mode::kGroups) {
            const size_t o = offset(f.start_offset);
            fs[i] = g + o < groups ? gs[g + o] : n;
          } else {
            fs[i] = null_key ? gs[g] : first_at(key[i] + start_by);
          }
          break;
        case Bound::kUnboundedFollowing:
          fs[i] = n;
          break;
      }
      switch (f.end) {
        case Bound::kUnboundedFollowing:
          fe[i] = n;
          break;
        case Bound::kCurrentRow:
          fe[i] = f.mode == Mode::kRows ? i + 1 : gs[g + 1];
          break;
        case Bound::kPreceding:
          if (f.mode == Mode::kRows) {
            fe[i] = i + 1 > offset(f.end_offset) ? i + 1 - offset(f.end_offset) : 0;
          } else if (f.mode == Mode::kGroups) {
            const size_t o = offset(f.end_offset);
            fe[i] = g >= o ? gs[g - o + 1] : 0;
          } else {
            fe[i] = null_key ? gs[g + 1] : first_after(key[i] - end_by);
          }
          break;
        case Bound::kFollowing:
          if (f.mode == Mode::kRows) {
            fe[i] = std::min(n, i + offset(f.end_offset) + 1);
          } else if (f.mode == Mode::kGroups) {
            fe[i] = gs[std::min(groups, g + offset(f.end_offset) + 1)];
          } else {
            fe[i] = null_key ? gs[g + 1] : first_after(key[i] + end_by);
          }
          break;
        case Bound::kUnboundedPreceding:
          fe[i] = 0;
          break;
      }
    }
  }

  void Charge(int64_t bytes) {
    ctx_.memory->Reserve(bytes, "a window function");
    reserved_ += bytes;
  }

  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
  Batch all_;
  std::vector<Column> partition_keys_, order_keys_;
  std::vector<uint32_t> order_;
  std::vector<Column> results_;  // per call, in window order
  size_t position_ = 0;
  bool computed_ = false;
  int64_t reserved_ = 0;
};

}  // namespace

OperatorPtr MakeWindow(const LogicalOp& op, OperatorPtr child, ExecContext& ctx) {
  return std::make_unique<WindowOperator>(op, std::move(child), ctx);
}

}  // namespace fedgate::planner::exec
