// Disclosure control over an output aggregate's rows (kProtect, the Ledger, Release), with
// hand-computed expectations: threshold edges, rounding, midpoint-6, p%, zeros,
// redact-then-round with totals as sums, means of few persons, the evidence, and any number
// of aggregates.

#include <gtest/gtest.h>

#include "common/error.h"
#include "disclosure/evidence_json.h"
#include "disclosure/ledger.h"
#include "disclosure/plan.h"
#include "disclosure/release.h"
#include "planner/binder/binder.h"
#include "planner/exec/operator.h"
#include "planner/logical_plan.h"

namespace fedgate::disclosure {
namespace {

using namespace planner;  // NOLINT: the test builds plans by hand

// One input row: group key, then the aggregates' values, then persons.
struct In {
  std::string key;
  std::vector<std::optional<int64_t>> values;
  int64_t persons;
  int64_t set = 1;  // grouping set (1: the key is grouped; 0: the total row)
};

// Rows as a UNION ALL of VALUES under a kProtect whose aggregates are `functions`. Columns:
// k, __gset, __gkey0 (the groups), the aggregates, __persons.
LogicalOpPtr Table(const std::vector<In>& rows, const std::vector<std::string>& functions) {
  std::vector<OutputColumn> columns = {{"k", DataType::Text(), false, true},
                                       {"__gset", DataType::Int64(), true, true},
                                       {"__gkey0", DataType::Text(), true, true}};
  for (size_t a = 0; a < functions.size(); ++a)
    columns.push_back({functions[a] + std::to_string(a), DataType::Int64(), false, false});
  columns.push_back({"__persons", DataType::Int64(), true, false});
  const int persons = static_cast<int>(columns.size()) - 1;
  auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
  for (const auto& row : rows) {
    auto v = std::make_unique<LogicalOp>(OpKind::kValues);
    const Value key = row.set ? Value::Text(row.key) : Value::Null(DataType::Text());
    v->exprs.push_back(BoundExpr::Constant(key));
    v->exprs.push_back(BoundExpr::Constant(Value::Int(row.set)));
    v->exprs.push_back(BoundExpr::Constant(key));
    for (const auto& x : row.values)
      v->exprs.push_back(BoundExpr::Constant(x ? Value::Int(*x) : Value::Null(DataType::Int64())));
    v->exprs.push_back(BoundExpr::Constant(Value::Int(row.persons)));
    v->columns = columns;
    u->children.push_back(std::move(v));
  }
  u->columns = columns;
  u->persons_column = persons;
  auto p = std::make_unique<LogicalOp>(OpKind::kProtect);
  p->columns = columns;
  p->columns.push_back({"__sdc", DataType::Int64(), true, false});
  p->persons_column = persons;
  p->protect_groups = 3;
  p->protect_functions = functions;
  p->children.push_back(std::move(u));
  return p;
}

struct Result {
  Batch rows;  // visible columns: k, then the aggregates
  Released released;
  std::optional<int64_t> Value(size_t row, size_t aggregate) const {
    const Column& c = rows.columns[1 + aggregate];
    if (c.IsNull(row)) return std::nullopt;
    return c.i64[row];
  }
  Rule RuleAt(size_t row, size_t aggregate) const {
    return static_cast<Rule>(released.cell_rules[row * released.columns + 1 + aggregate]);
  }
};

Result Protected(const LogicalOp& plan, const Rules& rules) {
  auto shared = std::make_shared<const Rules>(rules);
  Ledger ledger(shared);
  exec::QueryMemory memory(64 << 20);
  exec::ExecContext ctx;
  ctx.memory = &memory;
  ctx.protector = &ledger;
  auto op = exec::BuildOperator(plan, ctx);
  op->Open();
  Batch all = exec::Drain(*op, ctx, plan.columns);
  std::vector<size_t> visible;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    if (!plan.columns[c].hidden) visible.push_back(c);
  }
  Pseudonymiser key("test-output-key", "t#output");
  Result out;
  out.released = Release(plan, visible, all, &ledger, shared, key);
  out.rows.rows = all.rows;
  for (size_t c : visible) out.rows.columns.push_back(std::move(all.columns[c]));
  return out;
}

Rules Base(int64_t min_persons) {
  Rules r;
  r.min_persons = min_persons;
  return r;
}

TEST(DisclosureProtectTest, ThresholdEdgesAndRoundingToFive) {
  Rules rules = Base(10);
  rules.rounding = {Rounding::Kind::kBase, 5};
  auto r = Protected(*Table({{"k-1", {9, 9}, 9},
                             {"k", {10, 10}, 10},
                             {"k+2", {12, 1234}, 12},
                             {"big", {23, 1002}, 20}},
                            {"count", "sum"}),
                     rules);
  ASSERT_EQ(r.rows.rows, 4u);
  EXPECT_FALSE(r.Value(0, 0));  // 9 persons: withheld (k - 1)
  EXPECT_FALSE(r.Value(0, 1));
  EXPECT_EQ(r.RuleAt(0, 0), Rule::kThreshold);
  EXPECT_EQ(r.Value(1, 0), 10);  // 10 persons: released (k), already a multiple of 5
  EXPECT_EQ(r.RuleAt(1, 0), Rule::kNone);
  EXPECT_EQ(r.Value(2, 0), 10);  // 12 -> 10, 1234 -> 1235
  EXPECT_EQ(r.RuleAt(2, 0), Rule::kRounded);
  EXPECT_EQ(r.Value(2, 1), 1235);
  EXPECT_EQ(r.RuleAt(2, 1), Rule::kRounded);
  EXPECT_EQ(r.Value(3, 0), 25);  // 23 -> 25; 1002 -> 1000
  EXPECT_EQ(r.Value(3, 1), 1000);
  EXPECT_EQ(r.released.suppressed_rows, 1);
}

TEST(DisclosureProtectTest, MidpointSixAndThresholdOfOne) {
  Rules rules = Base(1);
  rules.rounding = {Rounding::Kind::kMidpoint6, 0};
  auto r = Protected(*Table({{"none", {0, 0}, 0},
                             {"a", {1, 1}, 1},
                             {"b", {6, 6}, 6},
                             {"c", {7, 7}, 7},
                             {"d", {12, 12}, 12}},
                            {"count", "sum"}),
                     rules);
  ASSERT_EQ(r.rows.rows, 5u);
  EXPECT_EQ(r.RuleAt(0, 0), Rule::kThreshold);  // 0 persons < 1
  EXPECT_EQ(r.Value(1, 0), 3);
  EXPECT_EQ(r.Value(2, 0), 3);
  EXPECT_EQ(r.Value(3, 0), 9);
  EXPECT_EQ(r.Value(4, 0), 9);
  EXPECT_EQ(r.RuleAt(4, 0), Rule::kRounded);
}

TEST(DisclosureProtectTest, NoRoundingLeavesValuesExact) {
  auto r = Protected(*Table({{"x", {13, 1001}, 11}}, {"count", "sum"}), Base(10));
  EXPECT_EQ(r.Value(0, 0), 13);
  EXPECT_EQ(r.Value(0, 1), 1001);
  EXPECT_EQ(r.RuleAt(0, 0), Rule::kNone);
}

// Zeros disclosive: a zero count of a released group says "none of these persons has it".
TEST(DisclosureProtectTest, ZerosWithheldWhenDisclosive) {
  Rules rules = Base(10);
  auto table = Table({{"a", {0, 0}, 12}, {"b", {4, 3}, 12}}, {"count", "sum"});
  auto safe = Protected(*table, rules);
  EXPECT_EQ(safe.Value(0, 0), 0);
  rules.zeros_disclosive = true;
  auto r = Protected(*table, rules);
  EXPECT_FALSE(r.Value(0, 0));
  EXPECT_EQ(r.RuleAt(0, 0), Rule::kZero);
  EXPECT_EQ(r.RuleAt(0, 1), Rule::kZero);  // a zero sum of an indicator too
  EXPECT_EQ(r.Value(1, 0), 4);
  EXPECT_EQ(r.released.rule_counts.at("zero"), 2);
}

// OpenSAFELY: counts <= 7 withheld, others rounded to 5, and a total is the sum of its
// released cells (so the withheld cell cannot be recovered from it).
TEST(DisclosureProtectTest, RedactThenRoundWithTotalsAsSums) {
  Rules rules = Base(1);
  rules.redact_at_or_below = 7;
  rules.rounding = {Rounding::Kind::kBase, 5};
  auto r = Protected(
      *Table({{"a", {6}, 6}, {"b", {8}, 8}, {"c", {23}, 23}, {"d", {7}, 7}, {"", {44}, 44, 0}},
             {"count"}),
      rules);
  ASSERT_EQ(r.rows.rows, 5u);
  EXPECT_FALSE(r.Value(0, 0));
  EXPECT_EQ(r.RuleAt(0, 0), Rule::kRedacted);
  EXPECT_EQ(r.Value(1, 0), 10);  // 8 -> 10
  EXPECT_EQ(r.Value(2, 0), 25);  // 23 -> 25
  EXPECT_FALSE(r.Value(3, 0));   // 7: at the limit, withheld
  EXPECT_EQ(r.Value(4, 0), 35);  // the total: 10 + 25, not round(44) = 45
  EXPECT_EQ(r.RuleAt(4, 0), Rule::kSummed);
  // No secondary suppression is needed: nothing withheld can be recovered.
  EXPECT_EQ(r.released.rule_counts.count("secondary"), 0u);
}

// Without redact-then-round, the same table needs a complementary suppression.
TEST(DisclosureProtectTest, SecondarySuppressionWithoutRedaction) {
  auto r = Protected(
      *Table({{"a", {6}, 6}, {"b", {18}, 18}, {"c", {23}, 23}, {"", {47}, 47, 0}}, {"count"}),
      Base(10));
  EXPECT_EQ(r.RuleAt(0, 0), Rule::kThreshold);
  EXPECT_EQ(r.RuleAt(1, 0), Rule::kSecondary);  // the smallest other cell of the line
  EXPECT_EQ(r.Value(2, 0), 23);
  EXPECT_EQ(r.Value(3, 0), 47);
}

TEST(DisclosureProtectTest, MeansOfFewPersonsWithheld) {
  Rules rules = Base(5);
  rules.mean_min_persons = 10;
  auto r =
      Protected(*Table({{"few", {6, 100}, 6}, {"many", {12, 200}, 12}}, {"count", "avg"}), rules);
  EXPECT_EQ(r.Value(0, 0), 6);  // the count of 6 persons passes min_persons 5
  EXPECT_FALSE(r.Value(0, 1));
  EXPECT_EQ(r.RuleAt(0, 1), Rule::kMean);
  EXPECT_EQ(r.Value(1, 1), 200);
}

// More aggregates than the 16 a packed code once held: every one keeps its mark.
TEST(DisclosureProtectTest, AnyNumberOfAggregatesKeepTheirMarks) {
  Rules rules = Base(10);
  rules.rounding = {Rounding::Kind::kBase, 5};
  std::vector<std::string> functions(40, "count");
  std::vector<std::optional<int64_t>> values;
  for (int a = 0; a < 40; ++a) values.push_back(a % 5 == 0 ? 20 : 21);
  auto r = Protected(*Table({{"x", values, 30}}, functions), rules);
  for (size_t a = 0; a < 40; ++a)
    EXPECT_EQ(r.RuleAt(0, a), a % 5 == 0 ? Rule::kNone : Rule::kRounded) << a;
}

// The evidence names each rule checked and never a value or a person count.
TEST(DisclosureProtectTest, EvidenceSaysWhyWithoutTheData) {
  Rules rules = Base(10);
  rules.rounding = {Rounding::Kind::kBase, 5};
  auto r =
      Protected(*Table({{"a", {9, 9}, 9}, {"b", {1234, 5678}, 1234}}, {"count", "sum"}), rules);
  const nlohmann::json j = DisclosureJson(r.released, true);
  ASSERT_EQ(j["evidence"].size(), 4u);
  const auto& first = j["evidence"][0];
  EXPECT_EQ(first["rule"], "threshold");
  EXPECT_EQ(first["checks"][0]["rule"], "threshold");
  EXPECT_EQ(first["checks"][0]["verdict"], "changed");
  EXPECT_EQ(first["checks"][0]["inputs"], "persons < 10");
  const auto& count_b = j["evidence"][2];
  EXPECT_EQ(count_b["rule"], "rounded");
  EXPECT_EQ(count_b["checks"][0]["inputs"], "persons >= 10");
  EXPECT_EQ(count_b["checks"][1]["rule"], "rounded");
  const std::string text = j.dump();
  for (const char* secret : {"1234", "5678", "9,", "1233"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
}

// One row (person_id, x) whose person column carries lineage.
LogicalOpPtr PersonRow() {
  auto input = std::make_unique<LogicalOp>(OpKind::kValues);
  input->exprs.push_back(BoundExpr::Constant(planner::Value::Null(DataType::Pseudonym())));
  input->exprs.push_back(BoundExpr::Constant(planner::Value::Int(1)));
  input->columns = {{"person_id", DataType::Pseudonym(), false, false},
                    {"x", DataType::Int64(), false, false}};
  input->person_columns = {0};
  return input;
}

LogicalOpPtr Aggregate(const std::vector<std::string>& functions) {
  std::vector<AggregateCall> aggs;
  for (const auto& fn : functions) {
    AggregateCall a;
    a.fn = fn;
    if (fn != "count_star") a.arg = BoundExpr::Column(1, DataType::Int64(), "x");
    a.type = fn == "avg" ? DataType::Double() : DataType::Int64();
    aggs.push_back(std::move(a));
  }
  return MakeAggregate(PersonRow(), {}, std::move(aggs));
}

// Which aggregates disclosure control protects, and MIN/MAX refused by rule 'extremes'.
TEST(DisclosureProtectTest, OutputAggregateKinds) {
  LogicalOpPtr plan = Aggregate({"count_star", "sum", "avg", "max", "count"});
  auto rules = std::make_shared<Rules>();
  rules->extremes_allowed = true;
  ApplyDisclosureControl(plan, rules, "t");
  ASSERT_EQ(plan->kind, OpKind::kProtect);
  std::vector<CellKind> kinds;
  for (const auto& fn : plan->protect_functions) kinds.push_back(KindOfAggregate(fn));
  EXPECT_EQ(kinds, (std::vector<CellKind>{CellKind::kCount, CellKind::kSum, CellKind::kMean,
                                          CellKind::kOther, CellKind::kCount}));
  rules->extremes_allowed = false;
  LogicalOpPtr again = CloneSubtree(*plan->children[0]);
  try {
    ApplyDisclosureControl(again, rules, "t");
    FAIL() << "max of person-level values was allowed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(std::string(e.what()).find("rule 'extremes'"), std::string::npos);
  }
}

// Persons are counted up to the largest threshold (every use compares the count with it),
// except when the cell-key method needs every person's record key; p% and dominance ask
// for the two (or n) largest contributions of sums and means only.
TEST(DisclosureProtectTest, WhatTheAggregateIsAskedFor) {
  auto plan_for = [](const Rules& r) {
    LogicalOpPtr plan = Aggregate({"count_star", "sum", "avg"});
    ApplyDisclosureControl(plan, std::make_shared<Rules>(r), "t");
    return plan;
  };
  Rules rules;
  rules.min_persons = 7;
  LogicalOpPtr plan = plan_for(rules);
  ASSERT_EQ(plan->kind, OpKind::kProtect);
  ASSERT_EQ(plan->children[0]->kind, OpKind::kAggregate);
  EXPECT_EQ(plan->children[0]->persons_cap, 7);
  EXPECT_EQ(CloneSubtree(*plan)->children[0]->persons_cap, 7);
  EXPECT_EQ(plan->children[0]->contributions_column, -1);
  rules.mean_min_persons = 12;
  EXPECT_EQ(plan_for(rules)->children[0]->persons_cap, 12);
  rules.p_ratio = 0.1;
  plan = plan_for(rules);
  EXPECT_GE(plan->children[0]->contributions_column, 0);
  EXPECT_EQ(plan->children[0]->contributions_top, 2);
  EXPECT_EQ(plan->children[0]->contribution_aggregates, (std::vector<int>{1, 2}));
  rules.cell_key_perturbation = true;
  plan = plan_for(rules);
  EXPECT_GE(plan->children[0]->cellkey_column, 0);
  EXPECT_EQ(plan->children[0]->persons_cap, 0);
}

}  // namespace
}  // namespace fedgate::disclosure
