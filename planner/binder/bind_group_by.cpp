// GROUP BY (plain keys, ROLLUP, CUBE, GROUPING SETS, output positions and names), HAVING,
// and the aggregation they plan: the select list, ORDER BY and HAVING rewritten over the
// aggregate's output.
#include <algorithm>
#include <functional>

#include "common/error.h"
#include "planner/binder/bind_util.h"
#include "planner/binder/binder.h"
#include "sql/parser.h"

namespace fedgate::planner {

namespace {

// GROUP BY with grouping sets: one aggregation per set, each projected to the layout of an
// aggregation over all keys (keys absent from the set are NULL), then a hidden persons count
// and a hidden `__gset`: the bit mask of the keys in the row's set. A UNION ALL of those.
LogicalOpPtr MakeGroupingSets(LogicalOpPtr input, std::vector<BoundExprPtr> keys,
                              std::vector<AggregateCall> aggregates,
                              const std::vector<std::vector<int>>& sets) {
  auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
  for (const auto& set : sets) {
    std::vector<BoundExprPtr> groups;
    for (int k : set) groups.push_back(keys[k]->Clone());
    std::vector<AggregateCall> aggs;
    for (const auto& a : aggregates) aggs.push_back(a.Clone());
    auto agg = MakeAggregate(CloneSubtree(*input), std::move(groups), std::move(aggs));
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    int64_t mask = 0;
    for (size_t k = 0; k < keys.size(); ++k) {
      auto at = std::find(set.begin(), set.end(), static_cast<int>(k));
      if (at != set.end()) {
        mask |= int64_t{1} << k;
        p->exprs.push_back(
            BoundExpr::Column(static_cast<int>(at - set.begin()), keys[k]->type, ""));
      } else {
        p->exprs.push_back(BoundExpr::Constant(Value::Null(keys[k]->type)));
      }
      std::string name = keys[k]->IsColumn() ? keys[k]->name : keys[k]->ToString();
      auto dot = name.rfind('.');
      p->columns.push_back(
          {dot == std::string::npos ? name : name.substr(dot + 1), keys[k]->type, false, true});
    }
    for (size_t a = 0; a < aggregates.size(); ++a) {
      p->exprs.push_back(
          BoundExpr::Column(static_cast<int>(set.size() + a), aggregates[a].type, ""));
      p->columns.push_back({aggregates[a].fn == "count_star" ? "count" : aggregates[a].fn,
                            aggregates[a].type, false});
    }
    if (agg->persons_column >= 0) {
      p->exprs.push_back(BoundExpr::Column(agg->persons_column, DataType::Int64(), "__persons"));
      p->columns.push_back({"__persons", DataType::Int64(), true});
      p->persons_column = static_cast<int>(p->columns.size()) - 1;
    }
    p->exprs.push_back(BoundExpr::Constant(Value::Int(mask)));
    p->columns.push_back({"__gset", DataType::Int64(), true});
    p->children.push_back(std::move(agg));
    u->children.push_back(std::move(p));
  }
  u->columns = u->children[0]->columns;
  u->persons_column = u->children[0]->persons_column;
  return u;
}

// Rewrites an expression bound over the FROM scope (with aggregate placeholders) into one
// over the aggregate's output: group expressions become group columns, placeholders become
// aggregate columns; any other column reference is an error.
BoundExprPtr OverAggregate(BoundExprPtr e, const std::vector<BoundExprPtr>& groups,
                           const std::function<void(const BoundExpr&)>& not_grouped) {
  if (e->IsColumn() && e->column >= kWindowBase && e->column < kOuterBase) return e;
  if (e->IsColumn() && e->column >= kAggregateBase && e->column < kOuterBase) {
    e->column = static_cast<int>(groups.size()) + (e->column - kAggregateBase);
    return e;
  }
  if (e->kind != BoundKind::kConstant) {
    std::string key = e->ToString();
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g]->ToString() == key) return BoundExpr::Column(static_cast<int>(g), e->type, key);
    }
  }
  if (e->IsColumn()) not_grouped(*e);
  for (auto& a : e->args) a = OverAggregate(std::move(a), groups, not_grouped);
  return e;
}

}  // namespace

