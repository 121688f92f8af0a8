#include "planner/wire/fragment_codec.h"

#include <algorithm>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "common/error.h"
#include "connectors/agent/wire_batch.h"
#include "fedgate_agent_types.h"
#include "planner/deparse/shippable.h"
#include "planner/function/functions.h"

namespace fedgate::planner {

namespace {

namespace wire = agent::wire;
using agent::FromWire;
using agent::ToWire;

// ---------------------------------------------------------------- encoding

class Encoder {
 public:
  wire::Fragment Run(const LogicalOp& root) {
    Op(root);
    return std::move(out_);
  }

 private:
  int Expr(const BoundExpr* e) {
    if (!e) return -1;
    wire::Expr w;
    w.type = ToWire(e->type);
    switch (e->kind) {
      case BoundKind::kColumn:
        w.kind = wire::ExprKind::COLUMN;
        w.column = e->column;
        break;
      case BoundKind::kConstant: {
        w.kind = wire::ExprKind::CONSTANT;
        wire::Value v;
        v.type = ToWire(e->value.type);
        v.is_null = e->value.null;
        v.i = e->value.i;
        v.d = e->value.d;
        v.s = e->value.s;
        v.months = e->value.iv.months;
        v.days = e->value.iv.days;
        v.micros = e->value.iv.micros;
        w.__set_value(v);
        break;
      }
      case BoundKind::kCall:
        w.kind = wire::ExprKind::CALL;
        w.name = e->name;
        for (const auto& a : e->args) w.operands.push_back(Expr(a.get()));
        break;
    }
    out_.exprs.push_back(std::move(w));
    return static_cast<int>(out_.exprs.size()) - 1;
  }

  int Op(const LogicalOp& op) {
    const int index = static_cast<int>(out_.ops.size());
    out_.ops.emplace_back();
    wire::Op w;
    switch (op.kind) {
      case OpKind::kGet:
        w.kind = wire::OpKind::GET;
        w.table = op.table->name;
        for (int c : op.table_columns) w.table_columns.push_back(op.table->columns[c].name);
        break;
      case OpKind::kFilter:
        w.kind = wire::OpKind::FILTER;
        break;
      case OpKind::kProject:
        w.kind = wire::OpKind::PROJECT;
        break;
      case OpKind::kAggregate:
        w.kind = wire::OpKind::AGGREGATE;
        break;
      case OpKind::kJoin:
        w.kind = wire::OpKind::JOIN;
        break;
      case OpKind::kSort:
        w.kind = wire::OpKind::SORT;
        break;
      case OpKind::kLimit:
        w.kind = wire::OpKind::LIMIT;
        break;
      case OpKind::kUnion:
        w.kind = wire::OpKind::UNION_ALL;
        break;
      default:
        throw Error(ErrorCode::kInternal, "an operator that cannot go to an agent was pushed");
    }
    for (const auto& c : op.columns) {
      wire::OutputColumn oc;
      oc.name = c.name;
      oc.type = ToWire(c.type);
      w.columns.push_back(oc);
    }
    w.person_columns = op.person_columns;
    w.persons_column = op.persons_column;
    w.predicate = Expr(op.predicate.get());
    for (const auto& e : op.exprs) w.exprs.push_back(Expr(e.get()));
    for (const auto& g : op.groups) w.groups.push_back(Expr(g.get()));
    for (const auto& a : op.aggregates) {
      wire::Aggregate wa;
      wa.fn = a.fn;
      wa.distinct = a.distinct;
      wa.arg = Expr(a.arg.get());
      wa.type = ToWire(a.type);
      w.aggregates.push_back(wa);
    }
    for (const auto& p : op.person_inputs) w.person_inputs.push_back(Expr(p.get()));
    w.persons_input = op.persons_input;
    w.unlinked_column = op.unlinked_column;
    w.per_person = op.per_person;
    w.raw_person_keys = op.raw_person_keys;
    w.join = static_cast<wire::JoinKind::type>(static_cast<int>(op.join));
    w.null_aware = op.null_aware;
    for (const auto& k : op.sort_keys) {
      wire::SortKey sk;
      sk.expr = Expr(k.expr.get());
      sk.descending = k.descending;
      sk.nulls_first = k.nulls_first;
      w.sort_keys.push_back(sk);
    }
    w.limit = op.limit;
    w.offset = op.offset;
    for (const auto& child : op.children) w.children.push_back(Op(*child));
    out_.ops[static_cast<size_t>(index)] = std::move(w);
    return index;
  }

