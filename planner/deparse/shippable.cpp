#include "planner/deparse/shippable.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "planner/function/window_functions.h"

namespace fedgate::planner {

namespace {

// True when a call in `e` other than equality, a NULL test, IN or a pass-through (coalesce,
// case, nullif) takes a person key: a source may compare one for equality, never order it.
bool UsesPseudonymOrdering(const BoundExpr& e) {
  bool bad = false;
  if (e.kind == BoundKind::kCall) {
    static const char* kSafe[] = {
        "=",        "<>",   "is_null", "is_not_null", "is_distinct_from", "is_not_distinct_from",
        "coalesce", "case", "nullif",  "in"};
    bool safe = std::find(std::begin(kSafe), std::end(kSafe), e.name) != std::end(kSafe);
    if (!safe) {
      for (const auto& a : e.args) bad |= a->type.id == TypeId::kPseudonym;
    }
  }
  for (const auto& a : e.args) bad |= UsesPseudonymOrdering(*a);
  return bad;
}

bool ReferencesColumn(const BoundExpr& e) {
  if (e.kind == BoundKind::kColumn) return true;
  for (const auto& a : e.args)
    if (ReferencesColumn(*a)) return true;
  return false;
}

// Whether the dialect can write the constant `v` as a literal.
bool CanWriteLiteral(const Value& v, const sql::Dialect& d) {
  if (v.null) return v.type.id != TypeId::kPseudonym;
  switch (v.type.id) {
    case TypeId::kPseudonym:
      return false;
    case TypeId::kDouble:
      return std::isfinite(v.d) && !d.double_literal.empty();
    case TypeId::kTimestamp:
      return !d.timestamp_literal.empty();
    case TypeId::kInterval:
      return d.interval_literals;
    default:
      return true;
  }
}

bool IsPredicateCall(const BoundExpr& e) {
  static const char* kPredicates[] = {
      "=", "<>", "<", ">", "<=", ">=", "is_null", "is_not_null", "in", "and", "or", "not"};
  return e.kind == BoundKind::kCall &&
         std::find(std::begin(kPredicates), std::end(kPredicates), e.name) != std::end(kPredicates);
}

// For a dialect whose predicates are not values (SQL Server): `e` is written where a
// predicate (`as_predicate`) or a value belongs, and each of its parts where they belong.
bool FitsBooleanRules(const BoundExpr& e, bool as_predicate) {
  if (as_predicate && !IsPredicateCall(e)) return false;  // `WHERE flag`, `WHERE 1`
  if (!as_predicate && IsPredicateCall(e)) return false;  // `SELECT a > b`
  if (e.kind != BoundKind::kCall) return true;
  const bool logical = e.name == "and" || e.name == "or" || e.name == "not";
  for (size_t i = 0; i < e.args.size(); ++i) {
    // CASE's arguments: condition, result, ..., else.
    const bool condition = e.name == "case" && i % 2 == 0 && i + 1 < e.args.size();
    if (!FitsBooleanRules(*e.args[i], logical || condition)) return false;
  }
  return true;
}

// Whether `fn` is in the dialect's space-separated list of window functions.
bool ListsWindowFunction(std::string_view list, std::string_view fn) {
  size_t at = 0;
  while (at < list.size()) {
    size_t end = list.find(' ', at);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(at, end - at) == fn) return true;
    at = end + 1;
  }
  return false;
}

}  // namespace

bool CanRender(const BoundExpr& e, const sql::Dialect& d) {
  if (d.functions == nullptr) return false;
  if (e.kind == BoundKind::kConstant) return CanWriteLiteral(e.value, d);
  // A person key in an expression is the normalised identifier, which needs the dialect's
  // normalising expression; without one it can only be passed on raw (see CanPushOperator).
  if (e.kind == BoundKind::kColumn)
    return e.type.id != TypeId::kPseudonym || !d.canonical_identifier.empty();
  if (!d.functions->count(e.name)) return false;
  if (UsesPseudonymOrdering(e)) return false;
  if (!d.text_semantics_match && e.name != "is_null" && e.name != "is_not_null") {
    for (const auto& a : e.args) {
      if (a->type.id == TypeId::kText) return false;
    }
  }
  for (const auto& a : e.args) {
    if (!CanRender(*a, d)) return false;
  }
  return true;
}

