// Disclosure control over an output aggregate's rows (the kProtect operator), with
// hand-computed expectations: threshold edges, rounding, midpoint-6.

#include <gtest/gtest.h>

#include "common/error.h"

#include "planner/binder.h"
#include "planner/disclosure.h"
#include "planner/exec/operator.h"
#include "planner/logical_plan.h"

namespace fedgate::planner {
namespace {

// Rows (group key, count, sum, persons) as a UNION ALL of VALUES, under a kProtect.
LogicalOpPtr Table(const std::vector<std::tuple<std::string, int64_t, int64_t, int64_t>>& rows,
                   std::shared_ptr<const sdc::Rules> rules) {
  auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
  std::vector<OutputColumn> columns = {{"k", DataType::Text(), false, true},
                                       {"count", DataType::Int64(), false, false},
                                       {"sum", DataType::Int64(), false, false},
                                       {"__persons", DataType::Int64(), true, false}};
  for (const auto& [k, count, sum, persons] : rows) {
    auto v = std::make_unique<LogicalOp>(OpKind::kValues);
    v->exprs.push_back(BoundExpr::Constant(Value::Text(k)));
    v->exprs.push_back(BoundExpr::Constant(Value::Int(count)));
    v->exprs.push_back(BoundExpr::Constant(Value::Int(sum)));
    v->exprs.push_back(BoundExpr::Constant(Value::Int(persons)));
    v->columns = columns;
    u->children.push_back(std::move(v));
  }
  u->columns = columns;
  u->persons_column = 3;
  auto p = std::make_unique<LogicalOp>(OpKind::kProtect);
  p->columns = columns;
  p->columns.push_back({"__sdc", DataType::Int64(), true, false});
  p->persons_column = 3;
  p->rules = std::move(rules);
  p->protect_groups = 1;
  p->protect_kinds = {1, 2};
  p->children.push_back(std::move(u));
  return p;
}

struct Row {
  std::optional<int64_t> count, sum;
  sdc::CellRule count_rule, sum_rule;
};

std::vector<Row> Protect(const LogicalOp& plan) {
  exec::QueryMemory memory(64 << 20);
  exec::ExecContext ctx;
  ctx.memory = &memory;
  auto op = exec::BuildOperator(plan, ctx);
  op->Open();
  Batch all = exec::Drain(*op, ctx, plan.columns);
  std::vector<Row> out;
  for (size_t r = 0; r < all.rows; ++r) {
    Row row;
    if (!all.columns[1].IsNull(r)) row.count = all.columns[1].i64[r];
    if (!all.columns[2].IsNull(r)) row.sum = all.columns[2].i64[r];
    const int64_t code = all.columns[4].i64[r];
    row.count_rule = static_cast<sdc::CellRule>(code & 15);
    row.sum_rule = static_cast<sdc::CellRule>((code >> 4) & 15);
    out.push_back(row);
  }
  return out;
}

TEST(ProtectTest, ThresholdEdgesAndRoundingToFive) {
  auto rules = std::make_shared<sdc::Rules>();
  rules->min_persons = 10;
  rules->rounding = {sdc::Rounding::Kind::kBase, 5};
  auto plan = Table(
      {{"k-1", 9, 9, 9}, {"k", 10, 10, 10}, {"k+2", 12, 1234, 12}, {"big", 23, 1002, 20}}, rules);
  auto rows = Protect(*plan);
  ASSERT_EQ(rows.size(), 4u);
  // 9 persons: withheld (k - 1).
  EXPECT_FALSE(rows[0].count);
  EXPECT_FALSE(rows[0].sum);
  EXPECT_EQ(rows[0].count_rule, sdc::CellRule::kThreshold);
  // 10 persons: released (k); 10 is already a multiple of 5.
  EXPECT_EQ(rows[1].count, 10);
  EXPECT_EQ(rows[1].count_rule, sdc::CellRule::kNone);
  // 12 -> 10, 1234 -> 1235.
  EXPECT_EQ(rows[2].count, 10);
  EXPECT_EQ(rows[2].count_rule, sdc::CellRule::kRounded);
  EXPECT_EQ(rows[2].sum, 1235);
  EXPECT_EQ(rows[2].sum_rule, sdc::CellRule::kRounded);
  // 23 -> 25; 1002 -> 1000.
  EXPECT_EQ(rows[3].count, 25);
  EXPECT_EQ(rows[3].sum, 1000);
}

TEST(ProtectTest, MidpointSixAndThresholdOfOne) {
  auto rules = std::make_shared<sdc::Rules>();
  rules->min_persons = 1;
  rules->rounding = {sdc::Rounding::Kind::kMidpoint6, 0};
  auto plan =
      Table({{"none", 0, 0, 0}, {"a", 1, 1, 1}, {"b", 6, 6, 6}, {"c", 7, 7, 7}, {"d", 12, 12, 12}},
            rules);
  auto rows = Protect(*plan);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].count_rule, sdc::CellRule::kThreshold);  // 0 persons < 1
  EXPECT_EQ(rows[1].count, 3);
  EXPECT_EQ(rows[2].count, 3);
  EXPECT_EQ(rows[3].count, 9);
  EXPECT_EQ(rows[4].count, 9);
  EXPECT_EQ(rows[4].count_rule, sdc::CellRule::kRounded);
}