  wire::Fragment out_;
};

// ---------------------------------------------------------------- decoding

[[noreturn]] void Refuse(const std::string& what) {
  throw Error(ErrorCode::kPermissionDenied, "fragment refused: " + what);
}

[[noreturn]] void Malformed(const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, "malformed fragment: " + what);
}

// Functions a person key may be an argument of.
bool PersonKeyUse(const std::string& fn) {
  static const char* kAllowed[] = {
      "=",  "<>",       "is_null", "is_not_null", "is_distinct_from", "is_not_distinct_from",
      "in", "coalesce", "case",    "nullif"};
  return std::find(std::begin(kAllowed), std::end(kAllowed), fn) != std::end(kAllowed);
}

class Decoder {
 public:
  Decoder(const wire::Fragment& f, Catalog& catalog, const std::string& source)
      : f_(f),
        catalog_(catalog),
        source_(source),
        dialect_(catalog.ConnectorFor(source).dialect()) {}

  LogicalOpPtr Run() {
    if (f_.ops.empty()) Malformed("no operators");
    if (f_.ops.size() > 10000 || f_.exprs.size() > 100000) Malformed("too large");
    return Op(0, 0);
  }

 private:
  const wire::Expr& ExprAt(int i) {
    if (i < 0 || static_cast<size_t>(i) >= f_.exprs.size()) Malformed("expression index");
    return f_.exprs[static_cast<size_t>(i)];
  }

  // Rebuilds expression `i` over an input with column types `input`, recomputing its type.
  BoundExprPtr Expr(int i, const std::vector<DataType>& input, int depth = 0) {
    if (depth > 200) Malformed("expression nested too deeply");
    const wire::Expr& w = ExprAt(i);
    const DataType claimed = FromWire(w.type);
    BoundExprPtr e;
    switch (w.kind) {
      case wire::ExprKind::COLUMN:
        if (w.column < 0 || static_cast<size_t>(w.column) >= input.size())
          Malformed("column " + std::to_string(w.column) + " of " + std::to_string(input.size()));
        e = BoundExpr::Column(w.column, input[static_cast<size_t>(w.column)], "c");
        break;
      case wire::ExprKind::CONSTANT: {
        if (!w.__isset.value) Malformed("a constant without a value");
        Value v;
        v.type = FromWire(w.value.type);
        if (v.type.id == TypeId::kPseudonym) Refuse("a person key written as a constant");
        v.null = w.value.is_null;
        v.i = w.value.i;
        v.d = w.value.d;
        v.s = w.value.s;
        v.iv = Interval{w.value.months, w.value.days, w.value.micros};
        e = BoundExpr::Constant(v);
        break;
      }
      case wire::ExprKind::CALL: {
        std::vector<BoundExprPtr> args;
        bool person_arg = false;
        for (int a : w.operands) {
          args.push_back(Expr(a, input, depth + 1));
          person_arg |= args.back()->type.id == TypeId::kPseudonym;
        }
        if (person_arg && !PersonKeyUse(w.name))
          Refuse("function " + w.name + " applied to a person key");
        DataType type;
        if (w.name == "cast") {
          if (claimed.id == TypeId::kPseudonym) Refuse("a cast to a person key");
          type = claimed;
        } else {
          try {
            type = ResolveCallType(w.name, args);
          } catch (const Error& err) {
            Malformed(err.what());
          }
        }
        e = BoundExpr::Call(w.name, type, std::move(args));
        break;
      }
      default:
        Malformed("unknown expression kind");
    }
    if (!(e->type == claimed) && !(claimed.id == TypeId::kNull))
      Refuse("expression typed " + claimed.ToString() + " is " + e->type.ToString());
    if (!CanRender(*e, dialect_)) Refuse("the source cannot evaluate " + e->ToString());
    return e;
  }

