#include "audit/audit_log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "common/error.h"
#include "common/types.h"

namespace fedgate::audit {

namespace {

const std::string kZeroHash(64, '0');

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ms));
  return buf;
}

void WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::kInternal,
                  "cannot write the audit log " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
}

// Writes FILE.head (seq and hash of the last record) by replacing it atomically.
void WriteHead(const std::string& path, int64_t seq, const std::string& hash) {
  const std::string tmp = path + ".head.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw Error(ErrorCode::kInternal, "cannot write " + tmp + ": " + std::strerror(errno));
  WriteAll(fd, std::to_string(seq) + " " + hash + "\n", tmp);
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), (path + ".head").c_str()) != 0) {
    throw Error(ErrorCode::kInternal, "cannot replace " + path + ".head: " + std::strerror(errno));
  }
}

}  // namespace

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[32];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL failed: SHA-256");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

AuditLog::AuditLog(std::string path) : path_(std::move(path)), prev_(kZeroHash) {
  // Continue the chain from the last complete record. A torn last line (a crash mid-write,
  // before its fsync returned, so its result was never released) is cut off.
  std::ifstream in(path_, std::ios::binary);
  if (in) {
    std::string line, last;
    std::streamoff good_end = 0, pos = 0;
    while (std::getline(in, line)) {
      pos += static_cast<std::streamoff>(line.size()) + 1;
      if (in.eof()) break;  // no newline: torn
      last = line;
      good_end = pos;
    }
    in.close();
    if (!last.empty()) {
      try {
        auto j = nlohmann::json::parse(last);
        seq_ = j.at("seq").get<int64_t>();
      } catch (const std::exception& e) {
        throw Error(ErrorCode::kInvalidArgument,
                    "the audit log " + path_ + " ends with an unreadable record: " + e.what());
      }
      prev_ = Sha256Hex(last);
    }
    if (::truncate(path_.c_str(), good_end) != 0 && errno != ENOENT) {
      throw Error(ErrorCode::kInternal,
                  "cannot repair the audit log " + path_ + ": " + std::strerror(errno));
    }
  }
  durable_ = seq_;  // what is in the file already survived its writer
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw Error(ErrorCode::kInternal,
                "cannot open the audit log " + path_ + ": " + std::strerror(errno));
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

void AuditLog::Append(nlohmann::json record) {
  std::unique_lock lock(mu_);
  record["seq"] = seq_ + 1;
  record["time"] = NowIso();
  record["prev"] = prev_;
  const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  WriteAll(fd_, line + "\n", path_);  // under the lock: records land in chain order
  const int64_t mine = ++seq_;
  prev_ = Sha256Hex(line);
  // Group commit: one fsync covers every record written before it started, so concurrent
  // queries share it; each caller returns only once its own record is on disk.
  while (durable_ < mine) {
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    syncing_ = true;
    const int64_t target = seq_;
    const std::string target_hash = prev_;
    lock.unlock();
    const bool ok = ::fsync(fd_) == 0;
    const int err = errno;
    if (ok) WriteHead(path_, target, target_hash);
    lock.lock();
    syncing_ = false;
    if (ok) durable_ = std::max(durable_, target);
    synced_.notify_all();
    if (!ok)
      throw Error(ErrorCode::kInternal,
                  "cannot fsync the audit log " + path_ + ": " + std::strerror(err));
  }
}

AuditVerifyReport VerifyAuditLog(const std::string& path) {
  AuditVerifyReport report;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    report.ok = false;
    report.problem = "cannot read " + path;
    return report;
  }
  auto fail = [&](int64_t record, const std::string& why) {
    report.ok = false;
    report.first_bad = record;
    report.problem = why;
    return report;
  };
  std::string line, prev_hash = kZeroHash;
  std::vector<std::string> hashes;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
      return fail(n, "record " + std::to_string(n) + " is not valid JSON");
    }
    if (!j.is_object() || !j.contains("seq") || !j.contains("prev")) {
      return fail(n, "record " + std::to_string(n) + " lacks seq or prev");
    }
    if (!j["seq"].is_number_integer() || j["seq"].get<int64_t>() != n) {
      return fail(n, "record " + std::to_string(n) + " has seq " + j["seq"].dump() + ", expected " +
                         std::to_string(n));
    }
    if (!j["prev"].is_string() || j["prev"].get<std::string>() != prev_hash) {
      // The previous line no longer hashes to what this record recorded: the previous record
      // was changed (or this record's prev was).
      return n == 1 ? fail(1, "record 1 does not start the chain")
                    : fail(n - 1, "record " + std::to_string(n - 1) +
                                      " does not match the hash recorded in record " +
                                      std::to_string(n));
    }
    prev_hash = Sha256Hex(line);
    hashes.push_back(prev_hash);
  }
  report.records = n;
  std::ifstream head(path + ".head");
  int64_t head_seq = 0;
  std::string head_hash;
  if (head >> head_seq >> head_hash) {
    // The head names the last record known to be on disk and its hash; records after it may
    // have been written by a writer that died before their fsync returned (never released).
    if (head_seq > n) {
      return fail(n + 1, "records after " + std::to_string(n) + " are missing (" + path +
                             ".head says " + std::to_string(head_seq) + ")");
    }
    if (head_seq >= 1 && hashes[static_cast<size_t>(head_seq - 1)] != head_hash) {
      return fail(head_seq,
                  "record " + std::to_string(head_seq) + " does not match " + path + ".head");
    }
  } else if (n > 0) {
    return fail(n, path + ".head is missing or unreadable");
  }
  return report;
}

}  // namespace fedgate::audit
