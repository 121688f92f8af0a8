#include "planner/disclosure.h"

#include <algorithm>
#include <functional>

#include "common/error.h"
#include "planner/binder.h"

namespace fedgate::planner {

namespace {

void CheckExtremes(const LogicalOp& plan, const sdc::Rules& rules, const std::string& dsa) {
  if (rules.extremes_allowed) return;
  VisitPlan(plan, [&](const LogicalOp& op) {
    if (op.kind != OpKind::kAggregate || op.children.empty()) return;
    // Row-level input: each value belongs to one person (or event of one person).
    if (op.children[0]->person_columns.empty()) return;
    for (const auto& a : op.aggregates) {
      if (a.fn == "min" || a.fn == "max") {
        throw Error(
            ErrorCode::kPermissionDenied,
            "refused by rule 'extremes' of DSA " + dsa + ": " + a.ToString() +
                " would release one person's value; the DSA does not allow MIN/MAX of person-level "
                "values (output.extremes: deny)");
      }
    }
  });
}

bool NeedsDominance(const LogicalOp& agg, const sdc::Rules& rules) {
  if (rules.dominance_n <= 0 || agg.person_inputs.empty()) return false;
  return std::any_of(agg.aggregates.begin(), agg.aggregates.end(),
                     [](const AggregateCall& a) { return a.fn == "sum" || a.fn == "avg"; });
}

LogicalOpPtr Protect(LogicalOpPtr agg, const std::shared_ptr<const sdc::Rules>& rules) {
  if (rules->cell_key_perturbation && !agg->person_inputs.empty()) {
    agg->cellkey_column = static_cast<int>(agg->columns.size());
    agg->columns.push_back({"__cellkey", DataType::Double(), true});
  }
  if (NeedsDominance(*agg, *rules)) {
    agg->dominance_column = static_cast<int>(agg->columns.size());
    agg->columns.push_back({"__dominance", DataType::Int64(), true});
    agg->dominance_n = rules->dominance_n;
    agg->dominance_k = rules->dominance_k;
  }
  auto p = std::make_unique<LogicalOp>(OpKind::kProtect);
  p->columns = agg->columns;
  p->columns.push_back({"__sdc", DataType::Int64(), true});
  p->person_columns = agg->person_columns;
  p->persons_column = agg->persons_column;
  p->rules = rules;
  p->protect_groups = static_cast<int>(agg->groups.size());
  for (const auto& a : agg->aggregates) {
    // 1: counts (perturbed, rounded), 2: sums (rounded), 4: averages, 3: others (left as they are).
    p->protect_kinds.push_back(a.fn == "count" || a.fn == "count_star" ? 1
                               : a.fn == "sum"                         ? 2
                               : a.fn == "avg"                         ? 4
                                                                       : 3);
  }
  p->cellkey_column = agg->cellkey_column;
  p->dominance_column = agg->dominance_column;
  p->children.push_back(std::move(agg));
  return p;
}

bool IsOutputAggregate(const LogicalOp& op) {
  return op.kind == OpKind::kAggregate && !op.per_person && op.persons_column >= 0;
}

// Wraps the output aggregates: those reached from the top through row-wise operators.
void InsertProtect(LogicalOpPtr& op, const std::shared_ptr<const sdc::Rules>& rules) {
  switch (op->kind) {
    case OpKind::kProject:
    case OpKind::kFilter:
    case OpKind::kSort:
    case OpKind::kLimit:
    case OpKind::kUnion:
    case OpKind::kJoin:
      for (auto& child : op->children) InsertProtect(child, rules);
      return;
    case OpKind::kAggregate:
      if (IsOutputAggregate(*op)) op = Protect(std::move(op), rules);
      return;
    default:
      return;
  }
}

// Every other aggregation level keeps only groups of at least min_persons persons.
void ThresholdIntermediate(LogicalOpPtr& op, int64_t min_persons, bool under_protect) {
  const bool protect = op->kind == OpKind::kProtect;
  for (auto& child : op->children) ThresholdIntermediate(child, min_persons, protect);
  if (op->kind != OpKind::kAggregate || under_protect || !IsOutputAggregate(*op)) return;
  std::vector<BoundExprPtr> args;
  args.push_back(BoundExpr::Column(op->persons_column, DataType::Int64(), "__persons"));
  args.push_back(BoundExpr::Constant(Value::Int(min_persons)));
  op = MakeFilter(std::move(op), BoundExpr::Call(">=", DataType::Bool(), std::move(args)));
}

// Whether CarrySdc(op) would succeed.
bool IsCarried(const LogicalOp& op) {
  switch (op.kind) {
    case OpKind::kProtect:
      return true;
    case OpKind::kProject:
    case OpKind::kFilter:
    case OpKind::kSort:
    case OpKind::kLimit:
      return IsCarried(*op.children[0]);
    case OpKind::kUnion:
      return std::all_of(op.children.begin(), op.children.end(),
                         [](const LogicalOpPtr& c) { return IsCarried(*c); });
    default:
      return false;
  }
}

// Carries `__sdc` up from a kProtect through row-wise operators and UNION ALL; true when
// `op`'s last column is now `__sdc`.
bool CarrySdc(LogicalOp& op) {
  switch (op.kind) {
    case OpKind::kProtect:
      return true;
    case OpKind::kProject: {
      LogicalOp& child = *op.children[0];
      if (!CarrySdc(child)) return false;
      op.exprs.push_back(BoundExpr::Column(static_cast<int>(child.columns.size()) - 1,
                                           DataType::Int64(), "__sdc"));
      op.columns.push_back({"__sdc", DataType::Int64(), true});
      return true;
    }
    case OpKind::kFilter:
    case OpKind::kSort:
    case OpKind::kLimit:
      if (!CarrySdc(*op.children[0])) return false;
      op.columns = op.children[0]->columns;
      return true;
    case OpKind::kUnion: {
      // UNION ALL of protected results (a total row, several tables side by side): every
      // branch carries its marks, or none does (the union's columns must line up).
      for (auto& child : op.children) {
        if (!IsCarried(*child)) return false;
      }
      for (auto& child : op.children) CarrySdc(*child);
      op.columns.push_back({"__sdc", DataType::Int64(), true});
      return true;
    }
    default:
      return false;
  }
}

// Persons are counted up to min_persons: every use of a group's count (the output threshold,
// intermediate thresholds, a scalar subquery's check) compares it with min_persons, and an
// earlier count read as a lower bound stays one. The cell-key sum needs them all.
void CapPersonCounts(LogicalOp& op, int64_t min_persons) {
  for (auto& child : op.children) CapPersonCounts(*child, min_persons);
  if (op.kind == OpKind::kAggregate && op.persons_column >= 0 && op.cellkey_column < 0)
    op.persons_cap = min_persons;
}

}  // namespace

void ApplyDisclosureControl(LogicalOpPtr& plan, const std::shared_ptr<const sdc::Rules>& rules,
                            const std::string& dsa) {
  CheckExtremes(*plan, *rules, dsa);
  InsertProtect(plan, rules);
  ThresholdIntermediate(plan, rules->min_persons, false);
  CapPersonCounts(*plan, rules->min_persons);
  CarrySdc(*plan);
}

CellRuleMap MapCellRules(const LogicalOp& plan) {
  CellRuleMap map;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    if (plan.columns[c].hidden && plan.columns[c].name == "__sdc")
      map.sdc_column = static_cast<int>(c);
  }
  // Follows column `c` of `op` down to a kProtect: the aggregate index, or -1.
  std::function<int(const LogicalOp&, int)> trace = [&](const LogicalOp& op, int c) -> int {
    switch (op.kind) {
      case OpKind::kProject:
        if (!op.exprs[c]->IsColumn()) return -1;
        return trace(*op.children[0], op.exprs[c]->column);
      case OpKind::kFilter:
      case OpKind::kSort:
      case OpKind::kLimit:
        return trace(*op.children[0], c);
      case OpKind::kUnion: {
        // The same aggregate in every branch, or no mark.
        const int agg = trace(*op.children[0], c);
        for (const auto& child : op.children) {
          if (trace(*child, c) != agg) return -1;
        }
        return agg;
      }
      case OpKind::kProtect: {
        const int ng = op.protect_groups;
        const int na = static_cast<int>(op.protect_kinds.size());
        return c >= ng && c < ng + na ? c - ng : -1;
      }
      default:
        return -1;
    }
  };
  for (size_t c = 0; c < plan.columns.size(); ++c)
    map.aggregate_of_column.push_back(trace(plan, static_cast<int>(c)));
  return map;
}

}  // namespace fedgate::planner
