#include "planner/exec/evaluate.h"

#include "common/error.h"
#include "planner/function/functions.h"

namespace fedgate::planner::exec {

Value EvaluateRow(const BoundExpr& e, const Batch& input, size_t row) {
  switch (e.kind) {
    case BoundKind::kColumn:
      return GetValue(input.columns[e.column], row);
    case BoundKind::kConstant:
      return e.value;
    case BoundKind::kCall:
      break;
  }
  const std::string& fn = e.name;
  const uint64_t h = FnHash(fn);
  if (h == FnHash("case")) {
    for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
      Value w = EvaluateRow(*e.args[i], input, row);
      if (!w.null && w.i) return CastValue(EvaluateRow(*e.args[i + 1], input, row), e.type);
    }
    return CastValue(EvaluateRow(*e.args.back(), input, row), e.type);
  }
  if (h == FnHash("and") || h == FnHash("or")) {
    const bool is_and = h == FnHash("and");
    bool any_null = false;
    for (const auto& a : e.args) {
      Value v = EvaluateRow(*a, input, row);
      if (v.null) {
        any_null = true;
      } else if (v.i != 0 && !is_and) {
        return Value::Bool(true);
      } else if (v.i == 0 && is_and) {
        return Value::Bool(false);
      }
    }
    return any_null ? Value::Null(DataType::Bool()) : Value::Bool(is_and);
  }
  if (h == FnHash("coalesce")) {
    for (const auto& a : e.args) {
      Value v = EvaluateRow(*a, input, row);
      if (!v.null) return CastValue(v, e.type);
    }
    return Value::Null(e.type);
  }
  if (h == FnHash("scalar_subquery")) {
    throw Error(ErrorCode::kInternal, "scalar subquery was not replaced before execution");
  }
  std::vector<Value> args;
  args.reserve(e.args.size());
  for (const auto& a : e.args) args.push_back(EvaluateRow(*a, input, row));
  Value out = EvaluateCall(fn, e.type, args);
  if (!out.null && out.type.id != e.type.id && e.type.id != TypeId::kNull)
    out = CastValue(out, e.type);
  return out;
}

Column Evaluate(const BoundExpr& e, const Batch& input) {
  if (e.kind == BoundKind::kColumn) {
    Column c = input.columns[e.column];
    if (!(c.type == e.type)) {  // a re-typed reference (decimal scale): convert
      Column out(e.type);
      out.Reserve(input.rows);
      for (size_t r = 0; r < input.rows; ++r) AppendValue(out, GetValue(c, r));
      return out;
    }
    return c;
  }
  Column out(e.type);
  out.Reserve(input.rows);
  if (e.kind == BoundKind::kConstant) {
    for (size_t r = 0; r < input.rows; ++r) AppendValue(out, e.value);
    return out;
  }
  for (size_t r = 0; r < input.rows; ++r) AppendValue(out, EvaluateRow(e, input, r));
  return out;
}

std::vector<uint32_t> SelectRows(const BoundExpr& e, const Batch& input) {
  std::vector<uint32_t> rows;
  Column c = Evaluate(e, input);
  for (size_t r = 0; r < input.rows; ++r) {
    if (!c.null[r] && c.i64[r] != 0) rows.push_back(static_cast<uint32_t>(r));
  }
  return rows;
}

}  // namespace fedgate::planner::exec
