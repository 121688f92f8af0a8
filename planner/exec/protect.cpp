#include <cmath>

#include "common/error.h"
#include "planner/exec/join_aggregate.h"
#include "policy/sdc.h"

namespace fedgate::planner::exec {

namespace {

// Disclosure control over an output aggregate's rows (see LogicalOp::kProtect): withholds
// groups under the threshold and dominated sums, perturbs and rounds counts, and records per
// aggregate which rule changed it in the hidden `__sdc` column.
// Rounds a sum in place, in the sum's own units (a decimal's unscaled value is rounded to a
// multiple of base * 10^scale). True when it changed.
bool RoundSum(Column& cell, size_t r, const sdc::Rounding& rounding) {
  switch (cell.type.id) {
    case TypeId::kInt64: {
      int64_t v = sdc::ApplyRounding(cell.i64[r], rounding);
      bool changed = v != cell.i64[r];
      cell.i64[r] = v;
      return changed;
    }
    case TypeId::kDecimal: {
      const int64_t unit = Pow10(cell.type.scale);
      const int64_t v = cell.i64[r];
      // Round to whole units first (half away from zero), then as a count.
      int64_t whole = (v >= 0 ? v + unit / 2 : v - unit / 2) / unit;
      int64_t out = sdc::ApplyRounding(whole, rounding) * unit;
      cell.i64[r] = out;
      return out != v;
    }
    case TypeId::kDouble: {
      double v = cell.f64[r];
      double out =
          static_cast<double>(sdc::ApplyRounding(static_cast<int64_t>(std::llround(v)), rounding));
      cell.f64[r] = out;
      return out != v;
    }
    default:
      return false;
  }
}

class ProtectOperator : public Operator {
 public:
  ProtectOperator(const LogicalOp& op, OperatorPtr child) : op_(op), child_(std::move(child)) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }

  bool Next(Batch& out) override {
    if (!child_->Next(out)) return false;
    const sdc::Rules& rules = *op_.rules;
    Column codes(DataType::Int64());
    codes.Reserve(out.rows);
    const int ng = op_.protect_groups;
    for (size_t r = 0; r < out.rows; ++r) {
      const Column& persons = out.columns[op_.persons_column];
      const int64_t n = persons.IsNull(r) ? 0 : persons.i64[r];
      const bool below = n < rules.min_persons;
      const int64_t dominated =
          op_.dominance_column >= 0 ? out.columns[op_.dominance_column].i64[r] : 0;
      int64_t code = 0;
      for (size_t a = 0; a < op_.protect_kinds.size(); ++a) {
        Column& cell = out.columns[ng + a];
        sdc::CellRule rule = sdc::CellRule::kNone;
        if (below) {
          rule = sdc::CellRule::kThreshold;
          cell.null[r] = 1;
        } else if (a < 63 && ((dominated >> a) & 1)) {
          rule = sdc::CellRule::kDominance;
          cell.null[r] = 1;
        } else if (op_.protect_kinds[a] == 1 && !cell.IsNull(r)) {
          int64_t v = cell.i64[r];
          if (rules.cell_key_perturbation && op_.cellkey_column >= 0) {
            int64_t p = sdc::PerturbCount(v, out.columns[op_.cellkey_column].f64[r]);
            if (p != v) rule = sdc::CellRule::kPerturbed;
            v = p;
          }
          int64_t rounded = sdc::ApplyRounding(v, rules.rounding);
          if (rounded != v && rule == sdc::CellRule::kNone) rule = sdc::CellRule::kRounded;
          cell.i64[r] = rounded;
        } else if (op_.protect_kinds[a] == 2 && !cell.IsNull(r) &&
                   rules.rounding.kind != sdc::Rounding::Kind::kNone) {
          // Sums are rounded like counts: sum(1), or sum(CASE ... THEN 1 END), is a count.
          if (RoundSum(cell, r, rules.rounding)) rule = sdc::CellRule::kRounded;
        }
        if (a < 16) code |= static_cast<int64_t>(rule) << (4 * a);
      }
      codes.null.push_back(0);
      codes.i64.push_back(code);
    }
    out.columns.push_back(std::move(codes));
    return true;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
};

}  // namespace

OperatorPtr MakeProtect(const LogicalOp& op, OperatorPtr child) {
  return std::make_unique<ProtectOperator>(op, std::move(child));
}

}  // namespace fedgate::planner::exec
