// The simple operators: remote scan, filter, project, limit, union, values, sort; and the
// physical plan builder.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <numeric>
#include <thread>

#include "common/error.h"
#include "planner/exec/evaluate.h"
#include "planner/exec/join_aggregate.h"
#include "planner/exec/operator.h"

namespace fedgate::planner::exec {

void QueryMemory::Reserve(int64_t bytes, const char* what) {
  int64_t now = used_.fetch_add(bytes) + bytes;
  if (now > budget_) {
    used_.fetch_sub(bytes);
    throw Error(ErrorCode::kResourceExhausted,
                std::string("the query needs more than its memory budget of ") +
                    std::to_string(budget_ >> 20) + " MiB (at " + what +
                    "); narrow it down or raise memory_budget_mb");
  }
  int64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
}

void ExecContext::CheckCancelled() const {
  if (cancelled.load()) throw Error(ErrorCode::kCancelled, "the query was cancelled");
}

namespace {

int64_t BatchBytes(const Batch& b) {
  int64_t n = 0;
  for (const auto& c : b.columns) n += static_cast<int64_t>(c.MemoryBytes());
  return n;
}

// Streams a fragment's batches from a background thread through a small queue, so every
// source of a query sends rows at the same time whatever order the plan reads them in.
class ScanOperator : public Operator {
 public:
  ScanOperator(const LogicalOp& op, ExecContext& ctx) : op_(op), ctx_(ctx) {}
  ~ScanOperator() override {
    Cancel();
    if (thread_.joinable()) thread_.join();
    ctx_.memory->Release(queued_bytes_);
  }

  void Open() override {
    start_ = std::chrono::steady_clock::now();
    auto& connector = ctx_.catalog->ConnectorFor(op_.source);
    scan_ = connector.Open(op_.fragment, ctx_.source_context);
    thread_ = std::thread([this] { Produce(); });
  }

  bool Next(Batch& batch) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      batch = std::move(queue_.front().first);
      int64_t bytes = queue_.front().second;
      queue_.pop_front();
      queued_bytes_ -= bytes;
      ctx_.memory->Release(bytes);
      cv_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }

  void Cancel() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (scan_) scan_->Cancel();
  }

 private:
  void Produce() {
    try {
      for (;;) {
        Batch b;
        if (!scan_->Next(b)) break;
        int64_t bytes = BatchBytes(b);
        ctx_.memory->Reserve(bytes, "rows arriving from a source");
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return queue_.size() < kQueueDepth || stop_; });
        if (stop_) {
          ctx_.memory->Release(bytes);
          break;
        }
        queue_.emplace_back(std::move(b), bytes);
        queued_bytes_ += bytes;
        cv_.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      error_ = std::current_exception();
    }
    {
      std::lock_guard lock(ctx_.stats_mu);
      ctx_.fragments.push_back(
          {op_.source, op_.fragment.sql, scan_ ? scan_->rows() : 0,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()});
    }
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  static constexpr size_t kQueueDepth = 32;
  const LogicalOp& op_;
  ExecContext& ctx_;
  std::unique_ptr<connectors::Scan> scan_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Batch, int64_t>> queue_;
  int64_t queued_bytes_ = 0;
  bool done_ = false, stop_ = false;
  std::exception_ptr error_;
  std::chrono::steady_clock::time_point start_;
};

class FilterOperator : public Operator {
 public:
  FilterOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    Batch in;
    while (child_->Next(in)) {
      ctx_.CheckCancelled();
      auto rows = SelectRows(*op_.predicate, in);
      if (rows.empty()) continue;
      out.columns.assign(in.columns.size(), Column());
      for (size_t c = 0; c < in.columns.size(); ++c) {
        out.columns[c].type = in.columns[c].type;
        out.columns[c].Reserve(rows.size());
        for (uint32_t r : rows) out.columns[c].AppendFrom(in.columns[c], r);
      }
      out.rows = rows.size();
      return true;
    }
    return false;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
};

class ProjectOperator : public Operator {
 public:
  ProjectOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    Batch in;
    if (!child_->Next(in)) return false;
    ctx_.CheckCancelled();
    out.columns.clear();
    for (const auto& e : op_.exprs) out.columns.push_back(Evaluate(*e, in));
    out.rows = in.rows;
    return true;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
};

class LimitOperator : public Operator {
 public:
  LimitOperator(const LogicalOp& op, OperatorPtr child) : op_(op), child_(std::move(child)) {}
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    Batch in;
    while (op_.limit < 0 || emitted_ < op_.limit) {
      if (!child_->Next(in)) return false;
      size_t start = 0;
      if (skipped_ < op_.offset) {
        size_t skip = static_cast<size_t>(
            std::min<int64_t>(op_.offset - skipped_, static_cast<int64_t>(in.rows)));
        skipped_ += static_cast<int64_t>(skip);
        start = skip;
      }
      size_t end = in.rows;
      if (op_.limit >= 0)
        end = std::min<size_t>(end, start + static_cast<size_t>(op_.limit - emitted_));
      if (end <= start) continue;
      out.columns.assign(in.columns.size(), Column());
      for (size_t c = 0; c < in.columns.size(); ++c) {
        out.columns[c].type = in.columns[c].type;
        for (size_t r = start; r < end; ++r) out.columns[c].AppendFrom(in.columns[c], r);
      }
      out.rows = end - start;
      emitted_ += static_cast<int64_t>(out.rows);
      return true;
    }
    return false;
  }

 private:
  const LogicalOp& op_;
  OperatorPtr child_;
  int64_t emitted_ = 0, skipped_ = 0;
};

