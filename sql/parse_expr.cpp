// Expressions: libpg_query's expression nodes -> fedgate's Expr (parse_internal.h).

#include <cctype>
#include <charconv>
#include <string>
#include <utility>

#include "common/error.h"
#include "sql/lexical.h"
#include "sql/parse_internal.h"

namespace fedgate::sql::internal {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool IsIntegerText(const std::string& text) {
  size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start == text.size()) return false;
  for (size_t i = start; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// The items of a list-valued expression field (A_Expr.rexpr of IN and BETWEEN).
const Json& ListItems(const Json& node) {
  if (node.is_array()) return node;
  return ListField(NodeBody(node), "items");
}

// An operator or type name: the last element, with a leading pg_catalog dropped. Empty when
// qualified by another schema.
std::string UnqualifiedName(const Json& names) {
  std::vector<std::string> parts = StringList(names);
  if (parts.size() == 2 && parts[0] == "pg_catalog") parts.erase(parts.begin());
  return parts.size() == 1 ? parts[0] : std::string();
}

std::string CanonicalTypeName(const std::string& name) {
  static const std::pair<std::string_view, std::string_view> kCanonical[] = {
      {"int4", "integer"},
      {"int8", "bigint"},
      {"int2", "smallint"},
      {"float8", "double precision"},
      {"float4", "real"},
      {"bpchar", "char"},
      {"bool", "boolean"},
      {"timestamptz", "timestamp with time zone"},
      {"timetz", "time with time zone"},
      {"varbit", "bit varying"},
  };
  for (const auto& [internal_name, canonical] : kCanonical) {
    if (name == internal_name) return std::string(canonical);
  }
  return name;
}

bool IsBinaryOperator(const std::string& op) {
  static const std::string_view kOperators[] = {"+",  "-", "*",  "/", "%",  "=",
                                                "<>", "<", "<=", ">", ">=", "||"};
  for (std::string_view known : kOperators) {
    if (op == known) return true;
  }
  return false;
}

ExprPtr MakeExpr(ExprKind kind, int location, std::vector<ExprPtr> args) {
  auto expr = std::make_unique<Expr>(kind, location);
  expr->args = std::move(args);
  return expr;
}

}  // namespace

std::vector<ExprPtr> Converter::Expressions(const Json& list) {
  std::vector<ExprPtr> exprs;
  for (const Json& item : list) exprs.push_back(Expression(item));
  return exprs;
}

ExprPtr Converter::Expression(const Json& node) {
  DepthGuard guard(*this, node);
  std::string_view type = NodeType(node);
  const Json& body = NodeBody(node);
  int location = LocationField(body);
  auto operand = [&](const char* key) { return Expression(ObjectField(body, key)); };

  if (type == "ColumnRef") return ColumnRef(body);
  if (type == "A_Const") return Literal(body);
  if (type == "TypeCast") return Cast(body);
  if (type == "FuncCall") return Function(body);
  if (type == "SQLValueFunction") return ValueFunction(body);
  if (type == "A_Expr") return OperatorExpr(body);
  if (type == "BoolExpr") return BoolExpr(body);
  if (type == "SubLink") return SubLink(body);
  if (type == "NullTest") {
    std::vector<ExprPtr> args;
    args.push_back(operand("arg"));
    auto expr = MakeExpr(ExprKind::kIsNull, location, std::move(args));
    expr->negated = StringField(body, "nulltesttype") == "IS_NOT_NULL";
    return expr;
  }
  if (type == "BooleanTest") {
    std::string test = StringField(body, "booltesttype");
    if (test == "IS_UNKNOWN" || test == "IS_NOT_UNKNOWN") {
      Fail("IS [NOT] UNKNOWN is not supported", location);
    }
    std::vector<ExprPtr> args;
    args.push_back(operand("arg"));
    auto expr = MakeExpr(ExprKind::kIsTrue, location, std::move(args));
    expr->op = test == "IS_TRUE" || test == "IS_NOT_TRUE" ? "true" : "false";
    expr->negated = test == "IS_NOT_TRUE" || test == "IS_NOT_FALSE";
    return expr;
  }
  if (type == "CaseExpr") {
    auto expr = std::make_unique<Expr>(ExprKind::kCase, location);
    if (body.contains("arg")) expr->case_operand = operand("arg");
    for (const Json& item : ListField(body, "args")) {
      const Json& when = NodeBody(item);
      ExprPtr condition = Expression(ObjectField(when, "expr"));
      expr->whens.emplace_back(std::move(condition), Expression(ObjectField(when, "result")));
    }
    if (body.contains("defresult")) expr->case_else = operand("defresult");
    return expr;
  }
  if (type == "CoalesceExpr") {
    return MakeExpr(ExprKind::kCoalesce, location, Expressions(ListField(body, "args")));
  }
  if (type == "MinMaxExpr") {
    ExprKind kind = StringField(body, "op") == "IS_LEAST" ? ExprKind::kLeast : ExprKind::kGreatest;
    return MakeExpr(kind, location, Expressions(ListField(body, "args")));
  }
  if (type == "ParamRef") {
    // $n, or Trino's ? once NumberParameters (trino_text.h) has numbered it.
    auto expr = MakeExpr(ExprKind::kParameter, location, {});
    expr->parameter = IntField(body, "number", 0);
    return expr;
  }
  if (type == "A_ArrayExpr") Fail("arrays are not supported", location);
  if (type == "RowExpr") Fail("row constructors are not supported", location);
  if (type == "CollateClause") Fail("COLLATE is not supported", location);
  if (type == "GroupingFunc") Fail("GROUPING() is not supported", location);
  if (type == "SetToDefault") Fail("DEFAULT is not supported", location);
  if (type == "XmlExpr" || type == "XmlSerialize") {
    Fail("XML functions are not supported", location);
  }
  if (type == "A_Indirection") {
    const Json& indirection = ListField(body, "indirection");
    bool subscript = !indirection.empty() && NodeType(indirection[0]) == "A_Indices";
    FailAt(subscript ? "arrays are not supported" : "field selection is not supported", body);
  }
  if (type.empty()) throw Error(ErrorCode::kInternal, "libpg_query gave an empty expression");
  FailAt(std::string(type) + " is not supported", node);
}

ExprPtr Converter::ColumnRef(const Json& body) {
  const Json& fields = ListField(body, "fields");
  auto expr = std::make_unique<Expr>(ExprKind::kColumnRef, LocationField(body));
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string_view type = NodeType(fields[i]);
    if (type == "A_Star" && i + 1 == fields.size()) {
      expr->kind = ExprKind::kStar;
    } else if (type == "String") {
      expr->names.push_back(StringField(NodeBody(fields[i]), "sval"));
    } else {
      Fail(std::string(type) + " in a column reference is not supported", expr->location);
    }
  }
  return expr;
}

