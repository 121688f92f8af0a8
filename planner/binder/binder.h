#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "planner/catalog.h"
#include "planner/logical_plan.h"
#include "sql/ast.h"

namespace fedgate::planner {

// A bound query: the plan, plus uncorrelated scalar subqueries the plan refers to by index
// (a kCall "scalar_subquery" whose value.i is the index), which run first.
struct BoundQuery {
  LogicalOpPtr plan;
  std::vector<LogicalOpPtr> subqueries;
  // What the query touches, in any clause (policy checks): tables as "source.table", and
  // (table, column) pairs the SQL names or expands (*, USING, NATURAL).
  std::set<std::string> tables;
  std::set<std::pair<std::string, std::string>> columns;
  // Where the SQL cuts the rows of ROLLUP, CUBE or GROUPING SETS (HAVING, DISTINCT, LIMIT,
  // OFFSET), for disclosure control to refuse (disclosure/plan.h, rule 'secondary').
  std::optional<TextLocation> grouping_sets_cut;
  // Where a window function runs over the rows of ROLLUP, CUBE or GROUPING SETS: it would see
  // the cells before secondary suppression withholds their complements (rule 'secondary').
  std::optional<TextLocation> grouping_sets_window;
};

// Turns fedgate's AST into a logical plan: resolves `source.table` against the catalog
// (CTE names first), columns against the FROM clause (with PostgreSQL's rules for aliases,
// qualification and ambiguity), types every expression, plans aggregation, and turns IN /
// EXISTS subqueries into semi and anti joins.
//
// Ownership: the Binder holds a reference to `catalog`, which must outlive it and every plan it
// returns (Get nodes point at the catalog's CatalogTable). It copies `sql_text` (only used to
// turn byte offsets into line and column) and `names`.
//
// Threading: one Binder per statement, used by one thread; it is not thread-safe, and Bind is
// called once (it moves the recorded subqueries, tables and columns into its result).
// Different Binders may run at once over one Catalog (the Catalog is thread-safe).
//
// Errors: Bind throws Error(kInvalidArgument) for SQL fedgate cannot bind (types, grouping,
// unsupported constructs) and Error(kNotFound) for unknown tables, columns and catalogs; an
// error of the catalog (kNotFound, or kSource when a source cannot describe a table) or of
// the function library is rethrown with its own code and message. Each error carries the line
// and column of the offending text in `sql_text` when the AST has its position.
//
// Layout: binder.cpp (entry, WITH), bind_from.cpp (FROM and joins), bind_where.cpp (WHERE
// and subqueries), bind_select.cpp (select list and projection), bind_group_by.cpp (GROUP
// BY, HAVING, aggregation), bind_window.cpp (window functions), bind_order_limit.cpp (ORDER BY,
// LIMIT, OFFSET), bind_set_op.cpp (UNION), bind_expr.cpp (expressions), make_ops.cpp (MakeProject,
// MakeFilter, MakeAggregate).
class Binder {
 public:
  // How table names resolve besides `source.table`: `catalog.source.table` for a catalog in
  // `catalogs` (the DSA the query runs under), and a bare `table` in `default_schema`.
  struct Names {
    std::set<std::string> catalogs;
    std::string default_schema;
    // The values of parameters $1..$n (Trino's ?, from EXECUTE ... USING): constant
    // expressions (literals, typed literals, signed numbers), bound where the parameter
    // stands as if written there, so a value is only ever a value. A parameter without a
    // value is an error, or NULL when `unbound_parameters_as_null` (DESCRIBE OUTPUT).
    std::vector<std::shared_ptr<const sql::Expr>> parameters;
    bool unbound_parameters_as_null = false;
  };
  Binder(Catalog& catalog, std::string_view sql_text, Names names);
  Binder(Catalog& catalog, std::string_view sql_text);
  BoundQuery Bind(const sql::SelectStmt& stmt);

  // Internal pieces used by the expression binder (bind_expr.cpp).
  struct ScopeColumn {
    std::string qualifier;   // alias or table name
    std::string qualifier2;  // source.table for an unaliased table
    std::string name;
    DataType type;
    bool hidden = false;                  // not addressable by name (lineage and sort helpers)
    bool using_shadowed = false;          // right side of JOIN USING: only addressable qualified
    const CatalogTable* table = nullptr;  // the base table, for a column of a table in FROM
  };
  struct Scope {
    std::vector<ScopeColumn> columns;
    const Scope* outer = nullptr;
  };
  // A window function as bound in the select list or ORDER BY: the call, and the window it
  // runs over (PARTITION BY and ORDER BY over the same input as the select list).
  struct BoundWindow {
    WindowCall call;
    std::vector<BoundExprPtr> partition;
    std::vector<SortKey> order;
    std::string Spec() const;  // the window's text: calls with equal Spec share one kWindow
  };
  struct ExprContext {
    const Scope* scope = nullptr;
    std::vector<AggregateCall>* aggregates = nullptr;  // null: aggregates not allowed here
    const char* clause = "";                           // for messages: "WHERE", ...
    std::vector<BoundWindow>* windows = nullptr;       // null: window functions not allowed
  };
  BoundExprPtr BindExpr(const sql::Expr& e, ExprContext& ctx);
  // A function with OVER (bind_window.cpp): recorded in ctx.windows, returned as a
  // placeholder column (kWindowBase + index) that PlanWindows turns into a kWindow's column.
  BoundExprPtr BindWindowCall(const sql::Expr& e, ExprContext& ctx);
  [[noreturn]] void Fail(ErrorCode code, const std::string& message, int location) const;
  // The value bound to a kParameter (see Names::parameters); `e` itself for anything else.
  const sql::Expr& ParameterValue(const sql::Expr& e) const;
  // Records that the query names `c` (for policy checks).
  void Use(const ScopeColumn& c) {
    if (c.table) used_columns_.insert({c.table->QualifiedName(), c.name});
  }

