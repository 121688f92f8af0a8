#pragma once

// One statement of the Trino protocol, shared by trino.cpp (protocol and session statements)
// and trino_introspect.cpp (answers from the DSA's allowlist). Internal to gateway/.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/trino.h"

namespace fedgate::gateway {

struct TrinoProtocol::Query {
  // Set by Start before the statement's thread starts; read-only afterwards.
  std::string id, sql, dsa, schema, purpose, source;
  Caller caller;
  std::map<std::string, std::string> prepared;  // X-Trino-Prepared-Statement: name -> SQL
  std::string header_prefix = "X-Trino-";       // or "X-Presto-", as the client sent
  bool parametric_datetime = false;             // X-Trino-Client-Capabilities
  std::atomic<bool> cancel{false};
  // Guarded by mu.
  std::mutex mu;
  std::condition_variable cv;
  std::string state = "QUEUED";  // QUEUED, RUNNING, FINISHED, FAILED
  std::optional<engine::QueryResult> result;
  std::optional<Error> error;
  // Written by the statement's thread before state becomes FINISHED; read after.
  std::vector<std::pair<std::string, std::string>> set_headers;  // "Set-Catalog" -> value
  std::string update_type;  // "USE", "SET SESSION", ... ("" for a query)
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point touched = created;
  std::thread thread;
};

}  // namespace fedgate::gateway
