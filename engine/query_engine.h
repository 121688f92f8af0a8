#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/pseudonymiser.h"
#include "config/config.h"
#include "disclosure/ledger.h"
#include "disclosure/release.h"
#include "disclosure/rules.h"
#include "planner/binder/binder.h"
#include "planner/catalog.h"
#include "planner/exec/operator.h"
#include "planner/logical_plan.h"
#include "planner/optimizer/optimizer.h"

// The life of a query, in order: parse (sql/), bind (planner/binder), disclosure control
// built into the plan (disclosure/plan), optimize and split (planner/optimizer), execute
// (planner/exec, with disclosure/ledger protecting output aggregates), release
// (disclosure/release). The engine owns none of the rules; it calls each step.
namespace fedgate::engine {

using config::GatewayConfig;
using planner::Catalog;

struct QueryOptions {
  planner::OptimizerOptions optimizer;
  // Set from another thread to cancel the query; null when the caller cannot cancel.
  const std::atomic<bool>* cancel = nullptr;
  // The DSA the query runs under: pseudonyms are keyed for it ("": the configuration's dsa).
  std::string dsa;
  // Its disclosure rules (null: the configuration's min_persons and nothing else).
  std::shared_ptr<const disclosure::Rules> disclosure;
  // Its output level allows pseudonymised records (re-keyed person_id, whole-result threshold).
  bool allow_records = false;
  // Called once the query is bound, before anything runs (the DSA's pre-execution checks);
  // throws to refuse.
  std::function<void(const planner::BoundQuery&)> check;
  // Table names: a bare `table` is looked up in this source ("": bare names are CTEs only);
  // `catalog.source.table` is accepted for the DSA's id and these catalogs.
  std::string default_schema;
  std::vector<std::string> extra_catalogs;
  // Values of the statement's parameters ($n, Trino's ?): see Binder::Names::parameters.
  std::vector<std::shared_ptr<const sql::Expr>> parameters;
  bool unbound_parameters_as_null = false;
  std::vector<std::string> parameter_texts;  // the values as written, for the audit record
  // A cohort query for re-identification: when set, the distinct linkage pseudonyms of the
  // result's one person-key column are stored here (they are never returned: the caller
  // keeps them server-side). The query must return records with exactly one person key.
  std::vector<Pseudonym>* cohort = nullptr;
  // Who asks and the query's id, passed to agents for their own audit logs.
  std::string user;
  std::string query_id;
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
  // What disclosure control withheld or changed, cell by cell, and why.
  disclosure::Released disclosure;
  std::vector<planner::exec::FragmentStats> fragments;
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
  // The columns the query would return (names and types), after the same checks as Run
  // (options.check included), without running anything at a source.
  std::vector<ResultColumn> Describe(const std::string& sql, const QueryOptions& options = {});

  Catalog& catalog() { return *catalog_; }
  const GatewayConfig& config() const { return config_; }

 private:
  struct Prepared {
    planner::LogicalOpPtr plan;
  };
  Prepared Prepare(const std::string& sql, const QueryOptions& options, bool run_subqueries);
  Batch Execute(const planner::LogicalOp& plan, const QueryOptions& options,
                disclosure::Ledger& ledger, std::vector<planner::exec::FragmentStats>* stats,
                int64_t* peak_memory);

  // The keyed hash for `dsa` (or a purpose-specific key of it, e.g. "dsa#output"). Cached.
  // Keys the gateway derives its own values with (cell keys, output pseudonyms).
  const Pseudonymiser& KeyFor(const std::string& dsa);
  std::shared_ptr<const disclosure::Rules> RulesFor(const QueryOptions& options) const;
  std::string DsaOf(const QueryOptions& options) const {
    return options.dsa.empty() ? config_.dsa : options.dsa;
  }

  GatewayConfig config_;
  std::unique_ptr<Catalog> catalog_;
  // The gateway's own keys, and the linkage secret's for direct connectors (null when every
  // source is an agent).
  std::unique_ptr<PseudonymiserCache> keys_;
  std::unique_ptr<PseudonymiserCache> linkage_keys_;
};

}  // namespace fedgate::engine
