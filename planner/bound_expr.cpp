#include "planner/bound_expr.h"

#include <cstdio>

#include <functional>

namespace fedgate::planner {

BoundExprPtr BoundExpr::Column(int index, DataType type, std::string display) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundKind::kColumn;
  e->type = type;
  e->column = index;
  e->name = std::move(display);
  return e;
}

BoundExprPtr BoundExpr::Constant(Value v) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundKind::kConstant;
  e->type = v.type;
  e->value = std::move(v);
  return e;
}

BoundExprPtr BoundExpr::Call(std::string fn, DataType type, std::vector<BoundExprPtr> args) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundKind::kCall;
  e->type = type;
  e->name = std::move(fn);
  e->args = std::move(args);
  return e;
}

BoundExprPtr BoundExpr::Clone() const {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->column = column;
  e->name = name;
  e->value = value;
  e->untyped_literal = untyped_literal;
  for (const auto& a : args) e->args.push_back(a->Clone());
  return e;
}

std::string BoundExpr::ToString() const {
  switch (kind) {
    case BoundKind::kColumn:
      return name.empty() ? "#" + std::to_string(column) : name;
    case BoundKind::kConstant:
      if (value.null) return "NULL";
      if (value.type.id == TypeId::kText || value.type.id == TypeId::kDate ||
          value.type.id == TypeId::kTimestamp || value.type.id == TypeId::kInterval) {
        return "'" + value.ToString() + "'";
      }
      return value.ToString();
    case BoundKind::kCall: {
      static const char* kInfix[] = {"+", "-",  "*", "/",  "%",   "=",  "<>",
                                     "<", "<=", ">", ">=", "and", "or", "||"};
      for (const char* op : kInfix) {
        if (name == op && args.size() == 2) {
          return "(" + args[0]->ToString() + " " + name + " " + args[1]->ToString() + ")";
        }
      }
      if (name == "cast") return "CAST(" + args[0]->ToString() + " AS " + type.ToString() + ")";
      std::string out = name + "(";
      for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i]->ToString();
      return out + ")";
    }
  }
  return "?";
}

void VisitColumns(const BoundExpr& e, const std::function<void(const BoundExpr&)>& fn) {
  if (e.kind == BoundKind::kColumn) fn(e);
  for (const auto& a : e.args) VisitColumns(*a, fn);
}

void RemapColumns(BoundExpr& e, const std::vector<int>& map) {
  if (e.kind == BoundKind::kColumn) e.column = map.at(static_cast<size_t>(e.column));
  for (auto& a : e.args) RemapColumns(*a, map);
}

std::vector<BoundExprPtr> SplitConjuncts(BoundExprPtr e) {
  std::vector<BoundExprPtr> out;
  if (!e) return out;
  if (e->kind == BoundKind::kCall && e->name == "and") {
    for (auto& a : e->args) {
      auto parts = SplitConjuncts(std::move(a));
      for (auto& p : parts) out.push_back(std::move(p));
    }
    return out;
  }
  out.push_back(std::move(e));
  return out;
}

BoundExprPtr JoinConjuncts(std::vector<BoundExprPtr> conjuncts) {
  if (conjuncts.empty()) return nullptr;
  if (conjuncts.size() == 1) return std::move(conjuncts[0]);
  return BoundExpr::Call("and", DataType::Bool(), std::move(conjuncts));
}

AggregateCall AggregateCall::Clone() const {
  return AggregateCall{fn,         distinct, arg ? arg->Clone() : nullptr, type, fraction,
                       descending, filtered};
}

std::string AggregateCall::ToString() const {
  if (filtered) {
    AggregateCall plain = Clone();
    plain.filtered = false;
    return plain.ToString() + " FILTER";
  }
  if (fn == "count_star") return "count(*)";
  if (OrderedSet()) {
    char f[32];
    std::snprintf(f, sizeof f, "%.17g", fraction);
    return fn + "(" + (fn == "mode" ? std::string() : std::string(f)) +
           ") WITHIN GROUP (ORDER BY " + (arg ? arg->ToString() : "") +
           (descending ? " DESC)" : ")");
  }
  return fn + "(" + (distinct ? "DISTINCT " : "") + (arg ? arg->ToString() : "") + ")";
}

}  // namespace fedgate::planner