// libpg_query 15-4.0 writes an Integer to JSON only when it is positive (`if (node->ival >
// 0)` in its _outInteger), so 0 and every negative constant arrive as {"ival":{}}. A negative
// integer constant is always the grammar's folding of `- <integer>` (doNegate), located at
// the minus sign, so the value can be read back from the text: minus signs, whitespace,
// comments and opening parentheses, then the digits.
std::string Converter::IntegerText(const Json& integer, int location) const {
  if (integer.contains("ival")) return std::to_string(integer["ival"].get<long long>());
  if (location < 0 || static_cast<size_t>(location) >= sql_.size()) return "0";
  size_t i = static_cast<size_t>(location);
  bool negative = false;
  while (i < sql_.size()) {
    char c = sql_[i];
    if (const NonCode skipped = ScanNonCode(sql_, i); skipped.kind == Lexeme::kComment) {
      i = skipped.end;
    } else if (c == '-') {
      negative = !negative;
      ++i;
    } else if (c == '(' || std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else {
      break;
    }
  }
  size_t digits_start = i;
  while (i < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[i]))) ++i;
  std::string digits(sql_.substr(digits_start, i - digits_start));
  size_t first_nonzero = digits.find_first_not_of('0');
  if (first_nonzero == std::string::npos) return "0";
  return (negative ? "-" : "") + digits.substr(first_nonzero);
}