void Binder::ExpandGroupBy(const sql::SelectStmt& s, SelectState& st) {
  std::vector<const sql::Expr*>& key_exprs = st.key_exprs;
  std::vector<std::vector<int>>& grouping_sets = st.grouping_sets;
  for (const auto& g : s.group_by) {
    if (g->kind != sql::ExprKind::kGroupingSet) {
      key_exprs.push_back(g.get());
      for (auto& set : grouping_sets) set.push_back(static_cast<int>(key_exprs.size()) - 1);
      continue;
    }
    st.has_grouping_sets = true;
    auto sets = ExpandGroupingSet(*g, key_exprs);
    std::vector<std::vector<int>> product;
    for (const auto& base : grouping_sets) {
      for (const auto& set : sets) {
        auto combined = base;
        combined.insert(combined.end(), set.begin(), set.end());
        product.push_back(combined);
      }
    }
    grouping_sets = std::move(product);
  }
  if (st.has_grouping_sets) {
    // Cutting the totals is a disclosure matter: recorded here, refused by disclosure/.
    if ((s.having || s.limit || s.offset || s.distinct) && !grouping_sets_cut_)
      grouping_sets_cut_ =
          s.location >= 0 ? sql::LocationOf(sql_text_, s.location) : TextLocation{};
    if (grouping_sets.size() > 64) {
      Fail(ErrorCode::kInvalidArgument, "more than 64 grouping sets", s.location);
    }
  }
}

// The sets of keys of one GROUP BY item that is a grouping set; its key expressions are
// appended to `key_exprs`, and the sets hold their indexes.
std::vector<std::vector<int>> Binder::ExpandGroupingSet(
    const sql::Expr& e, std::vector<const sql::Expr*>& key_exprs) const {
  if (e.kind != sql::ExprKind::kGroupingSet) {
    key_exprs.push_back(&e);
    return {{static_cast<int>(key_exprs.size()) - 1}};
  }
  if (e.op == "empty") return {{}};
  std::vector<std::vector<int>> items;  // each argument as one set of keys
  if (e.op == "simple" || e.op == "rollup" || e.op == "cube") {
    for (const auto& a : e.args) {
      std::vector<int> item;
      for (const auto& set : ExpandGroupingSet(*a, key_exprs))
        item.insert(item.end(), set.begin(), set.end());
      items.push_back(item);
    }
  }
  std::vector<std::vector<int>> out;
  if (e.op == "simple") {
    std::vector<int> all;
    for (const auto& item : items) all.insert(all.end(), item.begin(), item.end());
    out.push_back(all);
  } else if (e.op == "rollup") {
    for (size_t n = items.size() + 1; n-- > 0;) {
      std::vector<int> set;
      for (size_t i = 0; i < n; ++i) set.insert(set.end(), items[i].begin(), items[i].end());
      out.push_back(set);
    }
  } else if (e.op == "cube") {
    if (items.size() > 6)
      Fail(ErrorCode::kInvalidArgument, "CUBE of more than 6 items", e.location);
    for (size_t mask = (size_t{1} << items.size()); mask-- > 0;) {
      std::vector<int> set;
      for (size_t i = 0; i < items.size(); ++i) {
        if (mask & (size_t{1} << i)) set.insert(set.end(), items[i].begin(), items[i].end());
      }
      out.push_back(set);
    }
  } else {  // GROUPING SETS (...)
    for (const auto& a : e.args) {
      for (auto& set : ExpandGroupingSet(*a, key_exprs)) out.push_back(set);
    }
  }
  return out;
}

std::vector<BoundExprPtr> Binder::BindGroupKeys(SelectState& st) {
  const auto& targets = st.targets;
  const auto& exprs = st.exprs;
  std::vector<BoundExprPtr> groups;
  for (const sql::Expr* g : st.key_exprs) {
    BoundExprPtr bound;
    if (g->kind == sql::ExprKind::kLiteral && g->literal_kind == sql::LiteralKind::kInteger) {
      const int64_t n = WholeNumber(g->literal).value_or(INT64_MAX);
      if (n < 1 || n > static_cast<int64_t>(targets.size())) {
        Fail(ErrorCode::kInvalidArgument,
             "GROUP BY position " + g->literal + " is not in select list", g->location);
      }
      bound = exprs[n - 1]->Clone();
    } else {
      ExprContext gctx{&st.scope, nullptr, "GROUP BY"};
      try {
        bound = BindExpr(*g, gctx);
      } catch (const Error& err) {
        // PostgreSQL also accepts an output column name in GROUP BY.
        bool alias = false;
        if (g->kind == sql::ExprKind::kColumnRef && g->names.size() == 1 &&
            err.code() == ErrorCode::kNotFound) {
          for (size_t i = 0; i < targets.size(); ++i) {
            if (targets[i].name == g->names[0]) {
              bound = exprs[i]->Clone();
              alias = true;
              break;
            }
          }
        }
        if (!alias) throw;
      }
    }
    // Anywhere in the key, not only at its top: GROUP BY 2 where item 2 is
    // round(sum(x) / count(*), 2) reached the optimizer (found by fuzzing).
    bool has_aggregate = false, has_window = false;
    VisitColumns(*bound, [&](const BoundExpr& c) {
      has_aggregate |= c.column >= kAggregateBase && c.column < kWindowBase;
      has_window |= c.column >= kWindowBase && c.column < kOuterBase;
    });
    if (has_window) {
      Fail(ErrorCode::kInvalidArgument, "window functions are not allowed in GROUP BY",
           g->location);
    }
    if (has_aggregate) {
      Fail(ErrorCode::kInvalidArgument, "aggregate functions are not allowed in GROUP BY",
           g->location);
    }
    groups.push_back(std::move(bound));
  }
  return groups;
}

