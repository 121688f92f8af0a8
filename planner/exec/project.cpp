// The SELECT list: one expression per output column.

#include "planner/exec/evaluate.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class ProjectOperator : public Operator {
 public:
  ProjectOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    Batch in;
    if (!child_->Next(in)) return false;
    ctx_.CheckCancelled();
    out.columns.clear();
    for (const auto& e : op_.exprs) out.columns.push_back(Evaluate(*e, in));
    out.rows = in.rows;
    return true;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
};

}  // namespace

OperatorPtr MakeProject(const LogicalOp& op, OperatorPtr child, ExecContext& ctx) {
  return std::make_unique<ProjectOperator>(op, std::move(child), ctx);
}

}  // namespace fedgate::planner::exec
