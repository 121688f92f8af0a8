#include <cstring>
#include <unordered_map>

#include "common/error.h"
#include "planner/exec/evaluate.h"
#include "planner/exec/key_table.h"
#include "planner/exec/operators.h"
#include "planner/function/functions.h"

namespace fedgate::planner::exec {

namespace {

bool RefersOnly(const BoundExpr& e, int lo, int hi) {
  bool ok = true;
  VisitColumns(e, [&](const BoundExpr& c) { ok &= c.column >= lo && c.column < hi; });
  return ok;
}

struct RowSpan {
  const uint32_t* data = nullptr;
  size_t size = 0;
};

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
      if (!have_input_ && !NextInput()) {
        left_done_ = true;
        break;
      }
      ctx_.CheckCancelled();
      if (Probe(out)) return true;
    }
    if (kind == JoinKind::kRight || kind == JoinKind::kFull) {
      while (right_unmatched_pos_ < build_.rows) {
        InitOutput(out, true);
        for (; right_unmatched_pos_ < build_.rows && out.rows < kBatchRows;
             ++right_unmatched_pos_) {
          const size_t r = right_unmatched_pos_;
          if (matched_[r]) continue;
          for (int c = 0; c < left_width_; ++c) out.columns[c].AppendNull();
          for (int c = 0; c < right_width_; ++c)
            out.columns[left_width_ + c].AppendFrom(build_.columns[c], r);
          ++out.rows;
        }
        if (out.rows > 0) return true;
      }
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
    ctx_.memory->Reserve(bytes, "the build side of a join");
    reserved_ += bytes;
    matched_.assign(build_.rows, 0);
    if (left_keys_.empty()) {
      all_rows_.resize(build_.rows);
      for (size_t r = 0; r < build_.rows; ++r) all_rows_[r] = static_cast<uint32_t>(r);
    }
    std::vector<Column> keys;
    for (const auto& k : right_keys_) keys.push_back(Evaluate(*k, build_));
    // Key ids per build row, then the rows grouped by key (a counting sort), so the rows
    // matching a key are one contiguous range.
    std::string key;
    std::vector<uint32_t> ids(build_.rows, UINT32_MAX);
    for (size_t r = 0; r < build_.rows; ++r) {
      key.clear();
      bool null = false;
      for (const auto& k : keys) null |= !AppendKey(k, r, key);
      if (null) {
        right_has_null_ = true;
        continue;
      }
      bool inserted = false;
      ids[r] = table_.FindOrInsert(key, inserted);
    }
    key_begin_.assign(table_.size() + 1, 0);
    for (uint32_t id : ids) {
      if (id != UINT32_MAX) ++key_begin_[id + 1];
    }
    for (size_t i = 1; i < key_begin_.size(); ++i) key_begin_[i] += key_begin_[i - 1];
    rows_by_key_.resize(key_begin_.back());
    std::vector<uint32_t> fill(key_begin_.begin(), key_begin_.end() - 1);
    for (size_t r = 0; r < build_.rows; ++r) {
      if (ids[r] != UINT32_MAX) rows_by_key_[fill[ids[r]]++] = static_cast<uint32_t>(r);
    }
    const int64_t table_bytes = static_cast<int64_t>(
        table_.MemoryBytes() + rows_by_key_.size() * 4 + key_begin_.size() * 4);
    ctx_.memory->Reserve(table_bytes, "the hash table of a join");
    reserved_ += table_bytes;
  }

  // Reads the next probe batch and its keys. False at the end of the left input.
  bool NextInput() {
    if (!left_->Next(in_)) return false;
    have_input_ = true;
    in_row_ = 0;
    match_pos_ = 0;
    has_current_ = false;
    in_matched_.assign(in_.rows, 0);
    in_null_.assign(in_.rows, 0);
    in_keys_.clear();
    for (const auto& k : left_keys_) in_keys_.push_back(Evaluate(*k, in_));
    return true;
  }

  // The build rows whose keys equal probe row `r`'s (all of them without equi keys).
  RowSpan Candidates(size_t r) {
    if (left_keys_.empty()) return {all_rows_.data(), all_rows_.size()};
    key_.clear();
    bool null = false;
    for (const auto& k : in_keys_) null |= !AppendKey(k, r, key_);
    if (null) {
      in_null_[r] = 1;
      return {};
    }
    int64_t id = table_.Find(key_);
    if (id < 0) return {};
    return {rows_by_key_.data() + key_begin_[id], key_begin_[id + 1] - key_begin_[id]};
  }