ExprPtr Converter::Literal(const Json& body) {
  auto expr = std::make_unique<Expr>(ExprKind::kLiteral, LocationField(body));
  if (BoolField(body, "isnull")) {
    expr->literal_kind = LiteralKind::kNull;
  } else if (body.contains("ival")) {
    expr->literal_kind = LiteralKind::kInteger;
    expr->literal = IntegerText(body["ival"], expr->location);
  } else if (body.contains("fval")) {
    // Integers beyond 32 bits arrive as Float; they are still integer literals.
    expr->literal = StringField(body["fval"], "fval");
    expr->literal_kind =
        IsIntegerText(expr->literal) ? LiteralKind::kInteger : LiteralKind::kNumeric;
  } else if (body.contains("boolval")) {
    expr->literal_kind = LiteralKind::kBool;
    expr->literal = BoolField(body["boolval"], "boolval") ? "t" : "f";
  } else if (body.contains("sval")) {
    expr->literal_kind = LiteralKind::kString;
    expr->literal = StringField(body["sval"], "sval");
  } else if (body.contains("bsval")) {
    Fail("bit string literals are not supported", expr->location);
  } else {
    throw Error(ErrorCode::kInternal, "libpg_query gave a constant of unknown type");
  }
  return expr;
}

ExprPtr Converter::Cast(const Json& body) {
  const Json& type_name = ObjectField(body, "typeName");
  int location = IntField(body, "location", -1);
  // A typed literal (DATE '2024-01-01') has no location of its own; its type name has.
  if (location < 0) location = LocationField(type_name);
  auto expr = std::make_unique<Expr>(ExprKind::kCast, location);
  expr->args.push_back(Expression(ObjectField(body, "arg")));
  expr->cast_type = Type(type_name);
  return expr;
}

TypeName Converter::Type(const Json& type_name) {
  TypeName type;
  type.location = LocationField(type_name);
  if (!ListField(type_name, "arrayBounds").empty()) Fail("arrays are not supported", type.location);
  if (BoolField(type_name, "setof")) Fail("SETOF is not supported", type.location);
  if (BoolField(type_name, "pct_type")) Fail("%TYPE is not supported", type.location);
  std::string name = UnqualifiedName(ListField(type_name, "names"));
  if (name.empty()) Fail("schema-qualified type names are not supported", type.location);
  type.name = CanonicalTypeName(name);
  const Json& modifiers = ListField(type_name, "typmods");
  if (type.name == "interval" && !modifiers.empty()) {
    Fail("INTERVAL fields and precision are not supported (write INTERVAL '1 day')", type.location);
  }
  for (const Json& modifier : modifiers) {
    const Json& value = NodeBody(modifier);
    if (NodeType(modifier) != "A_Const" || !value.contains("ival")) {
      FailAt("type modifiers must be integer constants", modifier);
    }
    std::string text = IntegerText(value["ival"], LocationField(value));
    int number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size()) {
      FailAt("type modifier " + text + " is out of range", modifier);
    }
    type.modifiers.push_back(number);
  }
  return type;
}

ExprPtr Converter::Function(const Json& body) {
  int location = LocationField(body);
  std::vector<std::string> names = StringList(ListField(body, "funcname"));
  if (names.size() == 2 && names[0] == "pg_catalog") names.erase(names.begin());
  if (names.size() != 1) Fail("schema-qualified function names are not supported", location);
  const bool within_group = BoolField(body, "agg_within_group");
  if (body.contains("agg_order") && !within_group) {
    Fail("ORDER BY in aggregate functions is not supported", location);
  }
  if (BoolField(body, "func_variadic")) Fail("VARIADIC is not supported", location);
  auto expr = MakeExpr(ExprKind::kFunction, location, Expressions(ListField(body, "args")));
  expr->name = Lower(names[0]);
  expr->distinct = BoolField(body, "agg_distinct");
  expr->agg_star = BoolField(body, "agg_star");
  if (within_group) {
    // The ordered-set aggregates: percentile_cont(f) / percentile_disc(f) / mode() WITHIN
    // GROUP (ORDER BY x): the ordering expression becomes the last argument.
    if (expr->name != "percentile_cont" && expr->name != "percentile_disc" && expr->name != "mode")
      Fail("WITHIN GROUP is supported for percentile_cont, percentile_disc and mode, not " +
               expr->name,
           location);
    const Json& order = ListField(body, "agg_order");
    if (order.size() != 1) Fail(expr->name + " orders by exactly one expression", location);
    OrderItem item = SortItem(order[0]);
    expr->within_group = true;
    expr->order_descending = item.descending;
    expr->args.push_back(std::move(item.expr));
  }
  if (body.contains("agg_filter")) {
    // agg(x) FILTER (WHERE c) aggregates the rows where c holds: agg(CASE WHEN c THEN x END),
    // since every aggregate skips NULLs; count(*) counts them: count(CASE WHEN c THEN 1 END).
    ExprPtr condition = Expression(ObjectField(body, "agg_filter"));
    expr->filter_location = condition->location >= 0 ? condition->location : location;
    ExprPtr value;
    if (expr->agg_star) {
      value = std::make_unique<Expr>(ExprKind::kLiteral, location);
      value->literal_kind = LiteralKind::kInteger;
      value->literal = "1";
      expr->agg_star = false;
    } else if (expr->args.size() == 1 || (expr->within_group && expr->args.size() == 2)) {
      value = std::move(expr->args.back());
      expr->args.pop_back();
    } else {
      Fail("FILTER needs an aggregate of one argument or count(*)", location);
    }
    auto when = std::make_unique<Expr>(ExprKind::kCase, expr->filter_location);
    when->whens.emplace_back(std::move(condition), std::move(value));
    expr->args.push_back(std::move(when));
  }
  if (body.contains("over")) {
    if (within_group) Fail("WITHIN GROUP is not supported with OVER", location);
    expr->window = Window(body["over"], location);
  }
  return expr;
}

