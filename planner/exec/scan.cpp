// The remote scan: a fragment's batches from its source, read ahead by a thread of its own.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <thread>

#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

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

}  // namespace

OperatorPtr MakeScan(const LogicalOp& op, ExecContext& ctx) {
  return std::make_unique<ScanOperator>(op, ctx);
}

}  // namespace fedgate::planner::exec
