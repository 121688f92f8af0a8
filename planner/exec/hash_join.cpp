#include <cstring>
#include <unordered_map>

#include "common/error.h"
#include "planner/exec/evaluate.h"
#include "planner/exec/join_aggregate.h"
#include "planner/functions.h"

namespace fedgate::planner::exec {

bool AppendKey(const Column& c, size_t row, std::string& key) {
  if (c.null[row]) return false;
  switch (c.type.id) {
    case TypeId::kDouble: {
      double d = c.f64[row] == 0.0 ? 0.0 : c.f64[row];
      key.append(reinterpret_cast<const char*>(&d), sizeof d);
      break;
    }
    case TypeId::kText: {
      uint32_t n = static_cast<uint32_t>(c.str[row].size());
      key.append(reinterpret_cast<const char*>(&n), sizeof n);
      key.append(c.str[row]);
      break;
    }
    case TypeId::kPseudonym:
      key.append(reinterpret_cast<const char*>(c.pseudo[row].bytes.data()), 16);
      break;
    case TypeId::kInterval:
      key.append(reinterpret_cast<const char*>(&c.ivl[row]), sizeof(Interval));
      break;
    case TypeId::kNull:
      return false;
    default:
      key.append(reinterpret_cast<const char*>(&c.i64[row]), sizeof(int64_t));
  }
  return true;
}

namespace {

bool RefersOnly(const BoundExpr& e, int lo, int hi) {
  bool ok = true;
  VisitColumns(e, [&](const BoundExpr& c) { ok &= c.column >= lo && c.column < hi; });
  return ok;
}

class HashJoinOperator : public Operator {
 public:
  HashJoinOperator(const LogicalOp& op, OperatorPtr left, OperatorPtr right, ExecContext& ctx)
      : op_(op), left_(std::move(left)), right_(std::move(right)), ctx_(ctx) {
    left_width_ = static_cast<int>(op.children[0]->columns.size());
    right_width_ = static_cast<int>(op.children[1]->columns.size());
    // Split the condition into hash keys (left expr = right expr) and a residual.
    std::vector<BoundExprPtr> residual;
    for (auto& c : SplitConjuncts(op.predicate ? op.predicate->Clone() : nullptr)) {
      if (c->kind == BoundKind::kCall && c->name == "=" && c->args.size() == 2) {
        auto& a = c->args[0];
        auto& b = c->args[1];
        bool a_left = RefersOnly(*a, 0, left_width_),
             b_right = RefersOnly(*b, left_width_, left_width_ + right_width_);
        bool a_right = RefersOnly(*a, left_width_, left_width_ + right_width_),
             b_left = RefersOnly(*b, 0, left_width_);
        bool has_cols_a = false, has_cols_b = false;
        VisitColumns(*a, [&](const BoundExpr&) { has_cols_a = true; });
        VisitColumns(*b, [&](const BoundExpr&) { has_cols_b = true; });
        if (has_cols_a && has_cols_b && ((a_left && b_right) || (a_right && b_left))) {
          BoundExprPtr l = a_left ? std::move(a) : std::move(b);
          BoundExprPtr r = a_left ? std::move(b) : std::move(a);
          std::vector<int> shift(static_cast<size_t>(left_width_ + right_width_), -1);
          for (int i = 0; i < right_width_; ++i) shift[left_width_ + i] = i;
          RemapColumns(*r, shift);
          // Keys compare by value: bring both sides to one type.
          if (!(l->type == r->type)) {
            std::vector<BoundExprPtr> pair;
            pair.push_back(l->Clone());
            pair.push_back(r->Clone());
            DataType common = ResolveCallType("coalesce", pair);
            l = CastTo(std::move(l), common);
            r = CastTo(std::move(r), common);
          }
          left_keys_.push_back(std::move(l));
          right_keys_.push_back(std::move(r));
          continue;
        }
      }
      residual.push_back(std::move(c));
    }
    residual_ = JoinConjuncts(std::move(residual));
  }
  ~HashJoinOperator() override { ctx_.memory->Release(reserved_); }

  void Open() override {
    left_->Open();
    right_->Open();
  }
  void Cancel() override {
    left_->Cancel();
    right_->Cancel();
  }

  bool Next(Batch& out) override {
    if (!built_) Build();
    const JoinKind kind = op_.join;
    while (!left_done_) {
      Batch in;
      if (!left_->Next(in)) {
        left_done_ = true;
        break;
      }
      ctx_.CheckCancelled();
      if (Probe(in, out)) return true;
    }
    if ((kind == JoinKind::kRight || kind == JoinKind::kFull) && !right_unmatched_done_) {
      right_unmatched_done_ = true;
      InitOutput(out, true);
      for (size_t r = 0; r < build_.rows; ++r) {
        if (matched_[r]) continue;
        for (int c = 0; c < left_width_; ++c) out.columns[c].AppendNull();
        for (int c = 0; c < right_width_; ++c)
          out.columns[left_width_ + c].AppendFrom(build_.columns[c], r);
        ++out.rows;
      }
      return out.rows > 0;
    }
    return false;
  }

 private:
  void InitOutput(Batch& out, bool with_right) {
    out.columns.clear();
    for (const auto& c : op_.children[0]->columns) out.columns.emplace_back(c.type);
    if (with_right) {
      for (const auto& c : op_.children[1]->columns) out.columns.emplace_back(c.type);
    }
    out.rows = 0;
  }

