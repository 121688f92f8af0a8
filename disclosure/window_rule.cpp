#include "disclosure/window_rule.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "planner/function/window_functions.h"

namespace fedgate::disclosure {

using planner::BoundExpr;
using planner::BoundExprPtr;
using planner::LogicalOp;
using planner::OpKind;
using planner::WindowKind;

namespace {

// Whether the value of `e` carries a rank (a column in `ranks`): a condition on a rank (rn = 1,
// CASE WHEN rn <= 10 THEN cost END) selects rows and carries none; a rank in arithmetic does.
bool Reads(const BoundExpr& e, const std::vector<bool>& ranks) {
  if (e.IsColumn())
    return e.column >= 0 && static_cast<size_t>(e.column) < ranks.size() && ranks[e.column];
  if (e.kind != planner::BoundKind::kCall) return false;
  if (e.type.id == TypeId::kBool) return false;
  if (e.name == "case") {
    // when1, then1, ..., whenN, thenN, else: the results only.
    for (size_t i = 1; i < e.args.size(); i += 2) {
      if (Reads(*e.args[i], ranks)) return true;
    }
    return e.args.size() % 2 == 1 && Reads(*e.args.back(), ranks);
  }
  for (const auto& a : e.args) {
    if (Reads(*a, ranks)) return true;
  }
  return false;
}

[[noreturn]] void Refuse(const std::string& dsa, const std::string& why) {
  throw Error(ErrorCode::kPermissionDenied, "refused by rule 'window' of DSA " + dsa + ": " + why);
}

// `arg` where the row's person key (input column `person`) is not NULL, else NULL.
BoundExprPtr OwnPersonOnly(BoundExprPtr arg, int person) {
  const DataType type = arg->type;
  std::vector<BoundExprPtr> test;
  test.push_back(BoundExpr::Column(person, DataType::Pseudonym(), "__person"));
  std::vector<BoundExprPtr> args;
  args.push_back(BoundExpr::Call("is_not_null", DataType::Bool(), std::move(test)));
  args.push_back(std::move(arg));
  args.push_back(BoundExpr::Constant(planner::Value::Null(type)));
  return BoundExpr::Call("case", type, std::move(args));
}

void CheckWindow(LogicalOp& op, const std::vector<bool>& in, std::vector<bool>& out,
                 const std::string& dsa) {
  const LogicalOp& child = *op.children[0];
  const size_t width = child.columns.size();
  const bool person_level = !child.person_columns.empty();
  int person = -1;  // the partition key that is a person key
  for (const auto& p : op.window_partition) {
    if (p->IsColumn() &&
        std::count(child.person_columns.begin(), child.person_columns.end(), p->column) > 0) {
      person = p->column;
      break;
    }
  }
  bool reads_ranks = false;
  for (const auto& p : op.window_partition) reads_ranks |= Reads(*p, in);
  for (const auto& k : op.sort_keys) reads_ranks |= Reads(*k.expr, in);
  for (size_t w = 0; w < op.windows.size(); ++w) {
    planner::WindowCall& call = op.windows[w];
    const planner::WindowFunction* f = planner::FindWindowFunction(call.fn);
    bool rank = reads_ranks;
    for (const auto& a : call.args) rank |= Reads(*a, in);
    if (person_level && f->kind == WindowKind::kRanking) rank = true;
    if (person_level && f->kind != WindowKind::kRanking) {
      if (person < 0) {
        Refuse(dsa, call.ToString() +
                        " over rows of different persons would give one person's row another "
                        "person's value; partition the window by a person key (PARTITION BY "
                        "person_id), or aggregate per person first");
      }
      if (call.fn == "count_star") {
        call.fn = "count";
        call.args.push_back(BoundExpr::Constant(planner::Value::Int(1)));
      }
      // lag/lead's default (argument 3) is the row's own: it stays.
      const size_t read = call.fn == "lag" || call.fn == "lead" ? 1 : call.args.size();
      for (size_t a = 0; a < std::min(read, call.args.size()); ++a) {
        if (call.fn == "nth_value" && a == 1) continue;
        call.args[a] = OwnPersonOnly(std::move(call.args[a]), person);
      }
    }
    out[width + w] = rank;
  }
}

// Per output column of `op`: whether it holds, or is computed from, a rank over person-level
// rows. Refuses what the rule refuses below the top.
std::vector<bool> Ranks(LogicalOp& op, const std::string& dsa) {
  std::vector<std::vector<bool>> kids;
  for (auto& c : op.children) kids.push_back(Ranks(*c, dsa));
  std::vector<bool> out(op.columns.size(), false);
  auto pass = [&](const std::vector<bool>& in) {
    for (size_t i = 0; i < out.size() && i < in.size(); ++i) out[i] = in[i];
  };
  switch (op.kind) {
    case OpKind::kWindow:
      pass(kids[0]);
      CheckWindow(op, kids[0], out, dsa);
      break;
    case OpKind::kProject:
      for (size_t i = 0; i < op.exprs.size() && i < out.size(); ++i)
        out[i] = Reads(*op.exprs[i], kids[0]);
      break;
    case OpKind::kFilter:
    case OpKind::kSort:
    case OpKind::kLimit:
      pass(kids[0]);
      break;
    case OpKind::kJoin: {
      std::vector<bool> both = kids[0];
      both.insert(both.end(), kids[1].begin(), kids[1].end());
      pass(both);
      break;
    }
    case OpKind::kUnion:
      for (const auto& k : kids) {
        for (size_t i = 0; i < out.size() && i < k.size(); ++i) out[i] = out[i] || k[i];
      }
      break;
    case OpKind::kAggregate:
      for (const auto& a : op.aggregates) {
        if (a.arg && Reads(*a.arg, kids[0]) && a.fn != "count") {
          Refuse(dsa, a.ToString() +
                          " aggregates ranks of rows of different persons, which move with "
                          "one person's value; a rank may be grouped by, filtered on or "
                          "counted");
        }
      }
      break;  // group keys of ranks are groups like any other
    default:
      break;
  }
  return out;
}

}  // namespace

void ApplyWindowRule(LogicalOp& plan, const std::string& dsa) {
  const std::vector<bool> ranks = Ranks(plan, dsa);
  for (size_t i = 0; i < plan.columns.size() && i < ranks.size(); ++i) {
    if (ranks[i] && !plan.columns[i].hidden) {
      Refuse(dsa, "column " + plan.columns[i].name +
                      " is a rank over rows of persons, which is released only through an "
                      "aggregate (GROUP BY it, or count the rows it selects)");
    }
  }
}

}  // namespace fedgate::disclosure