bool CanPushOperator(const LogicalOp& op, const sql::Dialect& d) {
  if (d.functions == nullptr) return false;
  if (d.scan_only) return op.kind == OpKind::kGet;
  // Values (select list, group keys, aggregate arguments, sort keys) and predicates (WHERE,
  // ON); the two differ only where predicates are not values.
  auto ok = [&](const BoundExprPtr& e) {
    return !e || (CanRender(*e, d) && (d.predicates_are_values || FitsBooleanRules(*e, false)));
  };
  auto ok_predicate = [&](const BoundExprPtr& e) {
    return !e || (CanRender(*e, d) && (d.predicates_are_values || FitsBooleanRules(*e, true)));
  };
  switch (op.kind) {
    case OpKind::kGet:
      return true;
    case OpKind::kFilter:
      return ok_predicate(op.predicate);
    case OpKind::kProject:
      for (const auto& e : op.exprs) {
        if (!e->IsColumn() && !ok(e)) return false;  // a column is passed on as it is
      }
      return true;
    case OpKind::kAggregate:
      if (op.person_inputs.size() > 1) return false;
      for (const auto& p : op.person_inputs) {
        if (!ok(p)) return false;  // distinct persons need the normalised identifier
      }
      for (const auto& g : op.groups) {
        // Per-person partial aggregates group by the raw identifier (merged by pseudonym later).
        if (op.raw_person_keys && g->IsColumn()) continue;
        // A constant group key is a position (GROUP BY 2) or an error (GROUP BY NULL) in SQL:
        // the gateway groups by it.
        if (!ReferencesColumn(*g)) return false;
        if (!ok(g)) return false;
        if (!d.text_semantics_match && g->type.id == TypeId::kText) return false;
      }
      for (const auto& a : op.aggregates) {
        // Ordered-set aggregates run in the gateway: it counts the persons on either side of
        // each value for rule 'percentile', which no source can report.
        if (a.OrderedSet()) return false;
        if (!ok(a.arg)) return false;
        if (!d.text_semantics_match && a.arg && a.arg->type.id == TypeId::kText &&
            (a.distinct || a.fn == "min" || a.fn == "max"))
          return false;
      }
      return true;
    case OpKind::kJoin:
      if (op.null_aware && !(op.predicate && op.predicate->name == "=")) return false;
      return ok_predicate(op.predicate);
    case OpKind::kSort:
      for (const auto& k : op.sort_keys) {
        if (!ok(k.expr) || k.expr->type.id == TypeId::kPseudonym) return false;
        if (!d.text_semantics_match && k.expr->type.id == TypeId::kText) return false;
      }
      return true;
    case OpKind::kWindow: {
      if (d.window_functions.empty()) return false;
      for (const auto& p : op.window_partition) {
        if (!ok(p) || (!d.text_semantics_match && p->type.id == TypeId::kText)) return false;
      }
      for (const auto& k : op.sort_keys) {
        if (!ok(k.expr) || k.expr->type.id == TypeId::kPseudonym) return false;
        if (!d.text_semantics_match && k.expr->type.id == TypeId::kText) return false;
      }
      for (const auto& call : op.windows) {
        if (!ListsWindowFunction(d.window_functions, call.fn)) return false;
        const WindowFunction* f = FindWindowFunction(call.fn);
        if (f == nullptr) return false;
        for (const auto& a : call.args) {
          if (!ok(a)) return false;
        }
        if ((call.fn == "lag" || call.fn == "lead") && call.args.size() > 2 &&
            !d.window_shift_default)
          return false;
        if (d.window_needs_order && op.sort_keys.empty() && f->kind != WindowKind::kAggregate)
          return false;
        if (!d.text_semantics_match && !call.args.empty() &&
            call.args[0]->type.id == TypeId::kText && (call.fn == "min" || call.fn == "max"))
          return false;
        // The frame is written for the functions that read it (WindowFrameSql in deparse.cpp).
        if (!ReadsFrame(*f) || !call.frame.written) continue;
        using Bound = WindowFrame::Bound;
        const WindowFrame& fr = call.frame;
        if (fr.mode == WindowFrame::Mode::kGroups && !d.window_groups) return false;
        const bool offsets = fr.start == Bound::kPreceding || fr.start == Bound::kFollowing ||
                             fr.end == Bound::kPreceding || fr.end == Bound::kFollowing;
        if (fr.mode == WindowFrame::Mode::kRange && offsets) {
          // One numeric key, written as one key (not with a NULLs-first key before it).
          if (!d.window_range_offsets || !d.nulls_order_syntax) return false;
          if (!op.sort_keys[0].expr->type.IsNumeric()) return false;
          if (!fr.start_offset.null && !fr.start_offset.type.IsNumeric()) return false;
          if (!fr.end_offset.null && !fr.end_offset.type.IsNumeric()) return false;
        }
      }
      return true;
    }
    case OpKind::kLimit:
    case OpKind::kUnion:
      return true;
    default:
      return false;
  }
}

}  // namespace fedgate::planner
