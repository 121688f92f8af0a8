// SELECT statements, FROM items and clauses: libpg_query's SelectStmt -> fedgate's SelectStmt
// (parse_internal.h).

#include <memory>
#include <string>
#include <utility>

#include "sql/parse_internal.h"

namespace fedgate::sql::internal {

SelectPtr Converter::SubSelect(const Json& node, int location) {
  if (NodeType(node) != "SelectStmt") {
    FailAt(std::string(NodeType(node)) + " is not supported", node);
  }
  return Select(NodeBody(node), location);
}

SelectPtr Converter::Select(const Json& body, int location) {
  DepthGuard guard(*this, body);
  if (body.contains("intoClause")) FailAt("SELECT INTO is not supported", body["intoClause"]);
  if (const Json& locking = ListField(body, "lockingClause"); !locking.empty()) {
    std::string strength = StringField(NodeBody(locking[0]), "strength");
    std::string clause = strength == "LCS_FORSHARE"         ? "FOR SHARE"
                         : strength == "LCS_FORKEYSHARE"    ? "FOR KEY SHARE"
                         : strength == "LCS_FORNOKEYUPDATE" ? "FOR NO KEY UPDATE"
                                                            : "FOR UPDATE";
    FailAt(clause + " is not supported", locking[0]);
  }
  if (const Json& values = ListField(body, "valuesLists"); !values.empty()) {
    if (location >= 0) Fail("VALUES lists are not supported", location);
    FailAt("VALUES lists are not supported", values);
  }
  if (BoolField(body, "groupDistinct")) {
    FailAt("GROUP BY DISTINCT is not supported", ListField(body, "groupClause"));
  }
  if (StringField(body, "limitOption") == "LIMIT_OPTION_WITH_TIES") {
    FailAt("FETCH ... WITH TIES is not supported", ObjectField(body, "limitCount"));
  }

  auto select = std::make_unique<SelectStmt>();
  select->location = location;
  // Named windows for this SELECT's select list and ORDER BY (not for its subqueries').
  struct RestoreWindows {
    const Json*& slot;
    const Json* saved;
    ~RestoreWindows() { slot = saved; }
  } restore{windows_, windows_};
  windows_ = &ListField(body, "windowClause");
  if (body.contains("withClause")) With(body["withClause"], *select);

  std::string op = StringField(body, "op");
  if (op.empty() || op == "SETOP_NONE") {
    PlainSelect(body, *select);
  } else {
    select->set_op = op == "SETOP_UNION"       ? SetOp::kUnion
                     : op == "SETOP_INTERSECT" ? SetOp::kIntersect
                                               : SetOp::kExcept;
    select->set_all = BoolField(body, "all");
    select->left = Select(ObjectField(body, "larg"), -1);
    select->right = Select(ObjectField(body, "rarg"), -1);
  }

  for (const Json& item : ListField(body, "sortClause")) select->order_by.push_back(SortItem(item));
  if (body.contains("limitCount")) select->limit = LimitValue(body["limitCount"]);
  if (body.contains("limitOffset")) select->offset = LimitValue(body["limitOffset"]);
  return select;
}

void Converter::PlainSelect(const Json& body, SelectStmt& select) {
  if (body.contains("distinctClause")) {
    // Plain DISTINCT is a list holding one NULL; DISTINCT ON lists its expressions.
    for (const Json& item : ListField(body, "distinctClause")) {
      if (!NodeType(item).empty()) FailAt("DISTINCT ON is not supported", item);
    }
    select.distinct = true;
  }
  for (const Json& item : ListField(body, "targetList")) {
    const Json& target = NodeBody(item);
    ResultTarget result;
    result.expr = Expression(ObjectField(target, "val"));
    result.alias = StringField(target, "name");
    result.location = IntField(target, "location", 0);
    select.targets.push_back(std::move(result));
  }
  for (const Json& item : ListField(body, "fromClause")) select.from.push_back(FromItem(item));
  if (body.contains("whereClause")) select.where = Expression(body["whereClause"]);
  GroupBy(ListField(body, "groupClause"), select);
  if (body.contains("havingClause")) select.having = Expression(body["havingClause"]);
}

void Converter::With(const Json& with_clause, SelectStmt& select) {
  if (BoolField(with_clause, "recursive")) {
    Fail("WITH RECURSIVE is not supported", LocationField(with_clause));
  }
  for (const Json& item : ListField(with_clause, "ctes")) {
    const Json& cte = NodeBody(item);
    CommonTableExpr result;
    result.name = StringField(cte, "ctename");
    result.column_names = StringList(ListField(cte, "aliascolnames"));
    result.location = LocationField(cte);
    if (cte.contains("search_clause") || cte.contains("cycle_clause")) {
      Fail("SEARCH and CYCLE clauses are not supported", result.location);
    }
    const Json& query = ObjectField(cte, "ctequery");
    if (NodeType(query) != "SelectStmt") {
      Fail("data-modifying statements in WITH are not supported", result.location);
    }
    result.query = Select(NodeBody(query), -1);
    select.with.push_back(std::move(result));
  }
}

namespace {

void ApplyAlias(const Json& owner, TableRef& ref) {
  const Json& alias = ObjectField(owner, "alias");
  ref.alias = StringField(alias, "aliasname");
  ref.column_aliases = StringList(ListField(alias, "colnames"));
}

}  // namespace

std::unique_ptr<TableRef> Converter::FromItem(const Json& node) {
  DepthGuard guard(*this, node);
  std::string_view type = NodeType(node);
  const Json& body = NodeBody(node);
  if (type == "RangeVar") {
    auto ref = std::make_unique<TableRef>(TableRefKind::kTable, LocationField(body));
    if (!BoolField(body, "inh")) Fail("ONLY is not supported", ref->location);
    for (const char* key : {"catalogname", "schemaname", "relname"}) {
      if (std::string name = StringField(body, key); !name.empty()) ref->names.push_back(name);
    }
    ApplyAlias(body, *ref);
    return ref;
  }
  if (type == "JoinExpr") return Join(body);
  if (type == "RangeSubselect") {
    if (BoolField(body, "lateral")) FailAt("LATERAL is not supported", body);
    auto ref = std::make_unique<TableRef>(TableRefKind::kSubquery);
    ref->subquery = SubSelect(ObjectField(body, "subquery"), -1);
    ApplyAlias(body, *ref);
    return ref;
  }
  if (type == "RangeFunction") FailAt("functions in FROM are not supported", body);
  if (type == "RangeTableSample") FailAt("TABLESAMPLE is not supported", body);
  if (type == "RangeTableFunc") FailAt("XMLTABLE is not supported", body);
  FailAt(std::string(type) + " is not supported in FROM", body);
}

std::unique_ptr<TableRef> Converter::Join(const Json& body) {
  auto ref = std::make_unique<TableRef>(TableRefKind::kJoin);
  std::string type = StringField(body, "jointype");
  if (type.empty() || type == "JOIN_INNER") {
    ref->join_type = JoinType::kInner;
  } else if (type == "JOIN_LEFT") {
    ref->join_type = JoinType::kLeft;
  } else if (type == "JOIN_RIGHT") {
    ref->join_type = JoinType::kRight;
  } else if (type == "JOIN_FULL") {
    ref->join_type = JoinType::kFull;
  } else {
    FailAt(type + " is not supported", body);
  }
  ref->left = FromItem(ObjectField(body, "larg"));
  ref->right = FromItem(ObjectField(body, "rarg"));
  ref->natural = BoolField(body, "isNatural");
  ref->using_columns = StringList(ListField(body, "usingClause"));
  if (body.contains("join_using_alias")) {
    FailAt("an alias for JOIN ... USING is not supported", ObjectField(body, "rarg"));
  }
  if (body.contains("quals")) ref->on = Expression(body["quals"]);
  if (ref->join_type == JoinType::kInner && !ref->natural && !ref->on &&
      ref->using_columns.empty()) {
    ref->join_type = JoinType::kCross;
  }
  ApplyAlias(body, *ref);
  return ref;
}

void Converter::GroupBy(const Json& list, SelectStmt& select) {
  for (const Json& item : list) {
    std::string_view type = NodeType(item);
    const Json& body = NodeBody(item);
    if (type == "GroupingSet") {
      select.group_by.push_back(GroupingSet(body));
    } else if (type == "RowExpr" && StringField(body, "row_format") == "COERCE_IMPLICIT_CAST") {
      // GROUP BY (a, b) is GROUP BY a, b in PostgreSQL.
      for (const Json& arg : ListField(body, "args")) select.group_by.push_back(Expression(arg));
    } else {
      select.group_by.push_back(Expression(item));
    }
  }
}

ExprPtr Converter::GroupingSet(const Json& body) {
  DepthGuard guard(*this, body);
  auto set = std::make_unique<Expr>(ExprKind::kGroupingSet, LocationField(body));
  std::string kind = StringField(body, "kind");
  set->op = kind == "GROUPING_SET_ROLLUP"  ? "rollup"
            : kind == "GROUPING_SET_CUBE"  ? "cube"
            : kind == "GROUPING_SET_SETS"  ? "sets"
            : kind == "GROUPING_SET_EMPTY" ? "empty"
                                           : "simple";
  for (const Json& item : ListField(body, "content")) {
    std::string_view type = NodeType(item);
    const Json& item_body = NodeBody(item);
    if (type == "GroupingSet") {
      set->args.push_back(GroupingSet(item_body));
    } else if (type == "RowExpr" &&
               StringField(item_body, "row_format") == "COERCE_IMPLICIT_CAST") {
      // ROLLUP (a, (b, c)): the parenthesised list is one set.
      auto simple = std::make_unique<Expr>(ExprKind::kGroupingSet, LocationField(item_body));
      simple->op = "simple";
      simple->args = Expressions(ListField(item_body, "args"));
      set->args.push_back(std::move(simple));
    } else {
      set->args.push_back(Expression(item));
    }
  }
  return set;
}

OrderItem Converter::SortItem(const Json& node) {
  const Json& body = NodeBody(node);
  std::string direction = StringField(body, "sortby_dir");
  if (direction == "SORTBY_USING") Fail("ORDER BY ... USING is not supported", LocationField(body));
  OrderItem item;
  item.expr = Expression(ObjectField(body, "node"));
  item.descending = direction == "SORTBY_DESC";
  std::string nulls = StringField(body, "sortby_nulls");
  if (nulls == "SORTBY_NULLS_FIRST") item.nulls_first = true;
  if (nulls == "SORTBY_NULLS_LAST") item.nulls_first = false;
  return item;
}

ExprPtr Converter::LimitValue(const Json& node) {
  // LIMIT ALL (and LIMIT NULL, OFFSET NULL) mean no limit.
  if (NodeType(node) == "A_Const" && BoolField(NodeBody(node), "isnull")) return nullptr;
  return Expression(node);
}

}  // namespace fedgate::sql::internal
