#include "planner/optimizer.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/error.h"
#include "planner/binder.h"
#include "planner/fragment_codec.h"
#include "planner/sql_writer.h"

namespace fedgate::planner {

namespace {

std::set<int> ColumnsOf(const BoundExpr& e) {
  std::set<int> out;
  VisitColumns(e, [&](const BoundExpr& c) { out.insert(c.column); });
  return out;
}

// `e` with every column reference i replaced by a copy of exprs[i].
BoundExprPtr Substitute(const BoundExpr& e, const std::vector<BoundExprPtr>& exprs) {
  if (e.IsColumn()) return exprs.at(static_cast<size_t>(e.column))->Clone();
  auto out = e.Clone();
  for (size_t i = 0; i < e.args.size(); ++i) out->args[i] = Substitute(*e.args[i], exprs);
  return out;
}

BoundExprPtr Shift(BoundExprPtr e, int delta) {
  std::function<void(BoundExpr&)> fix = [&](BoundExpr& x) {
    if (x.IsColumn()) x.column += delta;
    for (auto& a : x.args) fix(*a);
  };
  fix(*e);
  return e;
}

LogicalOpPtr WithFilters(LogicalOpPtr op, std::vector<BoundExprPtr> preds) {
  if (preds.empty()) return op;
  return MakeFilter(std::move(op), JoinConjuncts(std::move(preds)));
}

// ---------------------------------------------------------------------------------------
// Filter pushdown: conjuncts travel down until an operator stops them; what stops them
// becomes a filter right above it.

LogicalOpPtr PushFilters(LogicalOpPtr op, std::vector<BoundExprPtr> preds) {
  switch (op->kind) {
    case OpKind::kFilter: {
      for (auto& c : SplitConjuncts(std::move(op->predicate))) preds.push_back(std::move(c));
      return PushFilters(std::move(op->children[0]), std::move(preds));
    }
    case OpKind::kProject: {
      std::vector<BoundExprPtr> below;
      for (auto& p : preds) below.push_back(Substitute(*p, op->exprs));
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(below));
      return op;
    }
    case OpKind::kSort: {
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(preds));
      return op;
    }
    case OpKind::kUnion: {
      for (auto& child : op->children) {
        std::vector<BoundExprPtr> copy;
        for (const auto& p : preds) copy.push_back(p->Clone());
        child = PushFilters(std::move(child), std::move(copy));
      }
      return op;
    }
    case OpKind::kProtect: {
      // Group keys pass through disclosure control unchanged; the rest stays above it, so
      // it sees protected values.
      std::vector<BoundExprPtr> below, above;
      for (auto& p : preds) {
        auto cols = ColumnsOf(*p);
        bool keys_only = !cols.empty() && std::all_of(cols.begin(), cols.end(), [&](int c) {
          return c < op->protect_groups;
        });
        (keys_only ? below : above).push_back(std::move(p));
      }
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(below));
      return WithFilters(std::move(op), std::move(above));
    }
    case OpKind::kAggregate: {
      // Conjuncts on group keys only can filter the input instead (not for a global
      // aggregate: it returns one row even when its input is empty).
      std::vector<BoundExprPtr> below, above;
      const int ngroups = static_cast<int>(op->groups.size());
      for (auto& p : preds) {
        auto cols = ColumnsOf(*p);
        bool keys_only = ngroups > 0 &&
                         std::all_of(cols.begin(), cols.end(), [&](int c) { return c < ngroups; });
        if (keys_only) {
          below.push_back(Substitute(*p, op->groups));
        } else {
          above.push_back(std::move(p));
        }
      }
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(below));
      return WithFilters(std::move(op), std::move(above));
    }
    case OpKind::kJoin: {
      const int lw = static_cast<int>(op->children[0]->columns.size());
      const JoinKind kind = op->join;
      std::vector<BoundExprPtr> left, right, above, on;
      auto side = [&](const BoundExpr& e) {
        auto cols = ColumnsOf(e);
        bool l = std::any_of(cols.begin(), cols.end(), [&](int c) { return c < lw; });
        bool r = std::any_of(cols.begin(), cols.end(), [&](int c) { return c >= lw; });
        return l && r ? 3 : r ? 2 : l ? 1 : 0;
      };
      // Conjuncts from above, over the join's output.
      for (auto& p : preds) {
        int s = side(*p);
        bool semi = kind == JoinKind::kSemi || kind == JoinKind::kAnti;
        if (semi || ((s == 1 || s == 0) && (kind == JoinKind::kInner || kind == JoinKind::kCross ||
                                            kind == JoinKind::kLeft))) {
          left.push_back(std::move(p));
        } else if (s == 2 && (kind == JoinKind::kInner || kind == JoinKind::kCross ||
                              kind == JoinKind::kRight)) {
          right.push_back(Shift(std::move(p), -lw));
        } else if (s == 3 && (kind == JoinKind::kInner || kind == JoinKind::kCross)) {
          on.push_back(std::move(p));
        } else {
          above.push_back(std::move(p));
        }
      }
      // Conjuncts of the ON condition.
      if (op->predicate && !op->null_aware) {
        for (auto& c : SplitConjuncts(std::move(op->predicate))) {
          int s = side(*c);
          bool inner = kind == JoinKind::kInner || kind == JoinKind::kCross;
          if (s == 1 && (inner || kind == JoinKind::kRight || kind == JoinKind::kSemi)) {
            left.push_back(std::move(c));
          } else if (s == 2 && (inner || kind == JoinKind::kLeft || kind == JoinKind::kSemi ||
                                kind == JoinKind::kAnti)) {
            right.push_back(Shift(std::move(c), -lw));
          } else {
            on.push_back(std::move(c));
          }
        }
      }
      if (!op->null_aware) op->predicate = JoinConjuncts(std::move(on));
      if (op->join == JoinKind::kCross && op->predicate) op->join = JoinKind::kInner;
      op->children[0] = PushFilters(std::move(op->children[0]), std::move(left));
      op->children[1] = PushFilters(std::move(op->children[1]), std::move(right));
      return WithFilters(std::move(op), std::move(above));
    }
    default: {
      for (auto& child : op->children) child = PushFilters(std::move(child), {});
      return WithFilters(std::move(op), std::move(preds));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Per-person partial aggregation: an aggregate grouped by a person key over a UNION ALL
// becomes the same aggregate in every branch (each then one source's job: events become
// one row per person before they leave the source) and a final aggregate over the partial
// results.

bool Decomposable(const AggregateCall& a) {
  if (a.fn == "min" || a.fn == "max") return true;
  return !a.distinct && (a.fn == "count_star" || a.fn == "count" || a.fn == "sum");
}

// A projection over a UNION ALL becomes a UNION ALL of projections.
LogicalOpPtr DistributeProject(LogicalOpPtr op) {
  if (op->kind != OpKind::kProject) return op;
  op->children[0] = DistributeProject(std::move(op->children[0]));
  if (op->children[0]->kind != OpKind::kUnion) return op;
  LogicalOpPtr u = std::move(op->children[0]);
  auto out = std::make_unique<LogicalOp>(OpKind::kUnion);
  out->columns = op->columns;
  out->person_columns = op->person_columns;
  out->persons_column = op->persons_column;
  for (auto& child : u->children) {
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    p->columns = op->columns;
    p->person_columns = op->person_columns;
    p->persons_column = op->persons_column;
    for (const auto& e : op->exprs) p->exprs.push_back(e->Clone());
    p->children.push_back(std::move(child));
    out->children.push_back(std::move(p));
  }
  return out;
}

std::set<std::string> Sources(const LogicalOp& op) {
  std::set<std::string> out;
  VisitPlan(op, [&](const LogicalOp& n) {
    if (n.kind == OpKind::kGet) out.insert(n.table->source);
  });
  return out;
}

// A UNION ALL whose branches are themselves UNION ALLs (the binder nests `a UNION ALL b
// UNION ALL c` as ((a, b), c)), possibly under projections, becomes one flat UNION ALL.
// REQUIRES: op is a kUnion.
void FlattenUnion(LogicalOp& op) {
  std::vector<LogicalOpPtr> flat;
  for (auto& child : op.children) {
    LogicalOpPtr c = DistributeProject(std::move(child));
    if (c->kind == OpKind::kUnion) {
      FlattenUnion(*c);
      for (auto& grandchild : c->children) flat.push_back(std::move(grandchild));
    } else {
      flat.push_back(std::move(c));
    }
  }
  op.children = std::move(flat);
}

// Regroups a flat UNION ALL's branches so that branches of one source sit together under a
// UNION ALL of their own (which the splitter then sends as one query).
void GroupBranchesBySource(LogicalOp& u) {
  std::map<std::string, std::vector<LogicalOpPtr>> by_source;
  std::vector<LogicalOpPtr> mixed;
  std::vector<std::string> order;
  for (auto& branch : u.children) {
    auto sources = Sources(*branch);
    if (sources.size() != 1) {
      mixed.push_back(std::move(branch));
      continue;
    }
    const std::string& s = *sources.begin();
    if (!by_source.count(s)) order.push_back(s);
    by_source[s].push_back(std::move(branch));
  }
  std::vector<LogicalOpPtr> out;
  for (const auto& s : order) {
    auto& group = by_source[s];
    if (group.size() == 1) {
      out.push_back(std::move(group[0]));
      continue;
    }
    auto sub = std::make_unique<LogicalOp>(OpKind::kUnion);
    sub->columns = u.columns;
    sub->person_columns = u.person_columns;
    sub->persons_column = u.persons_column;
    sub->children = std::move(group);
    out.push_back(std::move(sub));
  }
  for (auto& m : mixed) out.push_back(std::move(m));
  u.children = std::move(out);
}

LogicalOpPtr PartialAggregation(LogicalOpPtr op) {
  for (auto& child : op->children) child = PartialAggregation(std::move(child));
  if (op->kind != OpKind::kAggregate || !op->per_person || op->raw_person_keys ||
      op->combines_partials)
    return op;
  if (!std::all_of(op->aggregates.begin(), op->aggregates.end(), Decomposable)) return op;
  op->children[0] = DistributeProject(std::move(op->children[0]));
  if (op->children[0]->kind != OpKind::kUnion) {
    // One input: still split, so the source groups by its raw identifier.
    auto u = std::make_unique<LogicalOp>(OpKind::kUnion);
    u->columns = op->children[0]->columns;
    u->person_columns = op->children[0]->person_columns;
    u->persons_column = op->children[0]->persons_column;
    u->children.push_back(std::move(op->children[0]));
    op->children[0] = std::move(u);
  }
  LogicalOp& u = *op->children[0];
  FlattenUnion(u);
  GroupBranchesBySource(u);
  // Every branch must carry person lineage in the same columns, so each partial aggregate
  // is per person too.
  for (const auto& branch : u.children) {
    if (branch->person_columns != u.person_columns) return op;
  }
  const size_t ng = op->groups.size();
  auto partials = std::make_unique<LogicalOp>(OpKind::kUnion);
  for (auto& branch : u.children) {
    std::vector<BoundExprPtr> groups;
    for (const auto& g : op->groups) groups.push_back(g->Clone());
    std::vector<AggregateCall> aggs;
    for (const auto& a : op->aggregates) aggs.push_back(a.Clone());
    auto partial = MakeAggregate(std::move(branch), std::move(groups), std::move(aggs));
    if (!partial->per_person)
      throw Error(ErrorCode::kInternal, "partial aggregate lost its person key");
    partial->raw_person_keys = true;
    partials->children.push_back(std::move(partial));
  }
  partials->columns = partials->children[0]->columns;
  partials->person_columns = partials->children[0]->person_columns;
  std::vector<BoundExprPtr> groups;
  for (size_t g = 0; g < ng; ++g) {
    groups.push_back(
        BoundExpr::Column(static_cast<int>(g), op->groups[g]->type, partials->columns[g].name));
  }
  std::vector<AggregateCall> finals;
  for (size_t a = 0; a < op->aggregates.size(); ++a) {
    const AggregateCall& orig = op->aggregates[a];
    AggregateCall f;
    f.fn = orig.fn == "count" || orig.fn == "count_star" ? "sum" : orig.fn;
    f.type = orig.type;
    f.arg = BoundExpr::Column(static_cast<int>(ng + a), orig.type, partials->columns[ng + a].name);
    finals.push_back(std::move(f));
  }
  LogicalOpPtr input = std::move(partials);
  if (input->children.size() == 1) input = std::move(input->children[0]);
  auto final_agg = MakeAggregate(std::move(input), std::move(groups), std::move(finals));
  final_agg->columns = op->columns;
  final_agg->combines_partials = true;
  return final_agg;
}

// ---------------------------------------------------------------------------------------
// Expression pushdown: an aggregate over a join whose group keys or aggregate arguments are
// expressions of one join input (an age band from a date of birth, say) gets them computed
// by a projection on that input, below the join: a source then evaluates them as part of its
// fragment, and the gateway only moves the result. Only the inputs whose rows are not
// NULL-extended by the join take expressions (an expression over a NULL-extended row need not
// be NULL, e.g. coalesce).

void RemapLineage(LogicalOp& op, const std::vector<int>& map);

LogicalOpPtr PushExpressionsBelowJoin(LogicalOpPtr op) {
  for (auto& child : op->children) child = PushExpressionsBelowJoin(std::move(child));
  if (op->kind != OpKind::kAggregate || op->children[0]->kind != OpKind::kJoin) return op;
  LogicalOp& join = *op->children[0];
  const JoinKind kind = join.join;
  if (kind == JoinKind::kSemi || kind == JoinKind::kAnti || kind == JoinKind::kFull) return op;
  const int lw = static_cast<int>(join.children[0]->columns.size());
  const int rw = static_cast<int>(join.children[1]->columns.size());
  const bool left_ok = kind != JoinKind::kRight, right_ok = kind != JoinKind::kLeft;

  // The expressions to move: 0 = stays, 1 = left input, 2 = right input.
  std::vector<BoundExprPtr*> slots;
  for (auto& g : op->groups) slots.push_back(&g);
  for (auto& a : op->aggregates) {
    if (a.arg) slots.push_back(&a.arg);
  }
  std::vector<int> side(slots.size(), 0);
  bool any = false;
  for (size_t i = 0; i < slots.size(); ++i) {
    const BoundExpr& e = **slots[i];
    if (e.kind != BoundKind::kCall) continue;
    auto cols = ColumnsOf(e);
    if (cols.empty()) continue;
    bool all_left = std::all_of(cols.begin(), cols.end(), [&](int c) { return c < lw; });
    bool all_right = std::all_of(cols.begin(), cols.end(), [&](int c) { return c >= lw; });
    if (all_left && left_ok) side[i] = 1;
    if (all_right && right_ok) side[i] = 2;
    any |= side[i] != 0;
  }
  if (!any) return op;

  // Each input with expressions becomes a projection: its columns, then the expressions.
  std::vector<int> new_index[3];
  for (int s = 1; s <= 2; ++s) {
    LogicalOpPtr& input = join.children[s - 1];
    const int width = static_cast<int>(input->columns.size());
    const int base = s == 1 ? 0 : lw;
    std::vector<BoundExprPtr> exprs;
    std::vector<OutputColumn> columns = input->columns;
    for (int c = 0; c < width; ++c)
      exprs.push_back(BoundExpr::Column(c, input->columns[c].type, input->columns[c].name));
    new_index[s].assign(slots.size(), -1);
    for (size_t i = 0; i < slots.size(); ++i) {
      if (side[i] != s) continue;
      BoundExprPtr e = (*slots[i])->Clone();
      if (s == 2) e = Shift(std::move(e), -base);
      new_index[s][i] = static_cast<int>(exprs.size());
      columns.push_back({"__expr" + std::to_string(i + 1), e->type, true, false});
      exprs.push_back(std::move(e));
    }
    if (static_cast<int>(exprs.size()) == width) continue;
    auto p = std::make_unique<LogicalOp>(OpKind::kProject);
    p->columns = std::move(columns);
    p->person_columns = input->person_columns;
    p->persons_column = input->persons_column;
    p->exprs = std::move(exprs);
    p->children.push_back(std::move(input));
    input = std::move(p);
  }
  const int new_lw = static_cast<int>(join.children[0]->columns.size());
  // Old join output index -> new.
  std::vector<int> map(static_cast<size_t>(lw + rw));
  for (int c = 0; c < lw + rw; ++c) map[c] = c < lw ? c : c - lw + new_lw;
  if (join.predicate) RemapColumns(*join.predicate, map);
  if (join.residual) RemapColumns(*join.residual, map);
  join.columns = join.children[0]->columns;
  join.columns.insert(join.columns.end(), join.children[1]->columns.begin(),
                      join.children[1]->columns.end());
  RemapLineage(join, map);
  for (size_t i = 0; i < slots.size(); ++i) {
    BoundExprPtr& e = *slots[i];
    if (side[i] == 0) {
      RemapColumns(*e, map);
    } else {
      int index = side[i] == 1 ? new_index[1][i] : new_lw + new_index[2][i];
      e = BoundExpr::Column(index, e->type, e->ToString());
    }
  }
  for (auto& e : op->person_inputs) RemapColumns(*e, map);
  if (op->persons_input >= 0) op->persons_input = map[op->persons_input];
  return op;
}

// ---------------------------------------------------------------------------------------
// Semi-join reduction: a cohort filter (a semi-join on a person key) applied below a
// per-person aggregate, and to both inputs of a join on that key, so rows of people outside
// the cohort are dropped as they arrive instead of after being joined or aggregated.

// The left column of a semi-join whose condition is exactly `left_person = right_column`
// (a cohort filter), or -1.
int CohortKey(const LogicalOp& join) {
  if (join.kind != OpKind::kJoin || join.join != JoinKind::kSemi || !join.predicate) return -1;
  const BoundExpr& p = *join.predicate;
  if (p.name != "=" || p.args.size() != 2 || !p.args[0]->IsColumn() || !p.args[1]->IsColumn())
    return -1;
  const int lw = static_cast<int>(join.children[0]->columns.size());
  int l = p.args[0]->column, r = p.args[1]->column;
  if (l >= lw) std::swap(l, r);
  if (l >= lw || r < lw) return -1;
  const auto& pc = join.children[0]->person_columns;
  return std::count(pc.begin(), pc.end(), l) ? l : -1;
}

// The cohort of a semi-join: its right input and which of its columns holds the key.
struct Cohort {
  const LogicalOp* subtree;
  int column;
};

Cohort CohortOf(const LogicalOp& semi) {
  const int lw = static_cast<int>(semi.children[0]->columns.size());
  const BoundExpr& p = *semi.predicate;
  int r = p.args[0]->column >= lw ? p.args[0]->column : p.args[1]->column;
  return {semi.children[1].get(), r - lw};
}

LogicalOpPtr MakeSemi(LogicalOpPtr input, int key, const Cohort& cohort) {
  const int lw = static_cast<int>(input->columns.size());
  auto join = std::make_unique<LogicalOp>(OpKind::kJoin);
  join->join = JoinKind::kSemi;
  join->columns = input->columns;
  join->person_columns = input->person_columns;
  join->persons_column = input->persons_column;
  std::vector<BoundExprPtr> eq;
  eq.push_back(BoundExpr::Column(key, DataType::Pseudonym(), input->columns[key].name));
  eq.push_back(BoundExpr::Column(lw + cohort.column, DataType::Pseudonym(), "cohort"));
  join->predicate = BoundExpr::Call("=", DataType::Bool(), std::move(eq));
  join->children.push_back(std::move(input));
  join->children.push_back(CloneSubtree(*cohort.subtree));
  return join;
}

// Pushes the cohort semi-join `semi` (whose input is its child 0) one level down when the
// input is a per-person aggregate or a join on the cohort key, and that input spans several
// sources (a single-source input is better left whole, to be pushed to its source).
LogicalOpPtr ReduceSemi(LogicalOpPtr semi) {
  int key = CohortKey(*semi);
  if (key < 0) return semi;
  LogicalOp& input = *semi->children[0];
  if (Sources(input).size() < 2) return semi;
  const Cohort cohort = CohortOf(*semi);  // stays valid: `semi` (and its right input) lives on
  if (input.kind == OpKind::kAggregate && input.per_person &&
      key < static_cast<int>(input.groups.size()) && input.groups[key]->IsColumn()) {
    LogicalOpPtr agg = std::move(semi->children[0]);
    int below = agg->groups[key]->column;
    agg->children[0] = ReduceSemi(MakeSemi(std::move(agg->children[0]), below, cohort));
    return agg;
  }
  if (input.kind == OpKind::kJoin && input.join == JoinKind::kInner && input.predicate &&
      input.predicate->name == "=" && input.predicate->args.size() == 2 &&
      input.predicate->args[0]->IsColumn() && input.predicate->args[1]->IsColumn()) {
    const int lw = static_cast<int>(input.children[0]->columns.size());
    int a = input.predicate->args[0]->column, b = input.predicate->args[1]->column;
    if (a >= lw) std::swap(a, b);
    const auto& lp = input.children[0]->person_columns;
    const auto& rp = input.children[1]->person_columns;
    if (a < lw && b >= lw && (key == a || key == b) && std::count(lp.begin(), lp.end(), a) &&
        std::count(rp.begin(), rp.end(), b - lw)) {
      LogicalOpPtr join = std::move(semi->children[0]);
      join->children[0] = ReduceSemi(MakeSemi(std::move(join->children[0]), a, cohort));
      join->children[1] = ReduceSemi(MakeSemi(std::move(join->children[1]), b - lw, cohort));
      return join;
    }
  }
  return semi;
}

LogicalOpPtr SemiJoinReduction(LogicalOpPtr op) {
  for (auto& child : op->children) child = SemiJoinReduction(std::move(child));
  return ReduceSemi(std::move(op));
}

// ---------------------------------------------------------------------------------------
// LIMIT pushdown: a LIMIT (with or without ORDER BY) over a UNION ALL also limits every
// branch to limit + offset rows, so a source can stop early; the gateway keeps the exact
// LIMIT on top.

// ORDER BY and LIMIT sink below row-wise operators that keep every row: a projection (keys
// rewritten through it), and disclosure control when the keys are group keys only (ordering
// by exact aggregate values would leak them, so such a sort stays above protection). Once
// directly over an aggregate, they can go to its source with it.
LogicalOpPtr SinkSortLimit(LogicalOpPtr op) {
  for (auto& child : op->children) child = SinkSortLimit(std::move(child));
  if (op->kind != OpKind::kSort && op->kind != OpKind::kLimit) return op;
  LogicalOp& below = *op->children[0];
  if (below.kind == OpKind::kProject) {
    if (op->kind == OpKind::kSort) {
      for (auto& k : op->sort_keys) k.expr = Substitute(*k.expr, below.exprs);
    }
  } else if (below.kind == OpKind::kProtect) {
    if (op->kind == OpKind::kSort) {
      for (const auto& k : op->sort_keys) {
        auto cols = ColumnsOf(*k.expr);
        if (!std::all_of(cols.begin(), cols.end(), [&](int c) { return c < below.protect_groups; }))
          return op;
      }
    }
  } else {
    return op;
  }
  // op(below(x)) -> below(op(x))
  LogicalOpPtr mid = std::move(op->children[0]);
  LogicalOpPtr x = std::move(mid->children[0]);
  op->columns = x->columns;
  op->person_columns = x->person_columns;
  op->persons_column = x->persons_column;
  op->children[0] = std::move(x);
  mid->children[0] = SinkSortLimit(std::move(op));
  return mid;
}

LogicalOpPtr PushLimits(LogicalOpPtr op) {
  for (auto& child : op->children) child = PushLimits(std::move(child));
  if (op->kind != OpKind::kLimit || op->limit < 0) return op;
  const LogicalOp* sort = op->children[0]->kind == OpKind::kSort ? op->children[0].get() : nullptr;
  LogicalOpPtr& slot = sort ? op->children[0]->children[0] : op->children[0];
  slot = DistributeProject(std::move(slot));  // a projection over the UNION goes into its branches
  LogicalOp* below = slot.get();
  if (below->kind != OpKind::kUnion) return op;
  for (auto& branch : below->children) {
    if (branch->kind == OpKind::kLimit) continue;
    LogicalOpPtr input = std::move(branch);
    if (sort) {
      auto s = std::make_unique<LogicalOp>(OpKind::kSort);
      s->columns = input->columns;
      s->person_columns = input->person_columns;
      s->persons_column = input->persons_column;
      for (const auto& k : sort->sort_keys)
        s->sort_keys.push_back({k.expr->Clone(), k.descending, k.nulls_first});
      s->children.push_back(std::move(input));
      input = std::move(s);
    }
    auto l = std::make_unique<LogicalOp>(OpKind::kLimit);
    l->columns = input->columns;
    l->person_columns = input->person_columns;
    l->persons_column = input->persons_column;
    l->limit = op->limit + op->offset;
    l->children.push_back(std::move(input));
    branch = std::move(l);
  }
  return op;
}

// ---------------------------------------------------------------------------------------
// Projection pruning. Prune(op, needed) drops the output columns of `op` that nobody needs
// (where the operator allows) and returns, per old output column, its new index (-1 when
// dropped).

void RemapLineage(LogicalOp& op, const std::vector<int>& map) {
  std::vector<int> persons;
  for (int c : op.person_columns) {
    if (map[c] >= 0) persons.push_back(map[c]);
  }
  op.person_columns = std::move(persons);
  if (op.persons_column >= 0) op.persons_column = map[op.persons_column];
}

std::vector<OutputColumn> Kept(const std::vector<OutputColumn>& columns,
                               const std::vector<int>& map) {
  std::vector<OutputColumn> out(
      std::count_if(map.begin(), map.end(), [](int m) { return m >= 0; }));
  for (size_t i = 0; i < map.size(); ++i) {
    if (map[i] >= 0) out[map[i]] = columns[i];
  }
  return out;
}

void Need(std::vector<bool>& needed, const BoundExpr* e) {
  if (!e) return;
  VisitColumns(*e, [&](const BoundExpr& c) { needed.at(c.column) = true; });
}

std::vector<int> Prune(LogicalOp& op, std::vector<bool> needed);

// A projection selecting `indices` of `child`, with its lineage.
LogicalOpPtr Select(LogicalOpPtr child, const std::vector<int>& indices) {
  auto p = std::make_unique<LogicalOp>(OpKind::kProject);
  std::vector<int> map(child->columns.size(), -1);
  for (size_t i = 0; i < indices.size(); ++i) {
    p->exprs.push_back(BoundExpr::Column(indices[i], child->columns[indices[i]].type,
                                         child->columns[indices[i]].name));
    p->columns.push_back(child->columns[indices[i]]);
    map[indices[i]] = static_cast<int>(i);
  }
  p->person_columns = child->person_columns;
  p->persons_column = child->persons_column;
  RemapLineage(*p, map);
  p->children.push_back(std::move(child));
  return p;
}

std::vector<int> Identity(size_t n) {
  std::vector<int> map(n);
  for (size_t i = 0; i < n; ++i) map[i] = static_cast<int>(i);
  return map;
}

std::vector<int> Prune(LogicalOp& op, std::vector<bool> needed) {
  const size_t width = op.columns.size();
  needed.resize(width, false);
  switch (op.kind) {
    case OpKind::kGet: {
      if (std::none_of(needed.begin(), needed.end(), [](bool b) { return b; })) {
        needed[op.person_columns.empty() ? 0 : op.person_columns[0]] = true;
      }
      std::vector<int> map(width, -1);
      std::vector<int> table_columns;
      for (size_t i = 0; i < width; ++i) {
        if (!needed[i]) continue;
        map[i] = static_cast<int>(table_columns.size());
        table_columns.push_back(op.table_columns[i]);
      }
      op.columns = Kept(op.columns, map);
      op.table_columns = std::move(table_columns);
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kFilter: {
      Need(needed, op.predicate.get());
      auto map = Prune(*op.children[0], needed);
      RemapColumns(*op.predicate, map);
      op.columns = op.children[0]->columns;
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kSort: {
      for (const auto& k : op.sort_keys) Need(needed, k.expr.get());
      auto map = Prune(*op.children[0], needed);
      for (auto& k : op.sort_keys) RemapColumns(*k.expr, map);
      op.columns = op.children[0]->columns;
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kLimit: {
      auto map = Prune(*op.children[0], needed);
      op.columns = op.children[0]->columns;
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kProject: {
      if (std::none_of(needed.begin(), needed.end(), [](bool b) { return b; })) needed[0] = true;
      std::vector<int> map(width, -1);
      std::vector<BoundExprPtr> exprs;
      std::vector<bool> child_needed(op.children[0]->columns.size(), false);
      for (size_t i = 0; i < width; ++i) {
        if (!needed[i]) continue;
        map[i] = static_cast<int>(exprs.size());
        Need(child_needed, op.exprs[i].get());
        exprs.push_back(std::move(op.exprs[i]));
      }
      auto child_map = Prune(*op.children[0], child_needed);
      for (auto& e : exprs) RemapColumns(*e, child_map);
      op.exprs = std::move(exprs);
      op.columns = Kept(op.columns, map);
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kAggregate: {
      std::vector<bool> child_needed(op.children[0]->columns.size(), false);
      for (const auto& g : op.groups) Need(child_needed, g.get());
      for (const auto& a : op.aggregates) Need(child_needed, a.arg.get());
      for (const auto& e : op.person_inputs) Need(child_needed, e.get());
      if (op.persons_input >= 0) child_needed[op.persons_input] = true;
      auto child_map = Prune(*op.children[0], child_needed);
      for (auto& g : op.groups) RemapColumns(*g, child_map);
      for (auto& a : op.aggregates) {
        if (a.arg) RemapColumns(*a.arg, child_map);
      }
      for (auto& e : op.person_inputs) RemapColumns(*e, child_map);
      if (op.persons_input >= 0) op.persons_input = child_map[op.persons_input];
      return Identity(width);
    }
    case OpKind::kJoin: {
      LogicalOp& l = *op.children[0];
      LogicalOp& r = *op.children[1];
      const size_t lw = l.columns.size(), rw = r.columns.size();
      const bool semi = op.join == JoinKind::kSemi || op.join == JoinKind::kAnti;
      std::vector<bool> both(lw + rw, false);
      for (size_t i = 0; i < width; ++i) both[i] = needed[i];
      Need(both, op.predicate.get());
      Need(both, op.residual.get());
      for (const auto& [a, b] : op.equi) {
        Need(both, a.get());
        VisitColumns(*b, [&](const BoundExpr& c) { both.at(lw + c.column) = true; });
      }
      auto lmap = Prune(l, std::vector<bool>(both.begin(), both.begin() + lw));
      auto rmap = Prune(r, std::vector<bool>(both.begin() + lw, both.end()));
      const int new_lw = static_cast<int>(l.columns.size());
      std::vector<int> all = lmap;
      for (int m : rmap) all.push_back(m >= 0 ? m + new_lw : -1);
      if (op.predicate) RemapColumns(*op.predicate, all);
      if (op.residual) RemapColumns(*op.residual, all);
      for (auto& [a, b] : op.equi) {
        RemapColumns(*a, lmap);
        RemapColumns(*b, rmap);
      }
      std::vector<int> map = semi ? lmap : all;
      op.columns = l.columns;
      if (!semi) op.columns.insert(op.columns.end(), r.columns.begin(), r.columns.end());
      RemapLineage(op, map);
      return map;
    }
    case OpKind::kUnion: {
      std::vector<int> kept;
      for (size_t i = 0; i < width; ++i) {
        if (needed[i]) kept.push_back(static_cast<int>(i));
      }
      if (kept.empty()) kept.push_back(op.person_columns.empty() ? 0 : op.person_columns[0]);
      for (auto& child : op.children) {
        auto map = Prune(*child, needed);
        std::vector<int> indices;
        for (int k : kept) indices.push_back(map[k]);
        if (indices != Identity(child->columns.size())) child = Select(std::move(child), indices);
      }
      std::vector<int> map(width, -1);
      for (size_t k = 0; k < kept.size(); ++k) map[kept[k]] = static_cast<int>(k);
      op.columns = Kept(op.columns, map);
      RemapLineage(op, map);
      return map;
    }
    default:
      for (auto& child : op.children) Prune(*child, std::vector<bool>(child->columns.size(), true));
      return Identity(width);
  }
}

// ---------------------------------------------------------------------------------------
// The splitter.

class Splitter {
 public:
  Splitter(Catalog& catalog, const OptimizerOptions& options)
      : catalog_(catalog), options_(options) {}

  LogicalOpPtr Split(LogicalOpPtr op) {
    op = SplitFilters(std::move(op));
    Analyse(*op);
    return Assign(std::move(op));
  }

 private:
  // A filter whose input one source computes, but which that source's dialect cannot
  // evaluate whole: the conjuncts it can evaluate become a filter of their own below, sent
  // with the input; the rest stays above, in the gateway.
  LogicalOpPtr SplitFilters(LogicalOpPtr op) {
    for (auto& child : op->children) child = SplitFilters(std::move(child));
    if (op->kind != OpKind::kFilter || !options_.filter_pushdown) return op;
    const std::string source = Analyse(*op->children[0]);
    if (source.empty()) return op;
    const sql::Dialect& dialect = catalog_.ConnectorFor(source).dialect();
    if (CanPushOperator(*op, dialect)) return op;
    std::vector<BoundExprPtr> down, up;
    LogicalOp probe(OpKind::kFilter);
    for (auto& conjunct : SplitConjuncts(std::move(op->predicate))) {
      probe.predicate = std::move(conjunct);
      const bool pushable = CanPushOperator(probe, dialect);
      (pushable ? down : up).push_back(std::move(probe.predicate));
    }
    if (down.empty()) {
      op->predicate = JoinConjuncts(std::move(up));
      return op;
    }
    LogicalOpPtr below = MakeFilter(std::move(op->children[0]), JoinConjuncts(std::move(down)));
    if (up.empty()) return below;
    return MakeFilter(std::move(below), JoinConjuncts(std::move(up)));
  }

  // The source that can compute all of `op`, or "" when none can.
  std::string Analyse(const LogicalOp& op) {
    std::string source;
    bool ok = true;
    for (const auto& child : op.children) {
      std::string s = Analyse(*child);
      if (s.empty() || (!source.empty() && s != source)) ok = false;
      if (source.empty()) source = s;
    }
    if (op.kind == OpKind::kGet) source = op.table->source;
    if (!ok || source.empty() || !Allowed(op)) source.clear();
    if (!source.empty() && !CanPushOperator(op, catalog_.ConnectorFor(source).dialect()))
      source.clear();
    pushable_[&op] = source;
    return source;
  }

  bool Allowed(const LogicalOp& op) const {
    switch (op.kind) {
      case OpKind::kGet:
      case OpKind::kProject:
        return true;
      case OpKind::kFilter:
        return options_.filter_pushdown;
      case OpKind::kAggregate:
        // A final per-person aggregate stays in the gateway: it merges, by pseudonym, the
        // groups a source formed by raw identifier.
        // Record-key sums and per-person contributions need pseudonyms: gateway only.
        return options_.aggregate_pushdown && !op.combines_partials && op.cellkey_column < 0 &&
               op.contributions_column < 0;
      case OpKind::kJoin:
      case OpKind::kUnion:
        return options_.join_pushdown;
      case OpKind::kSort:
      case OpKind::kLimit:
        return options_.limit_pushdown;
      default:
        return false;
    }
  }

  LogicalOpPtr Assign(LogicalOpPtr op) {
    const std::string& source = pushable_.at(op.get());
    if (source.empty()) {
      if (op->kind == OpKind::kGet) {
        throw Error(ErrorCode::kInternal,
                    "table " + op->table->QualifiedName() + " cannot be read");
      }
      for (auto& child : op->children) child = Assign(std::move(child));
      return op;
    }
    auto remote = std::make_unique<LogicalOp>(OpKind::kRemote);
    remote->columns = op->columns;
    remote->person_columns = op->person_columns;
    remote->persons_column = op->persons_column;
    remote->source = source;
    remote->fragment.source = source;
    connectors::Connector& connector = catalog_.ConnectorFor(source);
    remote->fragment.sql = RenderFragmentSql(*op, connector.dialect());
    if (connector.TakesStructuredFragments()) remote->fragment.structured = EncodeFragment(*op);
    for (const auto& c : op->columns) {
      remote->fragment.columns.push_back({c.name, c.type, c.type.id == TypeId::kPseudonym});
    }
    if (op->kind == OpKind::kGet && op->table->through_table.empty()) {
      const LogicalOp& get = *op;
      remote->fragment.table = get.table->name;
      for (int c : get.table_columns)
        remote->fragment.table_columns.push_back(get.table->columns[c].source_column);
    }
    remote->pushed = std::move(op);
    return remote;
  }

  Catalog& catalog_;
  const OptimizerOptions& options_;
  std::map<const LogicalOp*, std::string> pushable_;
};

struct PassSwitch {
  const char* name;
  bool OptimizerOptions::*flag;
};

constexpr PassSwitch kPasses[] = {
    {"filter_pushdown", &OptimizerOptions::filter_pushdown},
    {"projection_pruning", &OptimizerOptions::projection_pruning},
    {"aggregate_pushdown", &OptimizerOptions::aggregate_pushdown},
    {"per_person_aggregation", &OptimizerOptions::per_person_aggregation},
    {"join_pushdown", &OptimizerOptions::join_pushdown},
    {"limit_pushdown", &OptimizerOptions::limit_pushdown},
    {"semi_join_reduction", &OptimizerOptions::semi_join_reduction},
    {"expression_pushdown", &OptimizerOptions::expression_pushdown},
};

}  // namespace

std::vector<std::string> OptimizerOptions::Names() {
  std::vector<std::string> out;
  for (const auto& p : kPasses) out.push_back(p.name);
  return out;
}

void OptimizerOptions::Set(const std::string& name, bool on) {
  if (name == "all") {
    for (const auto& p : kPasses) this->*p.flag = on;
    return;
  }
  for (const auto& p : kPasses) {
    if (name == p.name) {
      this->*p.flag = on;
      return;
    }
  }
  std::string known;
  for (const auto& p : kPasses) known += std::string(known.empty() ? "" : ", ") + p.name;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown optimizer pass '" + name + "' (known: all, " + known + ")");
}

void OptimizerOptions::Parse(const std::string& spec) {
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (eq == std::string::npos || (value != "on" && value != "off")) {
      throw Error(ErrorCode::kInvalidArgument,
                  "optimizer setting '" + item + "' must be NAME=on or NAME=off");
    }
    Set(item.substr(0, eq), value == "on");
  }
}

std::string OptimizerOptions::DisabledList() const {
  std::string out;
  for (const auto& p : kPasses) {
    if (!(this->*p.flag)) out += std::string(out.empty() ? "" : ",") + p.name;
  }
  return out;
}

LogicalOpPtr Optimize(LogicalOpPtr plan, Catalog& catalog, const OptimizerOptions& options) {
  if (options.filter_pushdown) plan = PushFilters(std::move(plan), {});
  if (options.per_person_aggregation) plan = PartialAggregation(std::move(plan));
  if (options.semi_join_reduction) plan = SemiJoinReduction(std::move(plan));
  if (options.expression_pushdown) plan = PushExpressionsBelowJoin(std::move(plan));
  if (options.limit_pushdown) plan = PushLimits(SinkSortLimit(std::move(plan)));
  if (options.projection_pruning) Prune(*plan, std::vector<bool>(plan->columns.size(), true));
  return Splitter(catalog, options).Split(std::move(plan));
}

}  // namespace fedgate::planner
