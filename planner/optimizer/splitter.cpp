#include "planner/optimizer/splitter.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "planner/binder/binder.h"
#include "planner/deparse/deparse.h"
#include "planner/deparse/shippable.h"
#include "planner/wire/fragment_codec.h"

namespace fedgate::planner::optimizer {

namespace {

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
    // An agent's structured fragments have no windows: the gateway computes them.
    if (!source.empty() && op.kind == OpKind::kWindow &&
        catalog_.ConnectorFor(source).TakesStructuredFragments())
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
        // Record-key sums, per-person contributions, the persons around a percentile and the
        // persons a FILTER keeps need pseudonyms: gateway only.
        return options_.aggregate_pushdown && !op.combines_partials && op.cellkey_column < 0 &&
               op.contributions_column < 0 && op.percentile_guard_column < 0 &&
               op.filtered_persons_column < 0;
      case OpKind::kJoin:
      case OpKind::kUnion:
        return options_.join_pushdown;
      case OpKind::kSort:
      case OpKind::kLimit:
        return options_.limit_pushdown;
      case OpKind::kWindow:
        return options_.window_pushdown;
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

}  // namespace

LogicalOpPtr SplitIntoFragments(LogicalOpPtr plan, Catalog& catalog,
                                const OptimizerOptions& options) {
  return Splitter(catalog, options).Split(std::move(plan));
}

}  // namespace fedgate::planner::optimizer
