// ORDER BY: every row in memory (within the budget), then sorted.
#include <algorithm>
#include <numeric>

#include "planner/exec/evaluate.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class SortOperator : public Operator {
 public:
  SortOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  ~SortOperator() override { ctx_.memory->Release(reserved_); }
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    if (!sorted_) Materialise();
    if (position_ >= order_.size()) return false;
    size_t end = std::min(order_.size(), position_ + kBatchRows);
    out.columns.assign(all_.columns.size(), Column());
    for (size_t c = 0; c < all_.columns.size(); ++c) {
      out.columns[c].type = all_.columns[c].type;
      for (size_t i = position_; i < end; ++i)
        out.columns[c].AppendFrom(all_.columns[c], order_[i]);
    }
    out.rows = end - position_;
    position_ = end;
    return true;
  }

 private:
  void Materialise() {
    all_ = Drain(*child_, ctx_, op_.columns);
    reserved_ = BatchBytes(all_);
    ctx_.memory->Reserve(reserved_, "ORDER BY");
    std::vector<Column> keys;
    for (const auto& k : op_.sort_keys) keys.push_back(Evaluate(*k.expr, all_));
    order_.resize(all_.rows);
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      for (size_t k = 0; k < keys.size(); ++k) {
        const SortKey& key = op_.sort_keys[k];
        bool na = keys[k].null[a], nb = keys[k].null[b];
        if (na || nb) {
          if (na == nb) continue;
          return na == key.nulls_first;
        }
        int c = CompareValues(GetValue(keys[k], a), GetValue(keys[k], b));
        if (c != 0) return key.descending ? c > 0 : c < 0;
      }
      return false;
    });
    sorted_ = true;
  }

  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
  Batch all_;
  std::vector<uint32_t> order_;
  size_t position_ = 0;
  bool sorted_ = false;
  int64_t reserved_ = 0;
};

}  // namespace

OperatorPtr MakeSort(const LogicalOp& op, OperatorPtr child, ExecContext& ctx) {
  return std::make_unique<SortOperator>(op, std::move(child), ctx);
}

}  // namespace fedgate::planner::exec
