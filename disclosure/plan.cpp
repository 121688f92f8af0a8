#include "disclosure/plan.h"

#include <algorithm>
#include <functional>

#include "common/error.h"
#include "disclosure/arithmetic.h"
#include "disclosure/window_rule.h"
#include "planner/binder/binder.h"

namespace fedgate::disclosure {

using planner::AggregateCall;
using planner::BoundExpr;
using planner::BoundExprPtr;
using planner::BoundKind;
using planner::LogicalOp;
using planner::LogicalOpPtr;
using planner::OpKind;

namespace {

// Rule 'extremes': MIN/MAX over person-level values release one person's value.
void CheckExtremes(const LogicalOp& plan, const Rules& rules, const std::string& dsa) {
  if (rules.extremes_allowed) return;
  planner::VisitPlan(plan, [&](const LogicalOp& op) {
    if (op.children.empty() || op.children[0]->person_columns.empty()) return;
    // MIN/MAX OVER (PARTITION BY person_id): a person's extreme on each of their rows.
    if (op.kind == OpKind::kWindow) {
      for (const auto& w : op.windows) {
        if (w.fn == "min" || w.fn == "max") {
          throw Error(ErrorCode::kPermissionDenied,
                      "refused by rule 'extremes' of DSA " + dsa + ": " + w.ToString() +
                          " OVER (...) would carry one person's value; the DSA does not allow "
                          "MIN/MAX of person-level values (output.extremes: deny)");
        }
      }
      return;
    }
    // Row-level input: each value belongs to one person (or event of one person).
    if (op.kind != OpKind::kAggregate) return;
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

// Rule 'percentile' where the DSA refuses percentiles (output.percentiles: {allow: false}):
// an ordered-set aggregate of person-level values, other than per person (an intermediate
// level that a later aggregate consumes), is refused; where allowed, each released value is
// checked for the persons on either side of it (cell.cpp).
void CheckPercentiles(const LogicalOp& plan, const Rules& rules, const std::string& dsa) {
  if (rules.percentiles_allowed) return;
  planner::VisitPlan(plan, [&](const LogicalOp& op) {
    if (op.kind != OpKind::kAggregate || op.children.empty() || op.per_person) return;
    if (op.children[0]->person_columns.empty() && op.children[0]->persons_column < 0) return;
    for (const auto& a : op.aggregates) {
      if (a.OrderedSet()) {
        throw Error(ErrorCode::kPermissionDenied,
                    "refused by rule 'percentile' of DSA " + dsa + ": " + a.ToString() +
                        " would release a value of person-level data; the DSA does not allow "
                        "percentiles (output.percentiles: {allow: false})");
      }
    }
  });
}

// Rule 'percentile' below the output: a percentile or mode of person-level values that feeds
// another aggregate (SELECT avg(m) FROM (SELECT percentile_disc(1) ... m ...)) would reach the
// output unchecked, as MIN/MAX would; only a per-person level (GROUP BY person_id) may feed
// one. Runs after InsertProtect: output aggregates are the children of a kProtect.
void CheckIntermediatePercentiles(const LogicalOp& op, bool output, const std::string& dsa) {
  if (op.kind == OpKind::kAggregate && !output && !op.per_person && !op.children.empty() &&
      !op.children[0]->person_columns.empty()) {
    for (const auto& a : op.aggregates) {
      if (a.OrderedSet()) {
        throw Error(ErrorCode::kPermissionDenied,
                    "refused by rule 'percentile' of DSA " + dsa + ": " + a.ToString() +
                        " feeds another aggregate, where its value would not be checked; "
                        "release it at the output (where at least min_persons persons must be "
                        "on each side of it) or compute it per person");
      }
    }
  }
  for (const auto& c : op.children)
    CheckIntermediatePercentiles(*c, op.kind == OpKind::kProtect, dsa);
}

bool IsMagnitude(const AggregateCall& a) {
  const CellKind kind = KindOfAggregate(a.fn);
  return kind == CellKind::kSum || kind == CellKind::kMean;
}

// The canonical text of an expression: columns by position, AND/OR operands sorted and
// deduplicated, constant-true conjuncts dropped, `x IN (a)` as `x = a`, `=` and `<>`
// operands in order. Equivalent predicates written differently give the same text.
std::string Canonical(const BoundExpr& e);

void Flatten(const BoundExpr& x, const std::string& op, std::vector<std::string>& out) {
  if (x.kind == BoundKind::kCall && x.name == op) {
    for (const auto& a : x.args) Flatten(*a, op, out);
    return;
  }
  out.push_back(Canonical(x));
}

std::string Canonical(const BoundExpr& e) {
  switch (e.kind) {
    case BoundKind::kColumn:
      return "#" + std::to_string(e.column);
    case BoundKind::kConstant:
      if (e.value.null) return "NULL";
      if (e.value.type.id == TypeId::kBool) return e.value.AsBool() ? "true" : "false";
      return e.value.type.ToString() + ":" + e.value.ToString();
    case BoundKind::kCall:
      break;
  }
  std::vector<std::string> args;
  if (e.name == "and" || e.name == "or") {
    for (const auto& a : e.args) Flatten(*a, e.name, args);
    std::sort(args.begin(), args.end());
    args.erase(std::unique(args.begin(), args.end()), args.end());
    if (e.name == "and") std::erase(args, std::string("true"));
    if (e.name == "or") std::erase(args, std::string("false"));
    if (args.empty()) return e.name == "and" ? "true" : "false";
    if (args.size() == 1) return args[0];
  } else {
    for (const auto& a : e.args) args.push_back(Canonical(*a));
  }
  std::string name = e.name;
  if (name == "in" && args.size() == 2) name = "=";
  if (name == "in") std::sort(args.begin() + 1, args.end());
  if ((name == "=" || name == "<>") && args.size() == 2) {
    if (args[1] < args[0]) std::swap(args[0], args[1]);
    const bool constant = args[0].find('#') == std::string::npos &&
                          args[1].find('#') == std::string::npos && args[0] != "NULL" &&
                          args[1] != "NULL" && args[0].find('(') == std::string::npos &&
                          args[1].find('(') == std::string::npos;
    if (constant) return (args[0] == args[1]) == (name == "=") ? "true" : "false";
  }
  std::string out = name + "(";
  for (size_t i = 0; i < args.size(); ++i) out += (i ? "," : "") + args[i];
  return out + ")";
}

std::string Canonical(const BoundExprPtr& e) {
  return e ? Canonical(*e) : std::string("-");
}

// The canonical text of a subtree: what the cells of an aggregate are a function of.
std::string Canonical(const LogicalOp& op) {
  std::string out = std::to_string(static_cast<int>(op.kind)) + "{";
  if (op.table) out += "table=" + op.table->source + "." + op.table->name + ";";
  for (int c : op.table_columns) out += std::to_string(c) + ",";
  if (op.predicate) out += "where=" + Canonical(op.predicate) + ";";
  for (const auto& e : op.exprs) out += Canonical(e) + ",";
  for (const auto& g : op.groups) out += "g=" + Canonical(g) + ",";
  for (const auto& a : op.aggregates)
    out += a.fn + (a.distinct ? "/d(" : "(") + Canonical(a.arg) + "),";
  if (op.kind == OpKind::kJoin) {
    out += "join=" + std::to_string(static_cast<int>(op.join)) + ";";
    for (const auto& [l, r] : op.equi) out += Canonical(l) + "=" + Canonical(r) + ",";
    if (op.residual) out += "on=" + Canonical(op.residual) + ";";
  }
  for (const auto& k : op.sort_keys) out += "s=" + Canonical(k.expr) + (k.descending ? "d," : "a,");
  if (op.limit >= 0) out += "limit=" + std::to_string(op.limit) + "," + std::to_string(op.offset);
  for (const auto& c : op.children) out += Canonical(*c);
  return out + "}";
}

// Wraps an output aggregate in a kProtect, asking it for what the rules read: the sum of
// its persons' record keys (cell-key perturbation) and per-person contributions to its sums
// and means (dominance, p%, perturbation of magnitudes).
LogicalOpPtr Protect(LogicalOpPtr agg, const std::shared_ptr<const Rules>& rules) {
  if (rules->cell_key_perturbation && !agg->person_inputs.empty()) {
    agg->cellkey_column = static_cast<int>(agg->columns.size());
    agg->columns.push_back({"__cellkey", DataType::Double(), true});
  }
  if (rules->NeedsContributions() && !agg->person_inputs.empty()) {
    for (size_t a = 0; a < agg->aggregates.size(); ++a) {
      if (IsMagnitude(agg->aggregates[a]))
        agg->contribution_aggregates.push_back(static_cast<int>(a));
    }
    if (!agg->contribution_aggregates.empty()) {
      agg->contributions_column = static_cast<int>(agg->columns.size());
      agg->contributions_top = rules->TopContributions();
      for (int a : agg->contribution_aggregates) {
        const std::string n = std::to_string(a);
        agg->columns.push_back({"__contributors" + n, DataType::Int64(), true});
        agg->columns.push_back({"__contribution_total" + n, DataType::Double(), true});
        for (int i = 0; i < agg->contributions_top; ++i)
          agg->columns.push_back({"__top" + n + "_" + std::to_string(i), DataType::Double(), true});
      }
    }
  }
  // One hidden int64 column per listed aggregate: the persons around a percentile's value,
  // the persons a FILTER keeps.
  auto add_columns = [&agg](bool (*wanted)(const AggregateCall&), const char* prefix, int& first,
                            std::vector<int>& listed) {
    for (size_t a = 0; a < agg->aggregates.size(); ++a) {
      if (!wanted(agg->aggregates[a])) continue;
      if (first < 0) first = static_cast<int>(agg->columns.size());
      listed.push_back(static_cast<int>(a));
      agg->columns.push_back({prefix + std::to_string(a), DataType::Int64(), true});
    }
  };
  add_columns([](const AggregateCall& a) { return a.OrderedSet(); }, "__aside",
              agg->percentile_guard_column, agg->percentile_aggregates);
  if (!agg->person_inputs.empty())
    add_columns([](const AggregateCall& a) { return a.filtered; }, "__filtered",
                agg->filtered_persons_column, agg->filtered_aggregates);
  // Unlinkable records for count(*)'s threshold, where the DSA counts them (one person key).
  if (rules->unlinked_records_count && agg->person_inputs.size() == 1 &&
      std::any_of(agg->aggregates.begin(), agg->aggregates.end(),
                  [](const AggregateCall& a) { return a.fn == "count_star"; })) {
    agg->unlinked_column = static_cast<int>(agg->columns.size());
    agg->columns.push_back({"__unlinked", DataType::Int64(), true});
  }
  auto p = std::make_unique<LogicalOp>(OpKind::kProtect);
  p->columns = agg->columns;
  p->columns.push_back({"__sdc", DataType::Int64(), true});
  p->person_columns = agg->person_columns;
  p->persons_column = agg->persons_column;
  p->protect_label = rules->Label();
  p->protect_key = DefinitionKey(Canonical(*agg));
  p->protect_groups = static_cast<int>(agg->groups.size());
  for (const auto& a : agg->aggregates) p->protect_functions.push_back(a.fn);
  p->cellkey_column = agg->cellkey_column;
  p->contributions_column = agg->contributions_column;
  p->contributions_top = agg->contributions_top;
  p->contribution_aggregates = agg->contribution_aggregates;
  p->percentile_guard_column = agg->percentile_guard_column;
  p->percentile_aggregates = agg->percentile_aggregates;
  p->filtered_persons_column = agg->filtered_persons_column;
  p->filtered_aggregates = agg->filtered_aggregates;
  p->unlinked_column = agg->unlinked_column;
  p->children.push_back(std::move(agg));
  return p;
}

bool IsOutputAggregate(const LogicalOp& op) {
  return op.kind == OpKind::kAggregate && !op.per_person && op.persons_column >= 0;
}

// Wraps the output aggregates: those reached from the top through row-wise operators.
void InsertProtect(LogicalOpPtr& op, const std::shared_ptr<const Rules>& rules) {
  switch (op->kind) {
    case OpKind::kProject:
    case OpKind::kFilter:
    case OpKind::kSort:
    case OpKind::kLimit:
    case OpKind::kUnion:
    case OpKind::kJoin:
    case OpKind::kWindow:  // a window over a released table sees its protected cells
      for (auto& child : op->children) InsertProtect(child, rules);
      return;
    case OpKind::kAggregate:
      if (IsOutputAggregate(*op)) op = Protect(std::move(op), rules);
      return;
    default:
      return;
  }
}

// Rule 'threshold' at intermediate levels: every other aggregation level that is not per
// person keeps only groups of at least min_persons persons.
void ThresholdIntermediate(LogicalOpPtr& op, int64_t min_persons, bool under_protect) {
  const bool protect = op->kind == OpKind::kProtect;
  for (auto& child : op->children) ThresholdIntermediate(child, min_persons, protect);
  if (op->kind != OpKind::kAggregate || under_protect || !IsOutputAggregate(*op)) return;
  std::vector<BoundExprPtr> args;
  args.push_back(BoundExpr::Column(op->persons_column, DataType::Int64(), "__persons"));
  args.push_back(BoundExpr::Constant(planner::Value::Int(min_persons)));
  op = planner::MakeFilter(std::move(op), BoundExpr::Call(">=", DataType::Bool(), std::move(args)));
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
    case OpKind::kWindow:
      return IsCarried(*op.children[0]);
    case OpKind::kUnion:
      return std::all_of(op.children.begin(), op.children.end(),
                         [](const LogicalOpPtr& c) { return IsCarried(*c); });
    default:
      return false;
  }
}

// Carries `__sdc` up from a kProtect through row-wise operators, windows and UNION ALL; the
// index of `op`'s `__sdc` column, or -1 when there is none. A projection or a union puts it
// last. A window keeps its input's columns first and its own after them: when its input grew
// (Protect's hidden columns, `__sdc`), its own columns move, and `moved` (when given) receives
// the new index of each of its old columns, for the operator above to follow.
int CarrySdc(LogicalOp& op, std::vector<int>* moved = nullptr) {
  switch (op.kind) {
    case OpKind::kProtect:
      return static_cast<int>(op.columns.size()) - 1;
    case OpKind::kProject: {
      std::vector<int> map;
      const int below = CarrySdc(*op.children[0], &map);
      if (!map.empty()) {
        for (auto& e : op.exprs) planner::RemapColumns(*e, map);
      }
      if (below < 0) return -1;
      op.exprs.push_back(BoundExpr::Column(below, DataType::Int64(), "__sdc"));
      op.columns.push_back({"__sdc", DataType::Int64(), true});
      return static_cast<int>(op.columns.size()) - 1;
    }
    case OpKind::kFilter:
    case OpKind::kSort:
    case OpKind::kLimit: {
      const int below = CarrySdc(*op.children[0]);
      if (below >= 0) op.columns = op.children[0]->columns;
      return below;
    }
    case OpKind::kWindow: {
      const size_t own = op.windows.size();
      const size_t old_width = op.columns.size() - own;
      std::vector<int> map;
      const int below = CarrySdc(*op.children[0], &map);
      const LogicalOp& child = *op.children[0];
      if (map.empty()) {
        for (size_t i = 0; i < old_width; ++i) map.push_back(static_cast<int>(i));
      }
      if (child.columns.size() != old_width || map.size() != old_width) {
        for (auto& p : op.window_partition) planner::RemapColumns(*p, map);
        for (auto& k : op.sort_keys) planner::RemapColumns(*k.expr, map);
        for (auto& w : op.windows) {
          for (auto& a : w.args) planner::RemapColumns(*a, map);
        }
        std::vector<planner::OutputColumn> columns = child.columns;
        for (size_t k = 0; k < own; ++k) {
          map.push_back(static_cast<int>(columns.size()));
          columns.push_back(op.columns[old_width + k]);
        }
        std::vector<int> persons;
        for (int c : op.person_columns) persons.push_back(map[c]);
        op.person_columns = std::move(persons);
        if (op.persons_column >= 0) op.persons_column = map[op.persons_column];
        op.columns = std::move(columns);
        if (moved) *moved = std::move(map);
      }
      return below;
    }
    case OpKind::kUnion: {
      // UNION ALL of protected results (a total row, several tables side by side): every
      // branch carries its marks, or none does (the union's columns must line up).
      for (auto& child : op.children) {
        if (!IsCarried(*child)) return -1;
      }
      for (auto& child : op.children) {
        if (CarrySdc(*child) != static_cast<int>(child->columns.size()) - 1)
          throw Error(ErrorCode::kInternal, "a branch of UNION ALL lost its disclosure marks");
      }
      op.columns.push_back({"__sdc", DataType::Int64(), true});
      return static_cast<int>(op.columns.size()) - 1;
    }
    default:
      return -1;
  }
}

// Persons are counted up to the largest threshold (min_persons, mean_min_persons): every use of a
// group's count (the output threshold, intermediate thresholds, a scalar subquery's check) compares
// it with min_persons, and an earlier count read as a lower bound stays one. The cell-key sum needs
// them all.
void CapPersonCounts(LogicalOp& op, int64_t needed) {
  for (auto& child : op.children) CapPersonCounts(*child, needed);
  if (op.kind == OpKind::kAggregate && op.persons_column >= 0 && op.cellkey_column < 0)
    op.persons_cap = needed;
}

}  // namespace

void ApplyDisclosureControl(LogicalOpPtr& plan, const std::shared_ptr<const Rules>& rules,
                            const std::string& dsa) {
  ApplyWindowRule(*plan, dsa);
  CheckExtremes(*plan, *rules, dsa);
  CheckPercentiles(*plan, *rules, dsa);
  InsertProtect(plan, rules);
  CheckIntermediatePercentiles(*plan, false, dsa);
  ThresholdIntermediate(plan, rules->min_persons, false);
  CapPersonCounts(*plan, rules->PersonsNeeded());
  CarrySdc(*plan);
}

void CheckQuery(const planner::BoundQuery& query, bool allow_records) {
  for (const auto& sub : query.subqueries) {
    if (!sub->person_columns.empty()) {
      throw Error(ErrorCode::kPermissionDenied,
                  "refused by rule 'output-level': a scalar subquery returns a row-level value; "
                  "only aggregates of at least min_persons persons may be used");
    }
  }
  if (query.grouping_sets_cut) {
    throw Error(ErrorCode::kPermissionDenied,
                "refused by rule 'secondary': HAVING, DISTINCT, LIMIT and OFFSET are not allowed "
                "with ROLLUP, CUBE or GROUPING SETS: they would cut the totals that protect "
                "withheld cells",
                *query.grouping_sets_cut);
  }
  if (query.grouping_sets_window) {
    throw Error(ErrorCode::kPermissionDenied,
                "refused by rule 'secondary': window functions are not allowed over ROLLUP, CUBE "
                "or GROUPING SETS: they would compute over the cells before secondary "
                "suppression withholds the complements of withheld cells (a window total less "
                "the released cells would give a withheld one)",
                *query.grouping_sets_window);
  }
  if (!query.plan->person_columns.empty() && !allow_records) {
    throw Error(ErrorCode::kPermissionDenied,
                "refused by rule 'output-level': the query returns row-level data (one row per "
                "person or event); only aggregated results may leave fedgate: add GROUP BY or "
                "aggregate functions such as count(*)");
  }
}

void CheckScalarValue(const LogicalOp& plan, const Batch& rows, const Rules& rules) {
  if (rows.rows == 1 && plan.persons_column >= 0 &&
      rows.columns[plan.persons_column].i64[0] < rules.min_persons) {
    throw Error(ErrorCode::kPermissionDenied,
                "refused by rule 'threshold': a scalar subquery aggregates fewer than min_persons "
                "(" +
                    std::to_string(rules.min_persons) + ") persons, so its value cannot be used");
  }
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
      case OpKind::kWindow:  // the input's columns pass through; the window's are computed
        return c < static_cast<int>(op.children[0]->columns.size()) ? trace(*op.children[0], c)
                                                                    : -1;
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
        const int na = static_cast<int>(op.protect_functions.size());
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

}  // namespace fedgate::disclosure