class UnionOperator : public Operator {
 public:
  explicit UnionOperator(std::vector<OperatorPtr> children) : children_(std::move(children)) {}
  void Open() override {
    for (auto& c : children_) c->Open();
  }
  void Cancel() override {
    for (auto& c : children_) c->Cancel();
  }
  bool Next(Batch& out) override {
    while (current_ < children_.size()) {
      if (children_[current_]->Next(out)) return true;
      ++current_;
    }
    return false;
  }

 private:
  std::vector<OperatorPtr> children_;
  size_t current_ = 0;
};

class ValuesOperator : public Operator {
 public:
  explicit ValuesOperator(const LogicalOp& op) : op_(op) {}
  void Open() override {}
  void Cancel() override {}  // nothing below it to pass the cancellation to
  bool Next(Batch& out) override {
    if (done_) return false;
    done_ = true;
    Batch one;
    one.rows = 1;
    out.columns.clear();
    for (const auto& e : op_.exprs) out.columns.push_back(Evaluate(*e, one));
    out.rows = 1;
    return true;
  }

 private:
  const LogicalOp& op_;
  bool done_ = false;
};

class SortOperator : public Operator {
 public:
  SortOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {}
  ~SortOperator() override { ctx_.memory->Release(reserved_); }
  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }
  bool Next(Batch& out) override {
    if (!sorted_) Materialise();
    if (position_ >= order_.size()) return false;
    size_t end = std::min(order_.size(), position_ + kBatchRows);
    out.columns.assign(all_.columns.size(), Column());
    for (size_t c = 0; c < all_.columns.size(); ++c) {
      out.columns[c].type = all_.columns[c].type;
      for (size_t i = position_; i < end; ++i)
        out.columns[c].AppendFrom(all_.columns[c], order_[i]);
    }
    out.rows = end - position_;
    position_ = end;
    return true;
  }

 private:
  void Materialise() {
    all_ = Drain(*child_, ctx_, op_.columns);
    reserved_ = BatchBytes(all_);
    ctx_.memory->Reserve(reserved_, "ORDER BY");
    std::vector<Column> keys;
    for (const auto& k : op_.sort_keys) keys.push_back(Evaluate(*k.expr, all_));
    order_.resize(all_.rows);
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      for (size_t k = 0; k < keys.size(); ++k) {
        const SortKey& key = op_.sort_keys[k];
        bool na = keys[k].null[a], nb = keys[k].null[b];
        if (na || nb) {
          if (na == nb) continue;
          return na == key.nulls_first;
        }
        int c = CompareValues(GetValue(keys[k], a), GetValue(keys[k], b));
        if (c != 0) return key.descending ? c > 0 : c < 0;
      }
      return false;
    });
    sorted_ = true;
  }

  const LogicalOp& op_;
  OperatorPtr child_;
  ExecContext& ctx_;
  Batch all_;
  std::vector<uint32_t> order_;
  size_t position_ = 0;
  bool sorted_ = false;
  int64_t reserved_ = 0;
};

}  // namespace

Batch Drain(Operator& op, ExecContext& ctx, const std::vector<OutputColumn>& columns) {
  Batch all;
  for (const auto& c : columns) all.columns.emplace_back(c.type);
  Batch b;
  while (op.Next(b)) {
    ctx.CheckCancelled();
    for (size_t c = 0; c < all.columns.size(); ++c) {
      for (size_t r = 0; r < b.rows; ++r) all.columns[c].AppendFrom(b.columns[c], r);
    }
    all.rows += b.rows;
  }
  return all;
}

OperatorPtr BuildOperator(const LogicalOp& op, ExecContext& ctx) {
  auto child = [&](size_t i) { return BuildOperator(*op.children[i], ctx); };
  switch (op.kind) {
    case OpKind::kRemote:
      return std::make_unique<ScanOperator>(op, ctx);
    case OpKind::kFilter:
      return std::make_unique<FilterOperator>(op, child(0), ctx);
    case OpKind::kProject:
      return std::make_unique<ProjectOperator>(op, child(0), ctx);
    case OpKind::kLimit:
      return std::make_unique<LimitOperator>(op, child(0));
    case OpKind::kSort:
      return std::make_unique<SortOperator>(op, child(0), ctx);
    case OpKind::kUnion: {
      std::vector<OperatorPtr> children;
      for (size_t i = 0; i < op.children.size(); ++i) children.push_back(child(i));
      return std::make_unique<UnionOperator>(std::move(children));
    }
    case OpKind::kValues:
      return std::make_unique<ValuesOperator>(op);
    case OpKind::kJoin:
      return MakeHashJoin(op, child(0), child(1), ctx);
    case OpKind::kAggregate:
      return MakeHashAggregate(op, child(0), ctx);
    case OpKind::kProtect:
      return MakeProtect(op, child(0), ctx);
    case OpKind::kGet:
      throw Error(ErrorCode::kInternal, "a table scan was not assigned to its source");
  }
  throw Error(ErrorCode::kInternal, "unknown operator");
}

}  // namespace fedgate::planner::exec
