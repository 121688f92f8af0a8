// The binder's entry: parameters, WITH, and the dispatch of a SELECT to a simple select or a
// set operation.
#include "planner/binder/binder.h"

#include "common/error.h"

namespace fedgate::planner {

Binder::Binder(Catalog& catalog, std::string_view sql_text, Names names)
    : catalog_(catalog), sql_text_(sql_text), names_(std::move(names)) {}

Binder::Binder(Catalog& catalog, std::string_view sql_text) : Binder(catalog, sql_text, Names()) {}

const sql::Expr& Binder::ParameterValue(const sql::Expr& e) const {
  if (e.kind != sql::ExprKind::kParameter) return e;
  const size_t n = static_cast<size_t>(e.parameter);
  if (n >= 1 && n <= names_.parameters.size() && names_.parameters[n - 1])
    return *names_.parameters[n - 1];
  if (names_.unbound_parameters_as_null && n >= 1) {
    static const sql::Expr kNull(sql::ExprKind::kLiteral);
    return kNull;
  }
  Fail(ErrorCode::kInvalidArgument,
       "parameter " + std::to_string(e.parameter) + " has no value (the statement has " +
           std::to_string(names_.parameters.size()) +
           (names_.parameters.size() == 1 ? " value" : " values") + ": EXECUTE ... USING v1, ...)",
       e.location);
}

BoundQuery Binder::Bind(const sql::SelectStmt& stmt) {
  BoundQuery q;
  q.plan = BindSelect(stmt, nullptr);
  q.subqueries = std::move(subqueries_);
  q.tables = std::move(used_tables_);
  q.columns = std::move(used_columns_);
  q.grouping_sets_cut = grouping_sets_cut_;
  q.grouping_sets_window = grouping_sets_window_;
  return q;
}

LogicalOpPtr Binder::BindSelect(const sql::SelectStmt& s, const Scope* outer) {
  std::map<std::string, const sql::CommonTableExpr*> ctes;
  for (const auto& cte : s.with) {
    if (!ctes.emplace(cte.name, &cte).second) {
      Fail(ErrorCode::kInvalidArgument,
           "WITH query name \"" + cte.name + "\" specified more than once", cte.location);
    }
  }
  ctes_.push_back(std::move(ctes));
  struct Pop {
    std::vector<std::map<std::string, const sql::CommonTableExpr*>>& v;
    ~Pop() { v.pop_back(); }
  } pop{ctes_};
  return s.set_op == sql::SetOp::kNone ? BindSimpleSelect(s, outer) : BindSetOp(s, outer);
}

}  // namespace fedgate::planner