 private:
  // The state of one SELECT while BindSimpleSelect binds it (bind_util.h).
  struct SelectState;

  LogicalOpPtr BindSelect(const sql::SelectStmt& s, const Scope* outer);
  LogicalOpPtr BindSetOp(const sql::SelectStmt& s, const Scope* outer);

  // FROM (bind_from.cpp).
  LogicalOpPtr BindFrom(const sql::SelectStmt& s, const Scope* outer, Scope& scope);
  LogicalOpPtr BindTableRef(const sql::TableRef& t, const Scope* outer, Scope& scope);
  // The innermost WITH query named `name`, or null.
  const sql::CommonTableExpr* FindCte(const std::string& name) const;
  LogicalOpPtr BindCteRef(const sql::TableRef& t, const sql::CommonTableExpr& cte, Scope& scope);
  LogicalOpPtr BindBaseTable(const sql::TableRef& t, Scope& scope);
  LogicalOpPtr BindDerivedTable(const sql::TableRef& t, Scope& scope);
  LogicalOpPtr BindJoin(const sql::TableRef& t, const Scope* outer, Scope& scope);
  // The equalities of JOIN ... USING (or NATURAL JOIN) over the two sides; marks the right
  // side's columns in `scope` (from `first_right`) as only addressable qualified.
  BoundExprPtr BindUsing(const sql::TableRef& t, const std::vector<std::string>& using_columns,
                         const Scope& left_scope, const Scope& right_scope, int left_width,
                         Scope& scope, size_t first_right);

  // WHERE and subqueries (bind_where.cpp).
  LogicalOpPtr BindWhere(LogicalOpPtr input, const sql::Expr& where, Scope& scope);
  LogicalOpPtr BindSubqueryJoin(LogicalOpPtr input, const sql::Expr& e, bool negate, Scope& scope);
  BoundExprPtr BindScalarSubquery(const sql::Expr& e);

  // SELECT ... [GROUP BY ...] [HAVING ...] [ORDER BY ...], in this order (bind_select.cpp).
  LogicalOpPtr BindSimpleSelect(const sql::SelectStmt& s, const Scope* outer);
  void ExpandTargets(const sql::SelectStmt& s, SelectState& st);
  void BindTargets(SelectState& st);
  LogicalOpPtr ProjectSelect(LogicalOpPtr op, const sql::SelectStmt& s, SelectState& st);

  // GROUP BY, HAVING and aggregation (bind_group_by.cpp).
  void ExpandGroupBy(const sql::SelectStmt& s, SelectState& st);
  std::vector<std::vector<int>> ExpandGroupingSet(const sql::Expr& e,
                                                  std::vector<const sql::Expr*>& key_exprs) const;
  std::vector<BoundExprPtr> BindGroupKeys(SelectState& st);
  LogicalOpPtr PlanAggregation(LogicalOpPtr op, const sql::SelectStmt& s, SelectState& st);

  // The window functions of the select list and ORDER BY, over the FROM clause or the
  // aggregation (bind_window.cpp): one kWindow per distinct window.
  LogicalOpPtr PlanWindows(LogicalOpPtr op, SelectState& st);
  WindowFrame BindFrame(const sql::WindowSpec& w, const std::vector<SortKey>& order,
                        ExprContext& ctx);

  // ORDER BY, LIMIT and OFFSET (bind_order_limit.cpp).
  void BindOrderBy(const sql::SelectStmt& s, SelectState& st);
  LogicalOpPtr SortSelect(LogicalOpPtr op, const SelectState& st);
  LogicalOpPtr ApplyOrderLimit(LogicalOpPtr op, const sql::SelectStmt& s);

  Catalog& catalog_;
  std::string sql_text_;
  Names names_;
  std::vector<std::map<std::string, const sql::CommonTableExpr*>> ctes_;
  std::vector<LogicalOpPtr> subqueries_;
  std::set<std::string> used_tables_;
  std::set<std::pair<std::string, std::string>> used_columns_;
  std::optional<TextLocation> grouping_sets_cut_;
  std::optional<TextLocation> grouping_sets_window_;
};

// Builds a projection of `child`, carrying the child's person lineage along as hidden
// columns when the expressions do not already carry it.
LogicalOpPtr MakeProject(LogicalOpPtr child, std::vector<BoundExprPtr> exprs,
                         std::vector<std::string> names);

// A filter over `child`, carrying its lineage.
LogicalOpPtr MakeFilter(LogicalOpPtr child, BoundExprPtr predicate);
// An aggregation of `child`: groups, then aggregates, then a hidden distinct-persons column
// unless a group key is a person key (then the output is per person, row-level).
LogicalOpPtr MakeAggregate(LogicalOpPtr child, std::vector<BoundExprPtr> groups,
                           std::vector<AggregateCall> aggregates);

// The outer-reference marker: a column index at or above this refers to the enclosing
// query's scope (index - kOuterBase), in correlated subqueries.
inline constexpr int kOuterBase = 1 << 24;
// Aggregate placeholders while binding an aggregated SELECT, and window-function placeholders
// (kWindowBase and above, below kOuterBase).
inline constexpr int kAggregateBase = 1 << 20;
inline constexpr int kWindowBase = 1 << 22;

}  // namespace fedgate::planner
