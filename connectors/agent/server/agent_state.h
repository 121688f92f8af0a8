#pragma once

// What every connection of a source agent shares: the catalog over its one source, the
// pseudonymisation keys (one per DSA, from the linkage secret, which never leaves the agent),
// the running scans and the agent's audit log. Thread-safe: every connection's handler runs
// on its own thread and calls into the one AgentState.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "FedgateAgent.h"
#include "audit/audit_log.h"
#include "common/pseudonymiser.h"
#include "common/read_ahead.h"
#include "config/config.h"
#include "connectors/agent/wire_batch.h"
#include "planner/catalog.h"

namespace fedgate::agent {

// REQUIRES: `config` has an agent section and outlives the AgentState.
class AgentState {
 public:
  explicit AgentState(const config::GatewayConfig& config)
      : config_(config),
        source_(config.agent.source),
        catalog_(config),
        keys_(config.linkage_secret),
        audit_(config.audit_log.empty() ? nullptr
                                        : std::make_unique<audit::AuditLog>(config.audit_log)) {}

  const config::GatewayConfig& config() const { return config_; }
  const std::string& source() const { return source_; }
  planner::Catalog& catalog() { return catalog_; }

  const Pseudonymiser& KeyFor(const std::string& dsa) { return keys_.For(dsa); }

  // A scan read ahead by a thread of its own, so the source keeps producing while the last
  // batch travels to the gateway and is decoded there (up to kAhead encoded batches wait).
  class Running {
   public:
    explicit Running(std::unique_ptr<connectors::Scan> scan)
        : scan_(std::move(scan)), ahead_(kAhead, [this](wire::Batch& w) {
            Batch batch;
            const bool more = scan_->Next(batch);
            w = agent::EncodeBatch(batch, !more);
            return more;
          }) {}
    // A Next blocked in the reader thread returns; then ahead_ stops and joins.
    ~Running() { scan_->Cancel(); }
    void Cancel() { scan_->Cancel(); }
    // The next batch (the last one has `last` set); throws what the scan threw.
    wire::Batch Take() {
      wire::Batch b;
      if (ahead_.Take(b)) return b;
      b.rows = 0;
      b.last = true;
      return b;
    }

   private:
    static constexpr size_t kAhead = 4;
    std::unique_ptr<connectors::Scan> scan_;
    ReadAhead<wire::Batch> ahead_;  // after scan_: destroyed (joined) before it
  };

  int64_t Add(std::unique_ptr<connectors::Scan> scan) {
    auto running = std::make_shared<Running>(std::move(scan));
    std::lock_guard lock(mu_);
    const int64_t id = ++next_id_;
    scans_[id] = std::move(running);
    return id;
  }
  // A slot for one scan, given back when destroyed; false when max_scans were running.
  class ScanSlot {
   public:
    explicit ScanSlot(AgentState* agent) : agent_(agent) {}
    ScanSlot(const ScanSlot&) = delete;
    ScanSlot& operator=(const ScanSlot&) = delete;
    ~ScanSlot() {
      if (agent_) agent_->Unreserve();
    }
    explicit operator bool() const { return agent_ != nullptr; }

   private:
    AgentState* agent_;
  };
  ScanSlot ReserveSlot() { return ScanSlot(Reserve() ? this : nullptr); }
  // Why ReserveSlot gave none.
  std::string BusyMessage() const {
    return "the agent runs its maximum of " + std::to_string(config_.agent.max_scans) +
           " scans; retry";
  }

  std::shared_ptr<Running> Find(int64_t id) {
    std::lock_guard lock(mu_);
    auto it = scans_.find(id);
    return it == scans_.end() ? nullptr : it->second;
  }
  void Remove(int64_t id) {
    std::shared_ptr<Running> r;
    {
      std::lock_guard lock(mu_);
      auto it = scans_.find(id);
      if (it == scans_.end()) return;
      r = std::move(it->second);
      scans_.erase(it);
    }
    // The scan (and its database query) ends here, outside the lock.
  }
  void CancelAll() {
    std::lock_guard lock(mu_);
    for (auto& [id, r] : scans_) r->Cancel();
  }
  void Audit(nlohmann::json record) {
    if (audit_) audit_->Append(std::move(record));
  }

 private:
  // Reserves a slot for a new scan; false when max_scans are running.
  bool Reserve() {
    std::lock_guard lock(mu_);
    if (static_cast<int>(scans_.size()) + reserved_ >= config_.agent.max_scans) return false;
    ++reserved_;
    return true;
  }
  void Unreserve() {
    std::lock_guard lock(mu_);
    --reserved_;
  }
  const config::GatewayConfig& config_;
  std::string source_;
  planner::Catalog catalog_;
  PseudonymiserCache keys_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<Running>> scans_;
  int64_t next_id_ = 0;
  int reserved_ = 0;
};

}  // namespace fedgate::agent