  static std::vector<DataType> Types(const LogicalOp& op) {
    std::vector<DataType> out;
    for (const auto& c : op.columns) out.push_back(c.type);
    return out;
  }

  LogicalOpPtr Op(int index, int depth) {
    if (depth > 100) Malformed("plan nested too deeply");
    if (index < 0 || static_cast<size_t>(index) >= f_.ops.size()) Malformed("operator index");
    const wire::Op& w = f_.ops[static_cast<size_t>(index)];
    LogicalOpPtr op;
    std::vector<LogicalOpPtr> children;
    for (int c : w.children) children.push_back(Op(c, depth + 1));
    auto child_types = [&](size_t n) {
      if (children.size() != n) Malformed("wrong number of inputs");
      std::vector<DataType> t;
      for (const auto& c : children) {
        auto ct = Types(*c);
        t.insert(t.end(), ct.begin(), ct.end());
      }
      return t;
    };
    std::vector<DataType> out;  // recomputed output types
    switch (w.kind) {
      case wire::OpKind::GET: {
        op = std::make_unique<LogicalOp>(OpKind::kGet);
        const CatalogTable* table = nullptr;
        try {
          table = &catalog_.Table(source_, w.table);
        } catch (const Error& e) {
          if (e.code() == ErrorCode::kNotFound) Refuse("table " + w.table + " is not exported");
          throw;
        }
        op->table = table;
        for (const auto& name : w.table_columns) {
          const int c = table->Find(name);
          if (c < 0) Refuse("column " + w.table + "." + name + " is not exported");
          op->table_columns.push_back(c);
          out.push_back(table->columns[static_cast<size_t>(c)].type);
          if (table->columns[static_cast<size_t>(c)].person)
            op->person_columns.push_back(static_cast<int>(op->table_columns.size()) - 1);
        }
        break;
      }
      case wire::OpKind::FILTER: {
        op = std::make_unique<LogicalOp>(OpKind::kFilter);
        out = child_types(1);
        op->predicate = Expr(w.predicate, out);
        break;
      }
      case wire::OpKind::PROJECT: {
        op = std::make_unique<LogicalOp>(OpKind::kProject);
        auto in = child_types(1);
        for (int e : w.exprs) {
          op->exprs.push_back(Expr(e, in));
          out.push_back(op->exprs.back()->type);
        }
        break;
      }
      case wire::OpKind::AGGREGATE: {
        op = std::make_unique<LogicalOp>(OpKind::kAggregate);
        auto in = child_types(1);
        for (int g : w.groups) {
          op->groups.push_back(Expr(g, in));
          out.push_back(op->groups.back()->type);
        }
        for (const auto& a : w.aggregates) {
          AggregateCall call;
          call.fn = a.fn;
          call.distinct = a.distinct;
          if (a.fn != "count_star") call.arg = Expr(a.arg, in);
          if (!IsAggregateFunction(a.fn) && a.fn != "count_star") Refuse("aggregate " + a.fn);
          const DataType arg = call.arg ? call.arg->type : DataType::Null();
          if (arg.id == TypeId::kPseudonym && a.fn != "count")
            Refuse("aggregate " + a.fn + " of a person key");
          try {
            call.type = AggregateType(a.fn, arg);
          } catch (const Error& err) {
            Malformed(err.what());
          }
          out.push_back(call.type);
          op->aggregates.push_back(std::move(call));
        }
        for (int p : w.person_inputs) {
          op->person_inputs.push_back(Expr(p, in));
          if (op->person_inputs.back()->type.id != TypeId::kPseudonym)
            Malformed("a persons count over something that is not a person key");
        }
        op->persons_input = w.persons_input;
        if (w.persons_input >= static_cast<int>(in.size())) Malformed("persons input");
        op->per_person = w.per_person;
        op->raw_person_keys = w.raw_person_keys;
        if (w.persons_column >= 0) {
          // Found by fuzzing: a count of persons with no person key to count reached the
          // SQL writer, which indexed an empty list.
          if (w.persons_input < 0 && w.person_inputs.empty())
            Malformed("a persons count with no person key to count");
          out.push_back(DataType::Int64());
        }
        if (w.unlinked_column >= 0) {
          // The rows without a person key, right after the persons count, of one person key.
          if (w.persons_column < 0 || op->person_inputs.size() != 1 ||
              w.unlinked_column != static_cast<int>(out.size()))
            Malformed("a count of unlinked rows not after the persons count of one key");
          op->unlinked_column = w.unlinked_column;
          out.push_back(DataType::Int64());
        }
        break;
      }
      case wire::OpKind::JOIN: {
        op = std::make_unique<LogicalOp>(OpKind::kJoin);
        auto in = child_types(2);
        if (w.join < 0 || w.join > static_cast<int>(JoinKind::kCross)) Malformed("join kind");
        op->join = static_cast<JoinKind>(static_cast<int>(w.join));
        op->null_aware = w.null_aware;
        if (w.predicate >= 0) op->predicate = Expr(w.predicate, in);
        if (op->join == JoinKind::kSemi || op->join == JoinKind::kAnti) {
          out = Types(*children[0]);
        } else {
          out = in;
        }
        break;
      }
      case wire::OpKind::SORT: {
        op = std::make_unique<LogicalOp>(OpKind::kSort);
        out = child_types(1);
        for (const auto& k : w.sort_keys) {
          SortKey key;
          key.expr = Expr(k.expr, out);
          if (key.expr->type.id == TypeId::kPseudonym) Refuse("ordering by a person key");
          key.descending = k.descending;
          key.nulls_first = k.nulls_first;
          op->sort_keys.push_back(std::move(key));
        }
        break;
      }
      case wire::OpKind::LIMIT:
        op = std::make_unique<LogicalOp>(OpKind::kLimit);
        out = child_types(1);
        op->limit = w.limit;
        op->offset = w.offset;
        if (w.offset < 0) Malformed("negative offset");
        break;
      case wire::OpKind::UNION_ALL: {
        op = std::make_unique<LogicalOp>(OpKind::kUnion);
        if (children.size() < 2) Malformed("a union of fewer than two inputs");
        out = Types(*children[0]);
        for (const auto& c : children) {
          if (Types(*c) != out) Refuse("union branches of different types");
        }
        break;
      }
      default:
        Malformed("unknown operator");
    }
    if (w.columns.size() != out.size())
      Malformed("operator with " + std::to_string(w.columns.size()) + " columns computes " +
                std::to_string(out.size()));
    for (size_t i = 0; i < out.size(); ++i) {
      const DataType claimed = FromWire(w.columns[i].type);
      if (!(claimed == out[i]))
        Refuse("column " + w.columns[i].name + " typed " + claimed.ToString() + " is " +
               out[i].ToString());
      op->columns.push_back({w.columns[i].name, out[i], false, false});
    }
    if (op->kind != OpKind::kGet) {
      for (int p : w.person_columns) {
        if (p < 0 || static_cast<size_t>(p) >= out.size() ||
            out[static_cast<size_t>(p)].id != TypeId::kPseudonym)
          Malformed("person column " + std::to_string(p));
      }
      op->person_columns = w.person_columns;
    }
    op->persons_column = w.persons_column;
    op->children = std::move(children);
    if (!CanPushOperator(*op, dialect_))
      Refuse("the source cannot evaluate a " +
             std::string(op->kind == OpKind::kAggregate ? "grouping" : "step") +
             " of this fragment");
    return op;
  }

  const wire::Fragment& f_;
  Catalog& catalog_;
  std::string source_;
  const sql::Dialect& dialect_;
};

}  // namespace

std::string EncodeFragment(const LogicalOp& op) {
  using apache::thrift::protocol::TBinaryProtocol;
  using apache::thrift::transport::TMemoryBuffer;
  wire::Fragment f = Encoder().Run(op);
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol protocol(buffer);
  f.write(&protocol);
  return buffer->getBufferAsString();
}

LogicalOpPtr DecodeFragment(const wire::Fragment& fragment, Catalog& catalog,
                            const std::string& source) {
  return Decoder(fragment, catalog, source).Run();
}

}  // namespace fedgate::planner