// CURRENT_DATE and friends, as functions of that name; CURRENT_TIMESTAMP(3) takes the
// precision as its argument.
ExprPtr Converter::ValueFunction(const Json& body) {
  static const std::pair<std::string_view, std::string_view> kFunctions[] = {
      {"SVFOP_CURRENT_DATE", "current_date"},           {"SVFOP_CURRENT_TIME", "current_time"},
      {"SVFOP_CURRENT_TIMESTAMP", "current_timestamp"}, {"SVFOP_LOCALTIME", "localtime"},
      {"SVFOP_LOCALTIMESTAMP", "localtimestamp"},
  };
  int location = LocationField(body);
  std::string op = StringField(body, "op");
  bool with_precision = op.size() > 2 && op.compare(op.size() - 2, 2, "_N") == 0;
  std::string base = with_precision ? op.substr(0, op.size() - 2) : op;
  auto expr = std::make_unique<Expr>(ExprKind::kFunction, location);
  for (const auto& [svf_op, name] : kFunctions) {
    if (base == svf_op) expr->name = name;
  }
  if (expr->name.empty()) {
    Fail((op.rfind("SVFOP_", 0) == 0 ? op.substr(6) : op) + " is not supported", location);
  }
  if (with_precision) {
    auto precision = std::make_unique<Expr>(ExprKind::kLiteral, location);
    precision->literal_kind = LiteralKind::kInteger;
    precision->literal = std::to_string(IntField(body, "typmod", 0));
    expr->args.push_back(std::move(precision));
  }
  return expr;
}

ExprPtr Converter::Binary(const Json& body, const std::string& op) {
  std::vector<ExprPtr> args;
  args.push_back(Expression(ObjectField(body, "lexpr")));
  args.push_back(Expression(ObjectField(body, "rexpr")));
  auto expr = MakeExpr(ExprKind::kBinary, LocationField(body), std::move(args));
  expr->op = op;
  return expr;
}

// LIKE and ILIKE, also written as their operators ~~, !~~, ~~* and !~~*.
ExprPtr Converter::Like(const Json& body, const std::string& op, int location) {
  const Json* pattern = &ObjectField(body, "rexpr");
  if (NodeType(*pattern) == "FuncCall" &&
      UnqualifiedName(ListField(NodeBody(*pattern), "funcname")) == "like_escape") {
    // ESCAPE '\' is PostgreSQL's default (JDBC clients always write it); other escape
    // characters are not supported.
    const Json& escape_args = ListField(NodeBody(*pattern), "args");
    ExprPtr escape = escape_args.size() == 2 ? Expression(escape_args[1]) : nullptr;
    if (!escape || escape->kind != ExprKind::kLiteral ||
        escape->literal_kind != LiteralKind::kString || escape->literal != "\\") {
      Fail("LIKE ... ESCAPE is supported only with the escape character '\\'", location);
    }
    pattern = &escape_args[0];
  }
  std::vector<ExprPtr> args;
  args.push_back(Expression(ObjectField(body, "lexpr")));
  args.push_back(Expression(*pattern));
  auto expr = MakeExpr(ExprKind::kLike, location, std::move(args));
  expr->negated = op[0] == '!';
  expr->case_insensitive = op.back() == '*';
  return expr;
}

