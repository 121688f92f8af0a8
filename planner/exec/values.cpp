// VALUES and constant rows.

#include "planner/exec/evaluate.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class ValuesOperator : public Operator {
 public:
  explicit ValuesOperator(const LogicalOp& op) : op_(op) {}
  void Open() override {}
  void Cancel() override {}  // nothing below it to pass the cancellation to
  bool Next(Batch& out) override {
    if (done_) return false;
    done_ = true;
    Batch one;
    one.rows = 1;
    out.columns.clear();
    for (const auto& e : op_.exprs) out.columns.push_back(Evaluate(*e, one));
    out.rows = 1;
    return true;
  }

 private:
  const LogicalOp& op_;
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeValues(const LogicalOp& op) {
  return std::make_unique<ValuesOperator>(op);
}

}  // namespace fedgate::planner::exec
