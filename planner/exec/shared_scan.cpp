// Shared scans: a fragment that several operators of one plan read (the same source, SQL and
// columns: gp.patients joined to each branch of a UNION ALL, say) is fetched and
// pseudonymised once. Its batches are kept until every reader has passed them, charged to
// the query's memory budget; the last reader of a batch takes it without a copy.
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

namespace {

class SharedFragment {
 public:
  SharedFragment(const LogicalOp& op, ExecContext& ctx, int readers)
      : scan_(MakeScan(op, ctx)), ctx_(ctx), positions_(static_cast<size_t>(readers), 0) {}
  ~SharedFragment() { ctx_.memory->Release(kept_bytes_); }

  void Open() {
    if (opened_) return;
    opened_ = true;
    scan_->Open();
  }
  void Cancel() { scan_->Cancel(); }

  // The next batch for `reader`; false at the end of the fragment.
  bool Next(int reader, Batch& out) {
    size_t& at = positions_[static_cast<size_t>(reader)];
    while (at >= first_ + kept_.size()) {
      if (done_) return false;
      Batch b;
      if (!scan_->Next(b)) {
        done_ = true;
        return false;
      }
      const int64_t bytes = BatchBytes(b);
      ctx_.memory->Reserve(bytes, "rows of a fragment several operators read");
      kept_bytes_ += bytes;
      kept_.push_back({std::move(b), bytes});
    }
    auto& [batch, bytes] = kept_[at - first_];
    size_t still_needed = 0;  // readers that have not passed this batch
    for (size_t p : positions_) still_needed += p <= at;
    if (still_needed == 1) {
      out = std::move(batch);
    } else {
      out = batch;
    }
    ++at;
    // Drop the batches every reader has passed.
    size_t slowest = positions_[0];
    for (size_t p : positions_) slowest = std::min(slowest, p);
    while (!kept_.empty() && first_ < slowest) {
      ctx_.memory->Release(kept_.front().second);
      kept_bytes_ -= kept_.front().second;
      kept_.pop_front();
      ++first_;
    }
    return true;
  }

 private:
  OperatorPtr scan_;
  ExecContext& ctx_;
  std::vector<size_t> positions_;  // per reader: the index of its next batch
  std::deque<std::pair<Batch, int64_t>> kept_;
  size_t first_ = 0;  // index of kept_.front()
  int64_t kept_bytes_ = 0;
  bool opened_ = false, done_ = false;
};

class SharedScanReader : public Operator {
 public:
  SharedScanReader(std::shared_ptr<SharedFragment> fragment, int reader)
      : fragment_(std::move(fragment)), reader_(reader) {}
  void Open() override { fragment_->Open(); }
  bool Next(Batch& batch) override { return fragment_->Next(reader_, batch); }
  void Cancel() override { fragment_->Cancel(); }

 private:
  std::shared_ptr<SharedFragment> fragment_;
  int reader_;
};

}  // namespace

struct SharedScans::Entry {
  int readers = 0;
  int handed_out = 0;
  std::shared_ptr<SharedFragment> fragment;
};

SharedScans::SharedScans(const LogicalOp& plan) {
  VisitPlan(plan, [&](const LogicalOp& op) {
    if (op.kind == OpKind::kRemote) ++entries_[Key(op)].readers;
  });
}

SharedScans::~SharedScans() = default;

std::string SharedScans::Key(const LogicalOp& op) {
  std::string key = op.source + '\x1f' + op.fragment.sql + '\x1f' + op.fragment.structured;
  for (const auto& c : op.fragment.columns)
    key += '\x1f' + c.name + ':' + c.type.ToString() + (c.identifier ? "!" : "");
  return key;
}

OperatorPtr SharedScans::Make(const LogicalOp& op, ExecContext& ctx) {
  auto it = entries_.find(Key(op));
  if (it == entries_.end() || it->second.readers < 2) return MakeScan(op, ctx);
  Entry& e = it->second;
  if (!e.fragment) e.fragment = std::make_shared<SharedFragment>(op, ctx, e.readers);
  return std::make_unique<SharedScanReader>(e.fragment, e.handed_out++);
}

}  // namespace fedgate::planner::exec