ExprPtr Converter::OperatorExpr(const Json& body) {
  int location = LocationField(body);
  std::string kind = StringField(body, "kind");
  std::string op = UnqualifiedName(ListField(body, "name"));
  if (op.empty()) Fail("schema-qualified operators are not supported", location);
  if (kind == "AEXPR_OP") {
    if (!body.contains("lexpr")) {
      if (op != "-" && op != "+") Fail("prefix operator " + op + " is not supported", location);
      std::vector<ExprPtr> args;
      args.push_back(Expression(ObjectField(body, "rexpr")));
      auto expr = MakeExpr(ExprKind::kUnary, location, std::move(args));
      expr->op = op;
      return expr;
    }
    if (op == "~~" || op == "!~~" || op == "~~*" || op == "!~~*") return Like(body, op, location);
    if (!IsBinaryOperator(op)) Fail("operator " + op + " is not supported", location);
    return Binary(body, op);
  }
  if (kind == "AEXPR_IN" || kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
    // a IN (x, y) / a BETWEEN x AND y: the right side is a list.
    std::vector<ExprPtr> args;
    args.push_back(Expression(ObjectField(body, "lexpr")));
    for (const Json& item : ListItems(ObjectField(body, "rexpr"))) args.push_back(Expression(item));
    bool in = kind == "AEXPR_IN";
    auto expr = MakeExpr(in ? ExprKind::kInList : ExprKind::kBetween, location, std::move(args));
    expr->negated = in ? op == "<>" : kind == "AEXPR_NOT_BETWEEN";
    return expr;
  }
  if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") return Like(body, op, location);
  if (kind == "AEXPR_NULLIF" || kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") {
    ExprPtr expr = Binary(body, "");
    expr->kind = kind == "AEXPR_NULLIF" ? ExprKind::kNullIf : ExprKind::kIsDistinctFrom;
    expr->negated = kind == "AEXPR_NOT_DISTINCT";
    return expr;
  }
  if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") {
    Fail("ANY and ALL comparisons are not supported", location);
  }
  if (kind == "AEXPR_SIMILAR") Fail("SIMILAR TO is not supported", location);
  if (kind == "AEXPR_BETWEEN_SYM" || kind == "AEXPR_NOT_BETWEEN_SYM") {
    Fail("BETWEEN SYMMETRIC is not supported", location);
  }
  Fail(kind + " is not supported", location);
}

ExprPtr Converter::BoolExpr(const Json& body) {
  int location = LocationField(body);
  std::string op = StringField(body, "boolop");
  const Json& args = ListField(body, "args");
  if (op == "NOT_EXPR") {
    if (args.size() != 1) {
      throw Error(ErrorCode::kInternal, "libpg_query gave NOT without one operand");
    }
    ExprPtr operand = Expression(args[0]);
    // a NOT IN (subquery) arrives as NOT (a IN (subquery)).
    if (operand->kind == ExprKind::kInSubquery && !operand->negated) {
      operand->negated = true;
      return operand;
    }
    std::vector<ExprPtr> operands;
    operands.push_back(std::move(operand));
    return MakeExpr(ExprKind::kNot, location, std::move(operands));
  }
  return MakeExpr(op == "OR_EXPR" ? ExprKind::kOr : ExprKind::kAnd, location, Expressions(args));
}

ExprPtr Converter::SubLink(const Json& body) {
  int location = LocationField(body);
  std::string type = StringField(body, "subLinkType");
  const Json& operator_name = ListField(body, "operName");
  ExprKind kind;
  if (type == "EXISTS_SUBLINK") {
    kind = ExprKind::kExists;
  } else if (type == "EXPR_SUBLINK") {
    kind = ExprKind::kScalarSubquery;
  } else if (type == "ANY_SUBLINK" &&
             (operator_name.empty() || UnqualifiedName(operator_name) == "=")) {
    kind = ExprKind::kInSubquery;  // IN (subquery), = ANY (subquery)
  } else if (type == "ANY_SUBLINK" || type == "ALL_SUBLINK") {
    Fail("ANY and ALL comparisons with subqueries are not supported", location);
  } else if (type == "ARRAY_SUBLINK") {
    Fail("arrays are not supported", location);
  } else if (type == "ROWCOMPARE_SUBLINK") {
    Fail("row comparisons with subqueries are not supported", location);
  } else {
    Fail(type + " is not supported", location);
  }
  auto expr = std::make_unique<Expr>(kind, location);
  if (kind == ExprKind::kInSubquery) {
    expr->args.push_back(Expression(ObjectField(body, "testexpr")));
  }
  expr->subquery = SubSelect(ObjectField(body, "subselect"), -1);
  return expr;
}

}  // namespace fedgate::sql::internal
