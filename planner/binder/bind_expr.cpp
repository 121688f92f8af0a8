// Expression binding: names to input positions, literals to typed constants, operators to
// canonical function calls (functions.h), aggregates to placeholders for the aggregate node.
#include <algorithm>

#include "common/date.h"
#include "common/error.h"
#include "planner/binder/binder.h"
#include "planner/function/functions.h"
#include "sql/parser.h"

namespace fedgate::planner {

namespace {

std::optional<DataType> TypeFromName(const sql::TypeName& t) {
  const std::string& n = t.name;
  if (n == "integer" || n == "bigint" || n == "smallint" || n == "int" || n == "int4" ||
      n == "int8") {
    return DataType::Int64();
  }
  if (n == "numeric" || n == "decimal") {
    if (t.modifiers.size() >= 2) return DataType::Decimal(std::clamp(t.modifiers[1], 0, 12));
    if (t.modifiers.size() == 1) return DataType::Decimal(0);
    return std::nullopt;  // unconstrained: keep the operand's own scale (see caller)
  }
  if (n == "real" || n == "double precision" || n == "float" || n == "float8" || n == "float4") {
    return DataType::Double();
  }
  if (n == "text" || n == "varchar" || n == "char" || n == "character varying" ||
      n == "character") {
    return DataType::Text();
  }
  if (n == "date") return DataType::Date();
  if (n == "timestamp" || n == "timestamp without time zone") return DataType::Timestamp();
  if (n == "boolean" || n == "bool") return DataType::Bool();
  if (n == "interval") return DataType::Interval();
  return std::nullopt;
}

std::string ExprDisplay(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "." : "") + names[i];
  return out;
}

BoundExprPtr Call(const std::string& fn, std::vector<BoundExprPtr> args) {
  DataType t = ResolveCallType(fn, args);
  return BoundExpr::Call(fn, t, std::move(args));
}

BoundExprPtr Not(BoundExprPtr e) {
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return Call("not", std::move(args));
}

}  // namespace

void Binder::Fail(ErrorCode code, const std::string& message, int location) const {
  if (location < 0) throw Error(code, message);
  TextLocation where = sql::LocationOf(sql_text_, location);
  throw Error(code, message, where);
}