TEST(ProtectTest, NoRoundingLeavesValuesExact) {
  auto rules = std::make_shared<sdc::Rules>();
  rules->min_persons = 10;
  auto rows = Protect(*Table({{"x", 13, 1001, 11}}, rules));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].count, 13);
  EXPECT_EQ(rows[0].sum, 1001);
  EXPECT_EQ(rows[0].count_rule, sdc::CellRule::kNone);
}

// One row (person_id, x) whose person column carries lineage.
LogicalOpPtr PersonRow() {
  auto input = std::make_unique<LogicalOp>(OpKind::kValues);
  input->exprs.push_back(BoundExpr::Constant(Value::Null(DataType::Pseudonym())));
  input->exprs.push_back(BoundExpr::Constant(Value::Int(1)));
  input->columns = {{"person_id", DataType::Pseudonym(), false, false},
                    {"x", DataType::Int64(), false, false}};
  input->person_columns = {0};
  return input;
}

// Which aggregates disclosure control rounds: counts and sums, not averages or others.
TEST(ProtectTest, OutputAggregateKinds) {
  auto input = PersonRow();
  std::vector<AggregateCall> aggs;
  for (const char* fn : {"count_star", "sum", "avg", "max", "count"}) {
    AggregateCall a;
    a.fn = fn;
    if (std::string(fn) != "count_star") a.arg = BoundExpr::Column(1, DataType::Int64(), "x");
    a.type = std::string(fn) == "avg" ? DataType::Double() : DataType::Int64();
    aggs.push_back(std::move(a));
  }
  LogicalOpPtr plan = MakeAggregate(std::move(input), {}, std::move(aggs));
  auto rules = std::make_shared<sdc::Rules>();
  rules->extremes_allowed = true;
  ApplyDisclosureControl(plan, rules, "t");
  ASSERT_EQ(plan->kind, OpKind::kProtect);
  EXPECT_EQ(plan->protect_kinds, (std::vector<int>{1, 2, 4, 3, 1}));
  rules->extremes_allowed = false;
  LogicalOpPtr again = CloneSubtree(*plan->children[0]);
  EXPECT_THROW(ApplyDisclosureControl(again, rules, "t"), Error);  // max of person-level values
}

// Persons are counted up to min_persons (every use compares the count with it), except when
// the cell-key method needs every person's record key.
TEST(ProtectTest, PersonCountsCappedAtMinPersons) {
  auto plan_for = [](const sdc::Rules& r) {
    auto input = PersonRow();
    AggregateCall count;
    count.fn = "count_star";
    count.type = DataType::Int64();
    std::vector<AggregateCall> aggs;
    aggs.push_back(std::move(count));
    LogicalOpPtr plan = MakeAggregate(std::move(input), {}, std::move(aggs));
    ApplyDisclosureControl(plan, std::make_shared<sdc::Rules>(r), "t");
    return plan;
  };
  sdc::Rules rules;
  rules.min_persons = 7;
  LogicalOpPtr plan = plan_for(rules);
  ASSERT_EQ(plan->kind, OpKind::kProtect);
  ASSERT_EQ(plan->children[0]->kind, OpKind::kAggregate);
  EXPECT_EQ(plan->children[0]->persons_cap, 7);
  EXPECT_EQ(CloneSubtree(*plan)->children[0]->persons_cap, 7);
  rules.cell_key_perturbation = true;
  plan = plan_for(rules);
  EXPECT_GE(plan->children[0]->cellkey_column, 0);
  EXPECT_EQ(plan->children[0]->persons_cap, 0);
}

}  // namespace
}  // namespace fedgate::planner
