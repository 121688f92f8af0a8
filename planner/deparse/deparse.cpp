#include "planner/deparse/deparse.h"

#include <cctype>
#include <cstdio>

#include "common/date.h"
#include "common/error.h"
#include "common/type_names.h"
#include "planner/function/window_functions.h"

namespace fedgate::planner {

namespace {

// A SELECT being assembled. `columns` holds, per output column of the subtree, an SQL
// expression valid in this block's scope; `raw_person[i]` marks a raw identifier column.
struct Block {
  std::string from;
  std::vector<std::string> where, group_by, having, order_by;
  bool aggregated = false;
  bool windowed = false;  // `columns` hold window functions: WHERE, GROUP BY and OVER need a wrap
  int64_t limit = -1, offset = 0;
  std::vector<std::string> columns;
  std::vector<bool> raw_person;
};

std::string Substitute(std::string_view pattern, const std::vector<std::string>& args) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        std::isdigit(static_cast<unsigned char>(pattern[i + 1]))) {
      out += args.at(static_cast<size_t>(pattern[i + 1] - '0'));
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string SqlType(const DataType& t) {
  return TypeName(t, TypeNaming::kSql);
}

class Writer {
 public:
  explicit Writer(const sql::Dialect& d) : d_(d) {}

  std::string Literal(const Value& v) {
    if (v.null || v.type.id == TypeId::kNull) {
      return v.type.id == TypeId::kNull || d_.typed_null.empty()
                 ? "NULL"
                 : Substitute(d_.typed_null, {SqlType(v.type)});
    }
    switch (v.type.id) {
      case TypeId::kBool:
        return std::string(v.i ? d_.true_literal : d_.false_literal);
      case TypeId::kInt64:
        return std::to_string(v.i);
      case TypeId::kDecimal:
        return v.ToString();
      case TypeId::kDouble: {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17e", v.d);
        return Substitute(d_.double_literal, {buf});
      }
      case TypeId::kText:
        return sql::QuoteString(d_, v.s);
      case TypeId::kDate:
        return sql::DateLiteral(d_, FormatIsoDate(static_cast<int32_t>(v.i)));
      case TypeId::kTimestamp: {
        char frac[16];
        std::snprintf(frac, sizeof frac, ".%06lld",
                      static_cast<long long>(((v.i % 1000000) + 1000000) % 1000000));
        return Substitute(d_.timestamp_literal, {"'" + FormatIsoTimestamp(v.i) + frac + "'"});
      }
      case TypeId::kInterval:
        return "INTERVAL '" + std::to_string(v.iv.months) + " months " + std::to_string(v.iv.days) +
               " days " + std::to_string(v.iv.micros) + " microseconds'";
      default:
        throw Error(ErrorCode::kInternal, "cannot write a " + v.type.ToString() + " literal");
    }
  }

  // `e` over a block's columns.
  std::string Expr(const BoundExpr& e, const Block& in) {
    switch (e.kind) {
      case BoundKind::kColumn:
        return in.raw_person[e.column] ? sql::CanonicalIdentifier(d_, in.columns[e.column])
                                       : in.columns[e.column];
      case BoundKind::kConstant:
        return Literal(e.value);
      case BoundKind::kCall:
        break;
    }
    std::vector<std::string> args;
    for (const auto& a : e.args) args.push_back(Expr(*a, in));
    const std::string& fn = e.name;
    // Text ordering depends on collation: ask for bytewise order, as the gateway's.
    bool ordering =
        fn == "<" || fn == "<=" || fn == ">" || fn == ">=" || fn == "greatest" || fn == "least";
    if (ordering && !d_.bytewise_collation.empty()) {
      for (size_t i = 0; i < args.size(); ++i) {
        if (e.args[i]->type.id == TypeId::kText)
          args[i] = "(" + args[i] + std::string(d_.bytewise_collation) + ")";
      }
    }
    auto joined = [&](const char* sep, size_t from = 0) {
      std::string out;
      for (size_t i = from; i < args.size(); ++i) out += (i > from ? sep : "") + args[i];
      return out;
    };
    if (fn == "and") return "(" + joined(" AND ") + ")";
    if (fn == "or") return "(" + joined(" OR ") + ")";
    if (fn == "in") return "(" + args[0] + " IN (" + joined(", ", 1) + "))";
    if (fn == "coalesce") return "COALESCE(" + joined(", ") + ")";
    if (fn == "greatest") return "GREATEST(" + joined(", ") + ")";
    if (fn == "least") return "LEAST(" + joined(", ") + ")";
    if (fn == "substr" || fn == "substring") return "substr(" + joined(", ") + ")";
    if (fn == "age") return "age(" + joined(", ") + ")";
    if (fn == "cast") return "CAST(" + args[0] + " AS " + SqlType(e.type) + ")";
    if (fn == "round") {
      if (e.args[0]->type.id == TypeId::kDouble && args.size() == 2) {
        return "CAST(round(CAST(" + args[0] + " AS numeric), " + args[1] + ") AS double precision)";
      }
      return "round(" + joined(", ") + ")";
    }
    if (fn == "case") {
      std::string out = "CASE";
      for (size_t i = 0; i + 1 < args.size(); i += 2)
        out += " WHEN " + args[i] + " THEN " + args[i + 1];
      return out + " ELSE " + args.back() + " END";
    }
    auto it = d_.functions->find(fn);
    if (it == d_.functions->end() || it->second == "*") {
      throw Error(ErrorCode::kInternal,
                  "no SQL for function " + fn + " in " + std::string(d_.name));
    }
    return Substitute(it->second, args);
  }

  // A join's condition (ON, or the WHERE of EXISTS), where a conjunct that is NULL rejects the
  // pair as FALSE does. There a person key of the left side equal to one of the right,
  // canonical(l) = canonical(r), is written as stripped(l) = stripped(r) AND canonical(r) IS
  // NOT NULL: the same pairs (equal stripped forms are both valid or both not), but the source
  // hashes or sorts on the cheap stripped form and checks the Modulus 11 only on the right
  // side's rows (the inner side of EXISTS), instead of on every row of both. On PostgreSQL
  // this made a gp fragment joining a million patients to two filtered tables 3-4x faster.
  std::string JoinCondition(const BoundExpr& e, const Block& both, size_t left_size) {
    const int left_columns = static_cast<int>(left_size);
    if (e.kind == BoundKind::kCall && e.name == "and") {
      std::string out;
      for (const auto& a : e.args)
        out += (out.empty() ? "" : " AND ") + JoinCondition(*a, both, left_size);
      return "(" + out + ")";
    }
    auto raw_person = [&](const BoundExpr& a) {
      return a.kind == BoundKind::kColumn && both.raw_person[a.column];
    };
    if (e.kind == BoundKind::kCall && e.name == "=" && e.args.size() == 2 &&
        raw_person(*e.args[0]) && raw_person(*e.args[1]) &&
        (e.args[0]->column < left_columns) != (e.args[1]->column < left_columns)) {
      const bool first_left = e.args[0]->column < left_columns;
      const std::string& l = both.columns[e.args[first_left ? 0 : 1]->column];
      const std::string& r = both.columns[e.args[first_left ? 1 : 0]->column];
      return "(" + sql::StrippedIdentifier(l) + " = " + sql::StrippedIdentifier(r) + " AND " +
             sql::CanonicalIdentifier(d_, r) + " IS NOT NULL)";
    }
    return Expr(e, both);
  }

  std::string Aggregate(const AggregateCall& a, const Block& in) {
    if (a.fn == "count_star") return "count(*)";
    std::string arg = Expr(*a.arg, in);
    if ((a.fn == "min" || a.fn == "max") && a.arg->type.id == TypeId::kText &&
        !d_.bytewise_collation.empty()) {
      arg = "(" + arg + std::string(d_.bytewise_collation) + ")";
    }
    return a.fn + "(" + (a.distinct ? "DISTINCT " : "") + arg + ")";
  }

  // The items of an ORDER BY (of a query or a window) over a block's columns: text bytewise,
  // NULLs where fedgate puts them (a key of their own where the dialect has no NULLS FIRST:
  // rows equal on a value are equal on its NULL test, so a window's peers stay the same).
  std::vector<std::string> OrderBy(const std::vector<SortKey>& keys, const Block& b) {
    std::vector<std::string> out;
    for (const auto& k : keys) {
      std::string s = Expr(*k.expr, b);
      if (k.expr->type.id == TypeId::kText) s += std::string(d_.bytewise_collation);
      if (d_.nulls_order_syntax) {
        out.push_back(s + (k.descending ? " DESC" : " ASC") +
                      (k.nulls_first ? " NULLS FIRST" : " NULLS LAST"));
      } else {
        out.push_back("CASE WHEN " + s + " IS NULL THEN 0 ELSE 1 END" +
                      (k.nulls_first ? " ASC" : " DESC"));
        out.push_back(s + (k.descending ? " DESC" : " ASC"));
      }
    }
    return out;
  }

  // A window call's frame as SQL, for the functions that read one (others ignore it, and
  // T-SQL refuses a frame on them); "" for the default frame, which every dialect shares.
  std::string FrameSql(const WindowCall& call) {
    const WindowFunction* function = FindWindowFunction(call.fn);
    if (function == nullptr || !ReadsFrame(*function) || !call.frame.written) return "";
    using Bound = WindowFrame::Bound;
    auto bound = [&](Bound k, const Value& offset) -> std::string {
      switch (k) {
        case Bound::kUnboundedPreceding:
          return "UNBOUNDED PRECEDING";
        case Bound::kPreceding:
          return Literal(offset) + " PRECEDING";
        case Bound::kCurrentRow:
          return "CURRENT ROW";
        case Bound::kFollowing:
          return Literal(offset) + " FOLLOWING";
        case Bound::kUnboundedFollowing:
          return "UNBOUNDED FOLLOWING";
      }
      return "";
    };
    const WindowFrame& f = call.frame;
    const char* mode = f.mode == WindowFrame::Mode::kRows     ? "ROWS"
                       : f.mode == WindowFrame::Mode::kGroups ? "GROUPS"
                                                              : "RANGE";
    return std::string(mode) + " BETWEEN " + bound(f.start, f.start_offset) + " AND " +
           bound(f.end, f.end_offset);
  }

  // `derived`: the SELECT becomes a derived table or a UNION branch, where an ORDER BY that
  // no LIMIT needs means nothing.
  std::string Select(const Block& b, bool final_names = false, const LogicalOp* op = nullptr,
                     bool derived = false) {
    const bool top_or_fetch = d_.limit_style == sql::Dialect::LimitStyle::kTopOrFetch;
    std::string sql = "SELECT ";
    // T-SQL: TOP without an ORDER BY or offset; OFFSET ... FETCH (which needs an ORDER BY)
    // otherwise.
    if (top_or_fetch && b.limit >= 0 && b.offset == 0 && b.order_by.empty())
      sql += "TOP (" + std::to_string(b.limit) + ") ";
    for (size_t i = 0; i < b.columns.size(); ++i) {
      std::string alias = final_names && op ? op->columns[i].name : "c" + std::to_string(i);
      sql += (i ? ", " : "") + b.columns[i] + " AS " + sql::QuoteIdentifier(d_, alias);
    }
    if (b.columns.empty()) sql += "1";
    sql += " FROM " + b.from;
    auto clause = [&](const char* kw, const std::vector<std::string>& items, const char* sep) {
      if (items.empty()) return;
      sql += kw;
      for (size_t i = 0; i < items.size(); ++i) sql += (i ? sep : "") + items[i];
    };
    clause(" WHERE ", b.where, " AND ");
    clause(" GROUP BY ", b.group_by, ", ");
    clause(" HAVING ", b.having, " AND ");
    if (top_or_fetch) {
      // An ORDER BY in a derived table is an error there unless it serves OFFSET/FETCH.
      const bool paged = b.offset > 0 || (b.limit >= 0 && !b.order_by.empty());
      if (paged) {
        clause(" ORDER BY ",
               b.order_by.empty() ? std::vector<std::string>{"(SELECT NULL)"} : b.order_by, ", ");
        sql += " OFFSET " + std::to_string(b.offset) + " ROWS";
        if (b.limit >= 0) sql += " FETCH NEXT " + std::to_string(b.limit) + " ROWS ONLY";
      } else if (!derived) {
        clause(" ORDER BY ", b.order_by, ", ");
      }
      return sql;
    }
    clause(" ORDER BY ", b.order_by, ", ");
    if (b.limit >= 0) sql += " LIMIT " + std::to_string(b.limit);
    if (b.offset > 0) sql += " OFFSET " + std::to_string(b.offset);
    return sql;
  }

  // Turns a block into a derived table so more clauses can be stacked on it.
  Block Wrap(const Block& b) {
    Block out;
    std::string alias = "s" + std::to_string(next_alias_++);
    out.from = "(" + Select(b, false, nullptr, true) + ") AS " + alias;
    for (size_t i = 0; i < b.columns.size(); ++i) {
      out.columns.push_back(alias + "." + sql::QuoteIdentifier(d_, "c" + std::to_string(i)));
      out.raw_person.push_back(b.raw_person[i]);
    }
    return out;
  }

  static bool Plain(const Block& b) {
    return !b.aggregated && !b.windowed && b.group_by.empty() && b.limit < 0 && b.offset == 0 &&
           b.order_by.empty();
  }

  Block Render(const LogicalOp& op) {
    switch (op.kind) {
      case OpKind::kGet: {
        Block b;
        std::string alias = "t" + std::to_string(next_alias_++);
        b.from = sql::QuoteIdentifier(d_, op.table->name) + " AS " + alias;
        // The identifier of a table that takes it from another one: the source joins them.
        std::string person_alias = alias;
        if (!op.table->through_table.empty()) {
          person_alias = alias + "k";
          const std::string key = sql::QuoteIdentifier(d_, op.table->through_key);
          b.from = "(" + b.from + " LEFT JOIN " +
                   sql::QuoteIdentifier(d_, op.table->through_table) + " AS " + person_alias +
                   " ON " + person_alias + "." + key + " = " + alias + "." + key + ")";
        }
        for (size_t i = 0; i < op.columns.size(); ++i) {
          const CatalogColumn& c = op.table->columns[op.table_columns[i]];
          b.columns.push_back((c.person ? person_alias : alias) + "." +
                              sql::QuoteIdentifier(d_, c.source_column));
          b.raw_person.push_back(c.person);
        }
        return b;
      }
      case OpKind::kFilter: {
        Block b = Render(*op.children[0]);
        if (b.limit >= 0 || b.offset > 0 || b.windowed) b = Wrap(b);
        (b.aggregated ? b.having : b.where).push_back(Expr(*op.predicate, b));
        return b;
      }
      case OpKind::kProject: {
        Block b = Render(*op.children[0]);
        std::vector<std::string> columns;
        std::vector<bool> raw;
        for (const auto& e : op.exprs) {
          if (e->IsColumn() && b.raw_person[e->column]) {  // keep it raw: it is only passed on
            columns.push_back(b.columns[e->column]);
            raw.push_back(true);
          } else {
            columns.push_back(Expr(*e, b));
            raw.push_back(false);
          }
        }
        b.columns = std::move(columns);
        b.raw_person = std::move(raw);
        return b;
      }
      case OpKind::kAggregate: {
        Block b = Render(*op.children[0]);
        if (!Plain(b)) b = Wrap(b);
        std::vector<std::string> columns;
        std::vector<bool> raw;
        for (const auto& g : op.groups) {
          // A partial per-person aggregate groups by the raw identifier: the gateway merges
          // one person's groups after pseudonymisation (see LogicalOp::raw_person_keys).
          const bool keep_raw = op.raw_person_keys && g->IsColumn() && b.raw_person[g->column];
          std::string s = keep_raw ? b.columns[g->column] : Expr(*g, b);
          b.group_by.push_back(s);
          columns.push_back(s);
          raw.push_back(keep_raw);
        }
        for (const auto& a : op.aggregates) columns.push_back(Aggregate(a, b));
        if (op.persons_column >= 0) {
          if (op.persons_input >= 0) {
            columns.push_back("max(" + b.columns[op.persons_input] + ")");
          } else {
            columns.push_back("count(DISTINCT " + Expr(*op.person_inputs.at(0), b) + ")");
          }
        }
        if (op.unlinked_column >= 0) {
          if (op.unlinked_column != static_cast<int>(columns.size()))
            throw Error(ErrorCode::kInternal, "the unlinked rows' count is not after the persons");
          columns.push_back("count(*) - count(" + Expr(*op.person_inputs.at(0), b) + ")");
        }
        raw.resize(columns.size(), false);
        b.columns = std::move(columns);
        b.raw_person = std::move(raw);
        b.aggregated = true;
        return b;
      }
      case OpKind::kJoin: {
        Block l = Render(*op.children[0]);
        Block r = Render(*op.children[1]);
        if (!Plain(l)) l = Wrap(l);
        if (!Plain(r)) r = Wrap(r);
        Block both;
        both.columns = l.columns;
        both.raw_person = l.raw_person;
        both.columns.insert(both.columns.end(), r.columns.begin(), r.columns.end());
        both.raw_person.insert(both.raw_person.end(), r.raw_person.begin(), r.raw_person.end());
        std::string cond = op.predicate ? JoinCondition(*op.predicate, both, l.columns.size())
                                        : std::string(d_.true_literal);
        auto ands = [](const std::vector<std::string>& v) {
          std::string out;
          for (size_t i = 0; i < v.size(); ++i) out += (i ? " AND " : "") + v[i];
          return out;
        };
        Block out;
        switch (op.join) {
          case JoinKind::kSemi:
          case JoinKind::kAnti: {
            out = l;
            std::string sub = "SELECT 1 FROM " + r.from + " WHERE " + cond;
            if (!r.where.empty()) sub += " AND " + ands(r.where);
            if (op.null_aware) {
              // x NOT IN (SELECT y ...): the binder made the condition exactly x = y.
              const auto& eq = *op.predicate;
              std::string x = Expr(*eq.args[0], both), y = Expr(*eq.args[1], both);
              std::string in = "SELECT " + y + " FROM " + r.from +
                               (r.where.empty() ? "" : " WHERE " + ands(r.where));
              out.where.push_back("(" + x + " NOT IN (" + in + "))");
            } else {
              out.where.push_back(std::string(op.join == JoinKind::kAnti ? "NOT " : "") +
                                  "EXISTS (" + sub + ")");
            }
            return out;
          }
          case JoinKind::kInner:
          case JoinKind::kCross:
            out.from = l.from + (op.join == JoinKind::kCross && !op.predicate
                                     ? " CROSS JOIN " + r.from
                                     : " JOIN " + r.from + " ON " + cond);
            out.where = l.where;
            out.where.insert(out.where.end(), r.where.begin(), r.where.end());
            break;
          case JoinKind::kLeft:
            if (!r.where.empty()) cond += " AND " + ands(r.where);
            out.from = l.from + " LEFT JOIN " + r.from + " ON " + cond;
            out.where = l.where;
            break;
          case JoinKind::kRight:
            if (!l.where.empty()) cond += " AND " + ands(l.where);
            out.from = l.from + " RIGHT JOIN " + r.from + " ON " + cond;
            out.where = r.where;
            break;
          case JoinKind::kFull:
            if (!l.where.empty() || !r.where.empty()) {
              // Filters must apply before a full join: keep them inside derived tables.
              if (!l.where.empty()) l = Wrap(l);
              if (!r.where.empty()) r = Wrap(r);
              both.columns = l.columns;
              both.columns.insert(both.columns.end(), r.columns.begin(), r.columns.end());
              cond = op.predicate ? JoinCondition(*op.predicate, both, l.columns.size())
                                  : std::string(d_.true_literal);
            }
            out.from = l.from + " FULL JOIN " + r.from + " ON " + cond;
            break;
        }
        out.columns = both.columns;
        out.raw_person = both.raw_person;
        return out;
      }
      case OpKind::kSort: {
        Block b = Render(*op.children[0]);
        if (b.limit >= 0 || b.offset > 0) b = Wrap(b);
        for (auto& item : OrderBy(op.sort_keys, b)) b.order_by.push_back(std::move(item));
        return b;
      }
      case OpKind::kWindow: {
        Block b = Render(*op.children[0]);
        if (!Plain(b)) b = Wrap(b);
        std::string over;
        for (size_t i = 0; i < op.window_partition.size(); ++i)
          over += (i ? ", " : "PARTITION BY ") + Expr(*op.window_partition[i], b);
        std::vector<std::string> order = OrderBy(op.sort_keys, b);
        for (size_t i = 0; i < order.size(); ++i)
          over += (i ? ", " : over.empty() ? "ORDER BY " : " ORDER BY ") + order[i];
        for (const auto& call : op.windows) {
          std::string args;
          for (size_t i = 0; i < call.args.size(); ++i)
            args += (i ? ", " : "") + Expr(*call.args[i], b);
          const std::string fn = call.fn == "count_star" ? "count(*)" : call.fn + "(" + args + ")";
          std::string frame = FrameSql(call);
          b.columns.push_back(fn + " OVER (" + over + (over.empty() || frame.empty() ? "" : " ") +
                              frame + ")");
          b.raw_person.push_back(false);
        }
        b.windowed = true;
        return b;
      }
      case OpKind::kLimit: {
        Block b = Render(*op.children[0]);
        if (b.limit >= 0 || b.offset > 0) b = Wrap(b);
        b.limit = op.limit;
        b.offset = op.offset;
        return b;
      }
      case OpKind::kUnion: {
        std::vector<Block> branches;
        for (const auto& child : op.children) branches.push_back(Render(*child));
        Block out;
        std::string alias = "u" + std::to_string(next_alias_++);
        std::string body;
        for (size_t k = 0; k < branches.size(); ++k)
          body += (k ? " UNION ALL " : "") + Select(branches[k], false, nullptr, true);
        out.from = "(" + body + ") AS " + alias;
        for (size_t i = 0; i < branches[0].columns.size(); ++i) {
          out.columns.push_back(alias + "." + sql::QuoteIdentifier(d_, "c" + std::to_string(i)));
          out.raw_person.push_back(branches[0].raw_person[i]);
          for (const auto& b : branches) {
            if (b.raw_person[i] != branches[0].raw_person[i]) {
              throw Error(ErrorCode::kInternal, "UNION branches disagree on identifier form");
            }
          }
        }
        return out;
      }
      default:
        throw Error(ErrorCode::kInternal, "operator cannot be written as SQL");
    }
  }

 private:
  const sql::Dialect& d_;
  int next_alias_ = 0;
};

}  // namespace

std::string RenderFragmentSql(const LogicalOp& op, const sql::Dialect& dialect) {
  Writer w(dialect);
  Block b = w.Render(op);
  return w.Select(b, true, &op);
}

}  // namespace fedgate::planner