BoundExprPtr Binder::BindExpr(const sql::Expr& e, ExprContext& ctx) {
  auto bind_all = [&](const std::vector<sql::ExprPtr>& list) {
    std::vector<BoundExprPtr> out;
    for (const auto& a : list) out.push_back(BindExpr(*a, ctx));
    return out;
  };
  auto call = [&](const std::string& fn, std::vector<BoundExprPtr> args) {
    try {
      return Call(fn, std::move(args));
    } catch (const Error& err) {
      if (err.location().line > 0) throw;
      Fail(err.code(), err.what(), e.location);
    }
  };
  switch (e.kind) {
    case sql::ExprKind::kColumnRef: {
      const auto& names = e.names;
      int depth = 0;
      for (const Scope* scope = ctx.scope; scope != nullptr; scope = scope->outer, ++depth) {
        int found = -1;
        for (size_t i = 0; i < scope->columns.size(); ++i) {
          const ScopeColumn& c = scope->columns[i];
          if (c.hidden || c.name != names.back()) continue;
          if (c.using_shadowed && names.size() == 1) continue;
          bool match = names.size() == 1 || (names.size() == 2 && c.qualifier == names[0]) ||
                       (names.size() == 3 && c.qualifier2 == names[0] + "." + names[1]);
          if (!match) continue;
          if (found >= 0) {
            Fail(ErrorCode::kInvalidArgument,
                 "column reference \"" + ExprDisplay(names) + "\" is ambiguous", e.location);
          }
          found = static_cast<int>(i);
        }
        if (found >= 0) {
          if (depth > 1) {
            Fail(ErrorCode::kInvalidArgument,
                 "references more than one query level out are not supported (" +
                     ExprDisplay(names) + ")",
                 e.location);
          }
          const ScopeColumn& c = scope->columns[found];
          Use(c);
          return BoundExpr::Column(found + (depth ? kOuterBase : 0), c.type,
                                   (c.qualifier.empty() ? "" : c.qualifier + ".") + c.name);
        }
      }
      std::string known;
      for (const auto& c : ctx.scope->columns) {
        if (!c.hidden && known.size() < 400)
          known += (known.empty() ? "" : ", ") + c.qualifier + "." + c.name;
      }
      Fail(ErrorCode::kNotFound,
           "column \"" + ExprDisplay(names) + "\" does not exist" +
               (known.empty() ? "" : " (available: " + known + ")"),
           e.location);
    }
    case sql::ExprKind::kStar:
      Fail(ErrorCode::kInvalidArgument, "* is only allowed in the select list and in count(*)",
           e.location);
    case sql::ExprKind::kLiteral: {
      switch (e.literal_kind) {
        case sql::LiteralKind::kNull:
          return BoundExpr::Constant(Value::Null());
        case sql::LiteralKind::kBool:
          return BoundExpr::Constant(Value::Bool(e.literal == "t" || e.literal == "true"));
        case sql::LiteralKind::kInteger:
          try {
            return BoundExpr::Constant(Value::Int(std::stoll(e.literal)));
          } catch (const std::out_of_range&) {
            return BoundExpr::Constant(Value::Double(std::stod(e.literal)));
          }
        case sql::LiteralKind::kNumeric: {
          size_t dot = e.literal.find('.');
          bool exponent = e.literal.find_first_of("eE") != std::string::npos;
          int scale = dot == std::string::npos ? 0 : static_cast<int>(e.literal.size() - dot - 1);
          if (exponent || e.literal.size() > 17 || scale > 12) {
            return BoundExpr::Constant(Value::Double(std::stod(e.literal)));
          }
          return BoundExpr::Constant(CastValue(Value::Text(e.literal), DataType::Decimal(scale)));
        }
        case sql::LiteralKind::kString: {
          auto c = BoundExpr::Constant(Value::Text(e.literal));
          c->untyped_literal = true;
          return c;
        }
      }
      break;
    }
    case sql::ExprKind::kFunction: {
      const std::string& fn = e.name;
      if (e.window) return BindWindowCall(e, ctx);
      if (e.filter_location >= 0 && !IsAggregateFunction(fn)) {
        Fail(ErrorCode::kInvalidArgument,
             "FILTER specified, but " + fn + " is not an aggregate function", e.location);
      }
      if (IsAggregateFunction(fn)) {
        if (ctx.aggregates == nullptr) {
          Fail(ErrorCode::kInvalidArgument,
               std::string("aggregate functions are not allowed in ") + ctx.clause, e.location);
        }
        AggregateCall agg;
        agg.fn = fn;
        agg.distinct = e.distinct;
        agg.filtered = e.filter_location >= 0;
        const bool ordered_set = fn == "percentile_cont" || fn == "percentile_disc" || fn == "mode";
        if (ordered_set != e.within_group) {
          Fail(ErrorCode::kInvalidArgument,
               ordered_set ? fn + " needs WITHIN GROUP (ORDER BY ...)"
                           : "WITHIN GROUP is only for percentile_cont, percentile_disc and mode",
               e.location);
        }
        if (ordered_set || fn == "median") {
          // percentile_*(f) WITHIN GROUP (ORDER BY x): args {f, x}; mode(): {x}; median(x) is
          // percentile_cont(0.5) WITHIN GROUP (ORDER BY x).
          const size_t want = fn == "percentile_cont" || fn == "percentile_disc" ? 2 : 1;
          if (e.args.size() != want || e.distinct)
            Fail(ErrorCode::kInvalidArgument,
                 fn == "mode"     ? std::string("mode() takes no argument before WITHIN GROUP")
                 : fn == "median" ? std::string("median takes exactly one argument")
                                  : fn + " takes one fraction (e.g. 0.5) and WITHIN GROUP "
                                         "(ORDER BY x)",
                 e.location);
          if (fn == "median") {
            agg.fn = "percentile_cont";
            agg.fraction = 0.5;
          } else if (want == 2) {
            ExprContext none{ctx.scope, nullptr, "a percentile's fraction"};
            BoundExprPtr f = BindExpr(*e.args[0], none);
            if (f->kind != BoundKind::kConstant || f->value.null || !f->type.IsNumeric())
              Fail(ErrorCode::kInvalidArgument,
                   fn + "'s fraction must be a number between 0 and 1, written as a constant",
                   e.args[0]->location);
            agg.fraction = f->value.AsDouble();
            if (!(agg.fraction >= 0 && agg.fraction <= 1))
              Fail(ErrorCode::kInvalidArgument,
                   "percentile value " + f->value.ToString() + " is not between 0 and 1",
                   e.args[0]->location);
          }
          agg.descending = e.order_descending;
          ExprContext inner{ctx.scope, nullptr, "aggregate function arguments"};
          agg.arg = BindExpr(*e.args.back(), inner);
          if (agg.arg->untyped_literal) agg.arg = CastTo(std::move(agg.arg), DataType::Text());
        } else if (e.agg_star) {
          if (fn != "count") Fail(ErrorCode::kInvalidArgument, fn + "(*) is not valid", e.location);
          agg.fn = "count_star";
        } else {
          if (e.args.size() != 1) {
            Fail(ErrorCode::kInvalidArgument, "aggregate " + fn + " takes exactly one argument",
                 e.location);
          }
          if (e.distinct && fn != "count") {
            Fail(ErrorCode::kInvalidArgument, "DISTINCT is only supported in count()", e.location);
          }
          ExprContext inner{ctx.scope, nullptr, "aggregate function arguments"};
          agg.arg = BindExpr(*e.args[0], inner);
          if (agg.arg->untyped_literal) agg.arg = CastTo(std::move(agg.arg), DataType::Text());
        }
        try {
          agg.type = AggregateType(agg.fn, agg.arg ? agg.arg->type : DataType::Null());
        } catch (const Error& err) {
          Fail(err.code(), err.what(), e.location);
        }
        std::string key = agg.ToString();
        for (size_t i = 0; i < ctx.aggregates->size(); ++i) {
          if ((*ctx.aggregates)[i].ToString() == key) {
            return BoundExpr::Column(kAggregateBase + static_cast<int>(i), agg.type, key);
          }
        }
        ctx.aggregates->push_back(std::move(agg));
        return BoundExpr::Column(kAggregateBase + static_cast<int>(ctx.aggregates->size() - 1),
                                 ctx.aggregates->back().type, key);
      }
      if (e.distinct || e.agg_star) {
        Fail(ErrorCode::kInvalidArgument, fn + " is not an aggregate function", e.location);
      }
      if (fn == "current_date") {
        std::vector<Value> none;
        return BoundExpr::Constant(EvaluateCall("current_date", DataType::Date(), none));
      }
      if (fn == "coalesce" || fn == "nullif" || fn == "greatest" || fn == "least" ||
          fn == "date_trunc" || fn == "extract" || fn == "date_part" || fn == "age" ||
          fn == "lower" || fn == "upper" || fn == "length" || fn == "substr" || fn == "substring" ||
          fn == "round" || fn == "abs" || fn == "floor" || fn == "ceil" || fn == "ceiling" ||
          fn == "trim" || fn == "btrim") {
        return call(fn == "btrim" ? "trim" : fn, bind_all(e.args));
      }
      Fail(ErrorCode::kInvalidArgument, "function " + fn + "() is not supported", e.location);
    }
    case sql::ExprKind::kBinary: {
      std::string op = e.op == "!=" ? "<>" : e.op;
      static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||"};
      if (std::find(std::begin(kOps), std::end(kOps), op) == std::end(kOps)) {
        Fail(ErrorCode::kInvalidArgument, "operator " + e.op + " is not supported", e.location);
      }
      return call(op, bind_all(e.args));
    }
    case sql::ExprKind::kUnary: {
      auto operand = BindExpr(*e.args[0], ctx);
      if (e.op == "+") return operand;
      if (operand->kind == BoundKind::kConstant && !operand->value.null) {
        Value v = operand->value;
        if (v.type.id == TypeId::kDouble)
          v.d = -v.d;
        else if (v.type.IsNumeric())
          v.i = -v.i;
        else
          Fail(ErrorCode::kInvalidArgument, "operator - does not accept " + v.type.ToString(),
               e.location);
        return BoundExpr::Constant(v);
      }
      std::vector<BoundExprPtr> args;
      args.push_back(std::move(operand));
      return call("neg", std::move(args));
    }
    case sql::ExprKind::kAnd:
      return call("and", bind_all(e.args));
    case sql::ExprKind::kOr:
      return call("or", bind_all(e.args));
    case sql::ExprKind::kNot:
      return call("not", bind_all(e.args));
    case sql::ExprKind::kIsNull:
      return call(e.negated ? "is_not_null" : "is_null", bind_all(e.args));
    case sql::ExprKind::kIsTrue:
      return call(std::string(e.negated ? "is_not_" : "is_") + e.op, bind_all(e.args));
    case sql::ExprKind::kIsDistinctFrom:
      return call(e.negated ? "is_not_distinct_from" : "is_distinct_from", bind_all(e.args));
    case sql::ExprKind::kCase: {
      std::vector<BoundExprPtr> args;
      BoundExprPtr operand = e.case_operand ? BindExpr(*e.case_operand, ctx) : nullptr;
      for (const auto& [when, then] : e.whens) {
        auto w = BindExpr(*when, ctx);
        if (operand) {
          std::vector<BoundExprPtr> eq;
          eq.push_back(operand->Clone());
          eq.push_back(std::move(w));
          w = call("=", std::move(eq));
        }
        args.push_back(std::move(w));
        args.push_back(BindExpr(*then, ctx));
      }
      args.push_back(e.case_else ? BindExpr(*e.case_else, ctx)
                                 : BoundExpr::Constant(Value::Null()));
      return call("case", std::move(args));
    }
    case sql::ExprKind::kCast: {
      auto operand = BindExpr(*e.args[0], ctx);
      auto type = TypeFromName(e.cast_type);
      if (!type) {
        if (e.cast_type.name == "numeric" || e.cast_type.name == "decimal") {
          type = operand->type.id == TypeId::kDecimal ? operand->type
                 : operand->type.id == TypeId::kInt64 ? DataType::Decimal(0)
                                                      : DataType::Double();
        } else {
          Fail(ErrorCode::kInvalidArgument, "type " + e.cast_type.name + " is not supported",
               e.location);
        }
      }
      try {
        return CastTo(std::move(operand), *type);
      } catch (const Error& err) {
        Fail(err.code(), err.what(), e.location);
      }
    }
    case sql::ExprKind::kInList: {
      auto in = call("in", bind_all(e.args));
      return e.negated ? Not(std::move(in)) : std::move(in);
    }
    case sql::ExprKind::kBetween: {
      auto x = BindExpr(*e.args[0], ctx);
      std::vector<BoundExprPtr> lo, hi;
      lo.push_back(x->Clone());
      lo.push_back(BindExpr(*e.args[1], ctx));
      hi.push_back(std::move(x));
      hi.push_back(BindExpr(*e.args[2], ctx));
      std::vector<BoundExprPtr> both;
      both.push_back(call(">=", std::move(lo)));
      both.push_back(call("<=", std::move(hi)));
      auto b = call("and", std::move(both));
      return e.negated ? Not(std::move(b)) : std::move(b);
    }
    case sql::ExprKind::kLike: {
      auto like = call(e.case_insensitive ? "ilike" : "like", bind_all(e.args));
      return e.negated ? Not(std::move(like)) : std::move(like);
    }
    case sql::ExprKind::kCoalesce:
      return call("coalesce", bind_all(e.args));
    case sql::ExprKind::kNullIf:
      return call("nullif", bind_all(e.args));
    case sql::ExprKind::kGreatest:
      return call("greatest", bind_all(e.args));
    case sql::ExprKind::kLeast:
      return call("least", bind_all(e.args));
    case sql::ExprKind::kScalarSubquery:
      return BindScalarSubquery(e);
    case sql::ExprKind::kExists:
    case sql::ExprKind::kInSubquery:
      Fail(ErrorCode::kInvalidArgument,
           "IN and EXISTS subqueries are supported only as conditions of WHERE (combined with AND)",
           e.location);
    case sql::ExprKind::kGroupingSet:
      Fail(ErrorCode::kInvalidArgument, "grouping sets are only allowed in GROUP BY", e.location);
    case sql::ExprKind::kParameter:
      return BindExpr(ParameterValue(e), ctx);
  }
  Fail(ErrorCode::kInvalidArgument, "unsupported expression", e.location);
}

}  // namespace fedgate::planner
