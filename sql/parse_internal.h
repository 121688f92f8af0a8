#pragma once

// Internals of Parse() (parser.h): parser.cpp runs libpg_query and reads its JSON,
// parse_select.cpp converts statements, FROM items and clauses, parse_expr.cpp expressions.
// Not for use outside sql/.
//
// libpg_query hands back its parse tree as JSON that mirrors pg_query.proto. A node is an
// object with one key naming its type, {"ColumnRef": {...}}; fields typed as a specific
// message (SelectStmt.larg, withClause, alias, typeName, over) arrive without that wrapper.
// Fields at their protobuf default (0, false, "", empty list) are left out, and in 15-4.0
// an Integer whose value is not positive is left out too (see Converter::IntegerText).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/ast.h"

namespace fedgate::sql::internal {

using Json = nlohmann::json;

// Deeper nesting of expressions and subqueries is rejected, so that neither this
// converter nor the binder and planner after it can run out of stack.
inline constexpr int kMaxDepth = 1000;
std::string TooDeepMessage();

// The type of a wrapped node ("ColumnRef"), or "" for an empty object (libpg_query's
// rendering of a NULL list element).
std::string_view NodeType(const Json& node);
// The body of a wrapped node: node["ColumnRef"].
const Json& NodeBody(const Json& node);
// An object field, or an empty object when the field is absent.
const Json& ObjectField(const Json& object, const char* key);
// A list field, or an empty array when the field is absent.
const Json& ListField(const Json& object, const char* key);
std::string StringField(const Json& object, const char* key);
int IntField(const Json& object, const char* key, int absent);
bool BoolField(const Json& object, const char* key);
// The `location` of a node body; libpg_query leaves out a location of 0.
int LocationField(const Json& body);
// A list of String nodes as strings.
std::vector<std::string> StringList(const Json& list);

// Converts one parsed statement. Owns nothing but the depth count; throws fedgate::Error
// (kInvalidArgument) with the location in `sql` for constructs fedgate does not support.
class Converter {
 public:
  explicit Converter(std::string_view sql) : sql_(sql) {}

  // `body` is an unwrapped SelectStmt.
  SelectPtr Select(const Json& body, int location);
  ExprPtr Expression(const Json& node);

  [[noreturn]] void Fail(const std::string& message, int location) const;
  // Fails at the node's location, or at the first location inside it.
  [[noreturn]] void FailAt(const std::string& message, const Json& node) const;

 private:
  // Counts nesting for the scope of one conversion call.
  class DepthGuard {
   public:
    DepthGuard(Converter& converter, const Json& node);
    ~DepthGuard() { --converter_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Converter& converter_;
  };

  // parse_select.cpp
  SelectPtr SubSelect(const Json& node, int location);
  void PlainSelect(const Json& body, SelectStmt& select);
  void With(const Json& with_clause, SelectStmt& select);
  std::unique_ptr<TableRef> FromItem(const Json& node);
  std::unique_ptr<TableRef> Join(const Json& body);
  void GroupBy(const Json& list, SelectStmt& select);
  ExprPtr GroupingSet(const Json& body);
  OrderItem SortItem(const Json& node);
  ExprPtr LimitValue(const Json& node);

  // parse_window.cpp: OVER (...) or OVER w, against the WINDOW clause of the SELECT being
  // converted (`windows_`).
  std::shared_ptr<const WindowSpec> Window(const Json& over, int location);
  void WindowFrame(const Json& over, WindowSpec& spec);

  // parse_expr.cpp
  ExprPtr Literal(const Json& body);
  ExprPtr ColumnRef(const Json& body);
  ExprPtr OperatorExpr(const Json& body);
  ExprPtr Binary(const Json& body, const std::string& op);
  ExprPtr Like(const Json& body, const std::string& op, int location);
  ExprPtr Function(const Json& body);
  ExprPtr ValueFunction(const Json& body);
  ExprPtr BoolExpr(const Json& body);
  ExprPtr SubLink(const Json& body);
  ExprPtr Cast(const Json& body);
  TypeName Type(const Json& type_name);
  std::vector<ExprPtr> Expressions(const Json& list);
  std::string IntegerText(const Json& a_const, int location) const;

  std::string_view sql_;
  int depth_ = 0;
  // The WINDOW clause (a list of WindowDef) of the SELECT whose select list and ORDER BY are
  // being converted; set and restored by Select().
  const Json* windows_ = nullptr;
};

}  // namespace fedgate::sql::internal