  void Build() {
    built_ = true;
    build_ = Drain(*right_, ctx_, op_.children[1]->columns);
    int64_t bytes = 0;
    for (const auto& c : build_.columns) bytes += static_cast<int64_t>(c.MemoryBytes());
    bytes += static_cast<int64_t>(build_.rows) * 48;  // hash table entries
    ctx_.memory->Reserve(bytes, "the build side of a join");
    reserved_ += bytes;
    matched_.assign(build_.rows, 0);
    std::vector<Column> keys;
    for (const auto& k : right_keys_) keys.push_back(Evaluate(*k, build_));
    std::string key;
    for (size_t r = 0; r < build_.rows; ++r) {
      key.clear();
      bool null = false;
      for (const auto& k : keys) null |= !AppendKey(k, r, key);
      if (null) {
        right_has_null_ = true;
        continue;
      }
      table_[key].push_back(static_cast<uint32_t>(r));
    }
  }

  bool Probe(const Batch& in, Batch& out) {
    const JoinKind kind = op_.join;
    const bool emit_right = kind != JoinKind::kSemi && kind != JoinKind::kAnti;
    std::vector<Column> keys;
    for (const auto& k : left_keys_) keys.push_back(Evaluate(*k, in));
    // Candidate pairs (left row, right row).
    std::vector<uint32_t> pair_left, pair_right;
    std::vector<uint8_t> left_null(in.rows, 0);
    std::string key;
    for (size_t r = 0; r < in.rows; ++r) {
      if (left_keys_.empty()) {  // cross join or a condition without equalities
        for (size_t b = 0; b < build_.rows; ++b) {
          pair_left.push_back(static_cast<uint32_t>(r));
          pair_right.push_back(static_cast<uint32_t>(b));
        }
        continue;
      }
      key.clear();
      bool null = false;
      for (const auto& k : keys) null |= !AppendKey(k, r, key);
      if (null) {
        left_null[r] = 1;
        continue;
      }
      auto it = table_.find(key);
      if (it == table_.end()) continue;
      for (uint32_t b : it->second) {
        pair_left.push_back(static_cast<uint32_t>(r));
        pair_right.push_back(b);
      }
    }
    if (pair_left.size() > 10'000'000) {
      ctx_.memory->Reserve(static_cast<int64_t>(pair_left.size()) * 8,
                           "a join with many matches per row");
      ctx_.memory->Release(static_cast<int64_t>(pair_left.size()) * 8);
    }
    // Residual condition on the candidate pairs.
    Batch pairs;
    if (residual_ || emit_right) {
      InitOutput(pairs, true);
      for (size_t i = 0; i < pair_left.size(); ++i) {
        for (int c = 0; c < left_width_; ++c)
          pairs.columns[c].AppendFrom(in.columns[c], pair_left[i]);
        for (int c = 0; c < right_width_; ++c) {
          pairs.columns[left_width_ + c].AppendFrom(build_.columns[c], pair_right[i]);
        }
      }
      pairs.rows = pair_left.size();
    }
    std::vector<uint32_t> keep;
    if (residual_) {
      keep = SelectRows(*residual_, pairs);
    } else {
      keep.resize(pair_left.size());
      for (size_t i = 0; i < keep.size(); ++i) keep[i] = static_cast<uint32_t>(i);
    }
    std::vector<uint8_t> left_matched(in.rows, 0);
    for (uint32_t i : keep) {
      left_matched[pair_left[i]] = 1;
      matched_[pair_right[i]] = 1;
    }
    InitOutput(out, emit_right);
    if (emit_right) {
      for (uint32_t i : keep) {
        for (size_t c = 0; c < out.columns.size(); ++c)
          out.columns[c].AppendFrom(pairs.columns[c], i);
      }
      out.rows = keep.size();
      if (kind == JoinKind::kLeft || kind == JoinKind::kFull) {
        for (size_t r = 0; r < in.rows; ++r) {
          if (left_matched[r]) continue;
          for (int c = 0; c < left_width_; ++c) out.columns[c].AppendFrom(in.columns[c], r);
          for (int c = 0; c < right_width_; ++c) out.columns[left_width_ + c].AppendNull();
          ++out.rows;
        }
      }
    } else {
      for (size_t r = 0; r < in.rows; ++r) {
        bool take = kind == JoinKind::kSemi ? left_matched[r] != 0 : left_matched[r] == 0;
        if (kind == JoinKind::kAnti && op_.null_aware && build_.rows > 0 &&
            (right_has_null_ || left_null[r])) {
          take = false;  // x NOT IN (... NULL ...) is never true
        }
        if (!take) continue;
        for (int c = 0; c < left_width_; ++c) out.columns[c].AppendFrom(in.columns[c], r);
        ++out.rows;
      }
    }
    return out.rows > 0;
  }

  const LogicalOp& op_;
  OperatorPtr left_, right_;
  ExecContext& ctx_;
  int left_width_ = 0, right_width_ = 0;
  std::vector<BoundExprPtr> left_keys_, right_keys_;
  BoundExprPtr residual_;
  bool built_ = false, left_done_ = false, right_unmatched_done_ = false, right_has_null_ = false;
  Batch build_;
  std::unordered_map<std::string, std::vector<uint32_t>> table_;
  std::vector<uint8_t> matched_;
  int64_t reserved_ = 0;
};

}  // namespace

OperatorPtr MakeHashJoin(const LogicalOp& op, OperatorPtr left, OperatorPtr right,
                         ExecContext& ctx) {
  return std::make_unique<HashJoinOperator>(op, std::move(left), std::move(right), ctx);
}

}  // namespace fedgate::planner::exec
