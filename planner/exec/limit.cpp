// LIMIT / OFFSET.
#include <algorithm>

#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class LimitOperator : public Operator {
 public:
  LimitOperator(const LogicalOp& op, OperatorPtr child) : op_(op), child_(std::move(child)) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    Batch in;
    while (op_.limit < 0 || emitted_ < op_.limit) {
      if (!child_->Next(in)) return false;
      size_t start = 0;
      if (skipped_ < op_.offset) {
        size_t skip = static_cast<size_t>(
            std::min<int64_t>(op_.offset - skipped_, static_cast<int64_t>(in.rows)));
        skipped_ += static_cast<int64_t>(skip);
        start = skip;
      }
      size_t end = in.rows;
      if (op_.limit >= 0)
        end = std::min<size_t>(end, start + static_cast<size_t>(op_.limit - emitted_));
      if (end <= start) continue;
      out.columns.assign(in.columns.size(), Column());
      for (size_t c = 0; c < in.columns.size(); ++c) {
        out.columns[c].type = in.columns[c].type;
        for (size_t r = start; r < end; ++r) out.columns[c].AppendFrom(in.columns[c], r);
      }
      out.rows = end - start;
      emitted_ += static_cast<int64_t>(out.rows);
      return true;
    }
    return false;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  int64_t emitted_ = 0, skipped_ = 0;
};

}  // namespace

OperatorPtr MakeLimit(const LogicalOp& op, OperatorPtr child) {
  return std::make_unique<LimitOperator>(op, std::move(child));
}

}  // namespace fedgate::planner::exec