LogicalOpPtr Binder::PlanAggregation(LogicalOpPtr op, const sql::SelectStmt& s, SelectState& st) {
  std::vector<BoundExprPtr> groups = BindGroupKeys(st);
  BoundExprPtr having;
  if (s.having) {
    ExprContext hctx{&st.scope, &st.aggregates, "HAVING", nullptr};
    having = BindExpr(*s.having, hctx);
  }
  if (st.has_grouping_sets) {
    // One key per distinct expression: ROLLUP (a, b), a names `a` twice.
    std::vector<int> remap(groups.size());
    std::vector<BoundExprPtr> unique;
    for (size_t i = 0; i < groups.size(); ++i) {
      remap[i] = -1;
      for (size_t j = 0; j < unique.size(); ++j) {
        if (unique[j]->ToString() == groups[i]->ToString()) remap[i] = static_cast<int>(j);
      }
      if (remap[i] < 0) {
        remap[i] = static_cast<int>(unique.size());
        unique.push_back(std::move(groups[i]));
      }
    }
    groups = std::move(unique);
    for (auto& set : st.grouping_sets) {
      std::vector<int> mapped;
      for (int k : set) {
        if (std::find(mapped.begin(), mapped.end(), remap[k]) == mapped.end())
          mapped.push_back(remap[k]);
      }
      set = std::move(mapped);
    }
    st.key_exprs.resize(groups.size());
  }
  auto fail_not_grouped = [&](const BoundExpr& c) {
    Fail(ErrorCode::kInvalidArgument,
         "column \"" + c.name +
             "\" must appear in the GROUP BY clause or be used in an aggregate function",
         s.location);
  };
  for (auto& e : st.exprs) e = OverAggregate(std::move(e), groups, fail_not_grouped);
  for (auto& o : st.order) {
    if (o.extra) o.extra = OverAggregate(std::move(o.extra), groups, fail_not_grouped);
  }
  if (having) having = OverAggregate(std::move(having), groups, fail_not_grouped);
  for (auto& w : st.windows) {
    for (auto& a : w.call.args) a = OverAggregate(std::move(a), groups, fail_not_grouped);
    for (auto& p : w.partition) p = OverAggregate(std::move(p), groups, fail_not_grouped);
    for (auto& k : w.order) k.expr = OverAggregate(std::move(k.expr), groups, fail_not_grouped);
  }
  if (st.has_grouping_sets) {
    op = MakeGroupingSets(std::move(op), std::move(groups), std::move(st.aggregates),
                          st.grouping_sets);
    // The grouping set of each row and every key, hidden, for secondary suppression.
    const int width = static_cast<int>(op->columns.size());
    st.exprs.push_back(BoundExpr::Column(width - 1, DataType::Int64(), "__gset"));
    st.hidden_names.push_back("__gset");
    for (size_t k = 0; k < st.key_exprs.size(); ++k) {
      st.exprs.push_back(BoundExpr::Column(static_cast<int>(k), op->columns[k].type, "__gkey"));
      st.hidden_names.push_back("__gkey" + std::to_string(k));
    }
  } else {
    op = MakeAggregate(std::move(op), std::move(groups), std::move(st.aggregates));
  }
  if (having) op = MakeFilter(std::move(op), std::move(having));
  return op;
}

}  // namespace fedgate::planner
