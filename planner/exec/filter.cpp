// WHERE / HAVING: the rows for which a predicate is true.

#include "planner/exec/evaluate.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class FilterOperator : public Operator {
 public:
  FilterOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    Batch in;
    while (child_->Next(in)) {
      ctx_.CheckCancelled();
      auto rows = SelectRows(*op_.predicate, in);
      if (rows.empty()) continue;
      out.columns.assign(in.columns.size(), Column());
      for (size_t c = 0; c < in.columns.size(); ++c) {
        out.columns[c].type = in.columns[c].type;
        out.columns[c].Reserve(rows.size());
        for (uint32_t r : rows) out.columns[c].AppendFrom(in.columns[c], r);
      }
      out.rows = rows.size();
      return true;
    }
    return false;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
};

}  // namespace

OperatorPtr MakeFilter(const LogicalOp& op, OperatorPtr child, ExecContext& ctx) {
  return std::make_unique<FilterOperator>(op, std::move(child), ctx);
}

}  // namespace fedgate::planner::exec
