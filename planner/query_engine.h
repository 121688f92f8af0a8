#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/pseudonymiser.h"
#include "planner/catalog.h"
#include "planner/config.h"
#include "planner/exec/operator.h"
#include "planner/logical_plan.h"
#include "planner/optimizer.h"

namespace fedgate::planner {

struct QueryOptions {
  OptimizerOptions optimizer;
  // Set from another thread to cancel the query; null when the caller cannot cancel.
  const std::atomic<bool>* cancel = nullptr;
};

// One returned column.
struct ResultColumn {
  std::string name;
  DataType type;
  bool group_key = false;
};

struct QueryResult {
  std::vector<ResultColumn> columns;
  Batch rows;  // one column per entry of `columns`
  // Per row: 1 when the row's group had fewer than min_persons distinct persons, so every
  // value but its group keys was withheld (NULL).
  std::vector<uint8_t> suppressed;
  int64_t suppressed_rows = 0;
  int64_t min_persons = 0;
  std::vector<exec::FragmentStats> fragments;
  double seconds = 0;
  int64_t peak_memory_bytes = 0;
};

// The plan of a query as EXPLAIN shows it: the optimized plan and each fragment's SQL.
struct ExplainResult {
  std::string plan;
  std::vector<connectors::Fragment> fragments;
  std::string ToString() const;
};

// Runs analysts' SQL over the configured sources: parse, bind, run uncorrelated scalar
// subqueries, optimize and split, execute, then apply the output rule that can never be
// switched off: row-level output is refused, and an output group with fewer than
// min_persons distinct persons is withheld and marked. Thread-safe: queries may run
// concurrently.
class QueryEngine {
 public:
  explicit QueryEngine(const GatewayConfig& config);
  // For tests: a catalog over given connectors.
  QueryEngine(const GatewayConfig& config, std::unique_ptr<Catalog> catalog);

  // Errors: Error(kInvalidArgument/kNotFound) for the SQL (with its line and column),
  // kPermissionDenied for row-level output, kSource naming the source, kCancelled,
  // kResourceExhausted for the memory budget.
  QueryResult Run(const std::string& sql, const QueryOptions& options = {});
  ExplainResult Explain(const std::string& sql, const QueryOptions& options = {});

  Catalog& catalog() { return *catalog_; }
  const GatewayConfig& config() const { return config_; }

 private:
  struct Prepared {
    LogicalOpPtr plan;
  };
  Prepared Prepare(const std::string& sql, const QueryOptions& options, bool run_subqueries);
  Batch Execute(const LogicalOp& plan, const QueryOptions& options,
                std::vector<exec::FragmentStats>* stats, int64_t* peak_memory);

  GatewayConfig config_;
  std::unique_ptr<Catalog> catalog_;
  Pseudonymiser pseudonymiser_;
};

}  // namespace fedgate::planner