  // Produces at most one output batch from the current probe batch: candidate pairs are
  // taken kBatchRows at a time, so a row with very many matches (or a cross join) never
  // materialises more than one batch. Returns true when `out` holds rows.
  bool Probe(Batch& out) {
    const JoinKind kind = op_.join;
    const bool emit_right = kind != JoinKind::kSemi && kind != JoinKind::kAnti;
    // Semi and anti joins without a residual only need to know whether a match exists.
    const bool exists_only = !emit_right && !residual_;
    std::vector<uint32_t> pair_left, pair_right;
    while (in_row_ < in_.rows && pair_left.size() < kBatchRows) {
      if (!has_current_) {
        current_ = Candidates(in_row_);
        has_current_ = true;
      }
      const RowSpan list = current_;
      if (list.size == 0) {
        ++in_row_;
        match_pos_ = 0;
        has_current_ = false;
        continue;
      }
      if (exists_only) {
        in_matched_[in_row_] = 1;
        ++in_row_;
        match_pos_ = 0;
        has_current_ = false;
        continue;
      }
      size_t take = std::min(list.size - match_pos_, kBatchRows - pair_left.size());
      for (size_t i = 0; i < take; ++i) {
        pair_left.push_back(static_cast<uint32_t>(in_row_));
        pair_right.push_back(list.data[match_pos_ + i]);
      }
      match_pos_ += take;
      if (match_pos_ == list.size) {
        ++in_row_;
        match_pos_ = 0;
        has_current_ = false;
      }
    }
    const bool batch_done = in_row_ >= in_.rows;
    Batch pairs;
    if (!pair_left.empty()) {
      InitOutput(pairs, true);
      for (size_t i = 0; i < pair_left.size(); ++i) {
        for (int c = 0; c < left_width_; ++c)
          pairs.columns[c].AppendFrom(in_.columns[c], pair_left[i]);
        for (int c = 0; c < right_width_; ++c) {
          pairs.columns[left_width_ + c].AppendFrom(build_.columns[c], pair_right[i]);
        }
      }
      pairs.rows = pair_left.size();
    }
    std::vector<uint32_t> keep;
    if (residual_ && pairs.rows > 0) {
      keep = SelectRows(*residual_, pairs);
    } else {
      keep.resize(pair_left.size());
      for (size_t i = 0; i < keep.size(); ++i) keep[i] = static_cast<uint32_t>(i);
    }
    for (uint32_t i : keep) {
      in_matched_[pair_left[i]] = 1;
      matched_[pair_right[i]] = 1;
    }
    InitOutput(out, emit_right);
    if (emit_right) {
      for (uint32_t i : keep) {
        for (size_t c = 0; c < out.columns.size(); ++c)
          out.columns[c].AppendFrom(pairs.columns[c], i);
      }
      out.rows = keep.size();
    }
    if (batch_done) {
      have_input_ = false;
      if (kind == JoinKind::kLeft || kind == JoinKind::kFull) {
        for (size_t r = 0; r < in_.rows; ++r) {
          if (in_matched_[r]) continue;
          for (int c = 0; c < left_width_; ++c) out.columns[c].AppendFrom(in_.columns[c], r);
          for (int c = 0; c < right_width_; ++c) out.columns[left_width_ + c].AppendNull();
          ++out.rows;
        }
      }
      if (!emit_right) {
        for (size_t r = 0; r < in_.rows; ++r) {
          bool take = kind == JoinKind::kSemi ? in_matched_[r] != 0 : in_matched_[r] == 0;
          if (kind == JoinKind::kAnti && op_.null_aware && build_.rows > 0 &&
              (right_has_null_ || in_null_[r])) {
            take = false;  // x NOT IN (... NULL ...) is never true
          }
          if (!take) continue;
          for (int c = 0; c < left_width_; ++c) out.columns[c].AppendFrom(in_.columns[c], r);
          ++out.rows;
        }
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
  bool built_ = false, left_done_ = false, right_has_null_ = false;
  size_t right_unmatched_pos_ = 0;
  // The probe batch being joined, and how far it got.
  Batch in_;
  bool have_input_ = false;
  size_t in_row_ = 0, match_pos_ = 0;
  RowSpan current_;
  bool has_current_ = false;
  std::vector<uint8_t> in_matched_, in_null_;
  std::vector<Column> in_keys_;
  std::string key_;
  std::vector<uint32_t> all_rows_;  // every build row, for joins without equality keys
  Batch build_;
  KeyTable table_;
  std::vector<uint32_t>
      key_begin_;  // rows of key id k: rows_by_key_[key_begin_[k] .. key_begin_[k+1])
  std::vector<uint32_t> rows_by_key_;
  std::vector<uint8_t> matched_;
  int64_t reserved_ = 0;
};

}  // namespace

OperatorPtr MakeHashJoin(const LogicalOp& op, OperatorPtr left, OperatorPtr right,
                         ExecContext& ctx) {
  return std::make_unique<HashJoinOperator>(op, std::move(left), std::move(right), ctx);
}

}  // namespace fedgate::planner::exec
