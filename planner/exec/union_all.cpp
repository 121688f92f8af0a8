// UNION ALL: each child's rows in turn.

#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class UnionOperator : public Operator {
 public:
  explicit UnionOperator(std::vector<OperatorPtr> children) : children_(std::move(children)) {}
  void Open() override {
    for (auto& c : children_) c->Open();
  }
  void Cancel() override {
    for (auto& c : children_) c->Cancel();
  }
  bool Next(Batch& out) override {
    while (current_ < children_.size()) {
      if (children_[current_]->Next(out)) return true;
      ++current_;
    }
    return false;
  }

 private:
  std::vector<OperatorPtr> children_;
  size_t current_ = 0;
};

}  // namespace

OperatorPtr MakeUnion(std::vector<OperatorPtr> children) {
  return std::make_unique<UnionOperator>(std::move(children));
}

}  // namespace fedgate::planner::exec
