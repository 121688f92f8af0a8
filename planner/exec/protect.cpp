#include "common/error.h"
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

// A kProtect node: hands each batch of its child to the query's Protector (disclosure/),
// which protects the cells in place and appends the `__sdc` ids.
class ProtectOperator : public Operator {
 public:
  ProtectOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {
    if (ctx_.protector == nullptr)
      throw Error(ErrorCode::kInternal, "a protected plan was built without a protector");
  }
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }

  bool Next(Batch& out) override {
    if (!child_->Next(out)) return false;
    ctx_.protector->Protect(op_, out);
    return true;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
};

}  // namespace

OperatorPtr MakeProtect(const LogicalOp& op, OperatorPtr child, ExecContext& ctx) {
  return std::make_unique<ProtectOperator>(op, std::move(child), ctx);
}

}  // namespace fedgate::planner::exec
