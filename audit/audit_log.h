#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace fedgate::audit {

// The append-only audit trail: one JSON object per line. Each record carries `seq` (1, 2, ...)
// and `prev`, the SHA-256 of the previous record's line (64 zeros for the first), so changing,
// removing or reordering any record breaks the chain. A record is written and fsynced before
// the result it describes is released. `FILE.head` holds the last record's seq and hash, so a
// change to the last record is caught too. Thread-safe; one process appends at a time.
class AuditLog {
 public:
  // Opens (creating) the log and continues its chain. Throws Error(kInvalidArgument) when the
  // existing file's last record cannot be read.
  explicit AuditLog(std::string path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Adds `seq`, `time` and `prev` to `record`, appends it and fsyncs. Throws Error(kInternal)
  // when the write fails (the caller must then not release the result).
  void Append(nlohmann::json record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::mutex mu_;
  std::condition_variable synced_;
  int fd_ = -1;
  int64_t seq_ = 0;       // last record written
  std::string prev_;      // its hash
  int64_t durable_ = 0;   // last record known to be on disk
  bool syncing_ = false;  // an fsync is under way (group commit: it covers every record
                          // written before it started)
};

struct AuditVerifyReport {
  bool ok = true;
  int64_t records = 0;
  int64_t first_bad = 0;  // 1-based record (line) number when !ok
  std::string problem;
};

// Checks the chain of an audit log: every line parses, seq runs 1, 2, ..., every `prev` is
// the SHA-256 of the line before, and the last record matches FILE.head.
AuditVerifyReport VerifyAuditLog(const std::string& path);

std::string Sha256Hex(const std::string& bytes);

}  // namespace fedgate::audit
