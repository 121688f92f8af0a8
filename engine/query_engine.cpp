#include "engine/query_engine.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/random.h"
#include "disclosure/arithmetic.h"
#include "disclosure/plan.h"
#include "disclosure/release.h"
#include "planner/binder/binder.h"
#include "planner/exec/evaluate.h"
#include "sql/parser.h"

namespace fedgate::engine {

using config::GatewayConfig;
using planner::Binder;
using planner::BoundExpr;
using planner::BoundExprPtr;
using planner::BoundKind;
using planner::BoundQuery;
using planner::Catalog;
using planner::LogicalOp;
using planner::LogicalOpPtr;
using planner::OpKind;
using planner::Value;
namespace exec = planner::exec;

namespace {

// Replaces every "scalar_subquery" call in `e` by the constant computed for it.
void ReplaceSubqueries(BoundExprPtr& e, const std::vector<Value>& values) {
  if (!e) return;
  if (e->kind == BoundKind::kCall && e->name == "scalar_subquery") {
    Value v = values.at(static_cast<size_t>(e->value.i));
    if (v.null) v = Value::Null(e->type);
    e = BoundExpr::Constant(v);
    return;
  }
  for (auto& a : e->args) ReplaceSubqueries(a, values);
}

void ReplaceSubqueries(LogicalOp& op, const std::vector<Value>& values) {
  ReplaceSubqueries(op.predicate, values);
  ReplaceSubqueries(op.residual, values);
  for (auto& e : op.exprs) ReplaceSubqueries(e, values);
  for (auto& e : op.groups) ReplaceSubqueries(e, values);
  for (auto& a : op.aggregates) ReplaceSubqueries(a.arg, values);
  for (auto& k : op.sort_keys) ReplaceSubqueries(k.expr, values);
  for (auto& c : op.children) ReplaceSubqueries(*c, values);
}

// Cancels a running query when the caller asks or its time is up.
class Watchdog {
 public:
  Watchdog(exec::ExecContext& ctx, exec::Operator& root, const std::atomic<bool>* cancel,
           int timeout_seconds)
      : ctx_(ctx), root_(root), cancel_(cancel), timeout_seconds_(timeout_seconds) {
    if (cancel_ == nullptr && timeout_seconds_ <= 0) return;
    thread_ = std::thread([this] { Watch(); });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool timed_out() const { return timed_out_.load(); }

 private:
  void Watch() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds_);
    std::unique_lock lock(mu_);
    while (!done_) {
      cv_.wait_for(lock, std::chrono::milliseconds(20));
      if (done_) return;
      bool expired = timeout_seconds_ > 0 && std::chrono::steady_clock::now() >= deadline;
      if ((cancel_ && cancel_->load()) || expired) {
        timed_out_ = expired;
        ctx_.cancelled = true;
        root_.Cancel();
        return;
      }
    }
  }

  exec::ExecContext& ctx_;
  exec::Operator& root_;
  const std::atomic<bool>* cancel_;
  int timeout_seconds_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> timed_out_{false};
};

}  // namespace

std::string ExplainResult::ToString() const {
  return plan;  // each Remote node shows its fragment's exact SQL
}

QueryEngine::QueryEngine(const GatewayConfig& config)
    : QueryEngine(config, std::make_unique<Catalog>(config)) {}

QueryEngine::QueryEngine(const GatewayConfig& config, std::unique_ptr<Catalog> catalog)
    : config_(config), catalog_(std::move(catalog)) {
  // The gateway's own keys (cell-key record keys, re-keyed output pseudonyms) come from the
  // gateway secret, else the linkage secret; a gateway with neither (every source an agent)
  // makes a random one, so those derived values hold only as long as the process.
  std::string key_secret =
      !config_.gateway_secret.empty() ? config_.gateway_secret : config_.linkage_secret;
  if (key_secret.empty()) key_secret = RandomBytes(32);
  keys_ = std::make_unique<PseudonymiserCache>(std::move(key_secret));
  if (!config_.linkage_secret.empty())
    linkage_keys_ = std::make_unique<PseudonymiserCache>(config_.linkage_secret);
  KeyFor(config_.dsa);  // fails early on an unusable secret
}

const Pseudonymiser& QueryEngine::KeyFor(const std::string& dsa) {
  return keys_->For(dsa);
}

std::shared_ptr<const disclosure::Rules> QueryEngine::RulesFor(const QueryOptions& options) const {
  if (options.disclosure) return options.disclosure;
  auto rules = std::make_shared<disclosure::Rules>();
  rules->min_persons = config_.min_persons;
  rules->extremes_allowed = true;  // without a DSA only the threshold applies
  return rules;
}

QueryEngine::Prepared QueryEngine::Prepare(const std::string& sql_text, const QueryOptions& options,
                                           bool run_subqueries) {
  sql::SelectPtr stmt = sql::Parse(sql_text);
  Binder::Names names;
  names.catalogs.insert(DsaOf(options));
  names.catalogs.insert(options.extra_catalogs.begin(), options.extra_catalogs.end());
  names.default_schema = options.default_schema;
  names.parameters = options.parameters;
  names.unbound_parameters_as_null = options.unbound_parameters_as_null;
  Binder binder(*catalog_, sql_text, std::move(names));
  BoundQuery bound = binder.Bind(*stmt);
  if (options.check) options.check(bound);
  const auto rules = RulesFor(options);
  const std::string dsa = DsaOf(options);
  disclosure::CheckQuery(bound, options.allow_records);
  if (!bound.subqueries.empty()) {
    std::vector<Value> values;
    for (size_t i = 0; i < bound.subqueries.size(); ++i) {
      LogicalOp& sub = *bound.subqueries[i];
      if (!run_subqueries) {
        values.push_back(Value::Null(sub.columns[0].type));
        continue;
      }
      // A scalar subquery's value flows into the result, so it obeys the output rules too.
      disclosure::ApplyDisclosureControl(bound.subqueries[i], rules, dsa);
      LogicalOpPtr plan =
          planner::Optimize(std::move(bound.subqueries[i]), *catalog_, options.optimizer);
      disclosure::Ledger ledger(rules);
      Batch rows = Execute(*plan, options, ledger, nullptr, nullptr);
      if (rows.rows > 1)
        throw Error(ErrorCode::kInvalidArgument,
                    "more than one row returned by a subquery used as an expression");
      disclosure::CheckScalarValue(*plan, rows, *rules);
      values.push_back(rows.rows == 0 ? Value::Null(plan->columns[0].type)
                                      : planner::GetValue(rows.columns[0], 0));
    }
    ReplaceSubqueries(*bound.plan, values);
  }
  disclosure::ApplyDisclosureControl(bound.plan, rules, dsa);
  Prepared p;
  p.plan = planner::Optimize(std::move(bound.plan), *catalog_, options.optimizer);
  return p;
}

Batch QueryEngine::Execute(const LogicalOp& plan, const QueryOptions& options,
                           disclosure::Ledger& ledger, std::vector<exec::FragmentStats>* stats,
                           int64_t* peak_memory) {
  exec::QueryMemory memory(config_.memory_budget_mb * 1024 * 1024);
  exec::ExecContext ctx;
  ctx.catalog = catalog_.get();
  ctx.memory = &memory;
  const std::string dsa = DsaOf(options);
  // A gateway whose sources are all agents holds no linkage secret: nothing to key here.
  if (linkage_keys_) ctx.source_context.pseudonymiser = &linkage_keys_->For(dsa);
  ctx.source_context.dsa = dsa;
  ctx.source_context.user = options.user;
  ctx.source_context.query_id = options.query_id;
  // Record keys: a keyed hash of the pseudonym, so keys are secret and fixed per DSA (the
  // same cell always gets the same perturbation).
  const Pseudonymiser& record_keys = KeyFor(dsa + "#cell-key");
  ctx.record_key = [&record_keys](const Pseudonym& p) {
    const Pseudonym k = record_keys.FromNormalised(
        std::string_view(reinterpret_cast<const char*>(p.bytes.data()), p.bytes.size()));
    return disclosure::UnitInterval(k.bytes.data());
  };
  ctx.protector = &ledger;
  ctx.source_context.timeout_seconds = config_.query_timeout_seconds;
  exec::OperatorPtr root = exec::BuildOperator(plan, ctx);
  Batch out;
  {
    Watchdog watchdog(ctx, *root, options.cancel, config_.query_timeout_seconds);
    try {
      root->Open();
      out = exec::Drain(*root, ctx, plan.columns);
    } catch (const Error& e) {
      if (ctx.cancelled) {
        root->Cancel();
        throw Error(ErrorCode::kCancelled,
                    watchdog.timed_out() ? "query timed out after " +
                                               std::to_string(config_.query_timeout_seconds) + " s"
                                         : std::string("query cancelled"));
      }
      throw;
    }
    if (ctx.cancelled) {
      throw Error(ErrorCode::kCancelled,
                  watchdog.timed_out() ? "query timed out after " +
                                             std::to_string(config_.query_timeout_seconds) + " s"
                                       : std::string("query cancelled"));
    }
  }
  root.reset();  // joins scan threads, so the fragment statistics are complete
  if (stats) *stats = ctx.fragments;
  if (peak_memory) *peak_memory = memory.peak();
  return out;
}

namespace {

// The linkage pseudonyms of a cohort query's result, before Release re-keys them.
std::vector<Pseudonym> CohortOf(const LogicalOp& plan, const std::vector<size_t>& visible,
                                const Batch& all) {
  std::vector<size_t> keys;
  for (size_t c : visible)
    if (plan.columns[c].type.id == TypeId::kPseudonym) keys.push_back(c);
  if (plan.person_columns.empty() || keys.size() != 1)
    throw Error(ErrorCode::kInvalidArgument,
                "a cohort query returns one row per person with exactly one person key column "
                "(e.g. SELECT DISTINCT p.person_id FROM ...); this one returns " +
                    std::to_string(keys.size()) + " person key column(s)" +
                    (plan.person_columns.empty() ? " and is aggregated" : ""));
  std::set<std::string> seen;
  std::vector<Pseudonym> out;
  const Column& col = all.columns[keys[0]];
  for (size_t r = 0; r < all.rows; ++r) {
    if (col.IsNull(r)) continue;
    const Pseudonym& p = col.pseudo[r];
    if (seen.insert(std::string(p.bytes.begin(), p.bytes.end())).second) out.push_back(p);
  }
  return out;
}

}  // namespace

QueryResult QueryEngine::Run(const std::string& sql_text, const QueryOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Prepared prepared = Prepare(sql_text, options, true);
  const LogicalOp& plan = *prepared.plan;
  QueryResult result;
  auto rules = RulesFor(options);
  disclosure::Ledger ledger(rules);
  Batch all = Execute(plan, options, ledger, &result.fragments, &result.peak_memory_bytes);

  std::vector<size_t> visible;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    if (plan.columns[c].hidden) continue;
    visible.push_back(c);
    result.columns.push_back(
        {plan.columns[c].name, plan.columns[c].type, plan.columns[c].group_key});
  }
  std::vector<Pseudonym> cohort;
  if (options.cohort) cohort = CohortOf(plan, visible, all);
  result.disclosure = disclosure::Release(plan, visible, all, &ledger, std::move(rules),
                                          KeyFor(DsaOf(options) + "#output"));
  if (options.cohort) *options.cohort = std::move(cohort);
  result.rows.rows = all.rows;
  for (size_t c : visible) result.rows.columns.push_back(std::move(all.columns[c]));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

ExplainResult QueryEngine::Explain(const std::string& sql_text, const QueryOptions& options) {
  Prepared prepared = Prepare(sql_text, options, false);
  ExplainResult out;
  out.plan = prepared.plan->ToString();
  planner::VisitPlan(*prepared.plan, [&](const LogicalOp& op) {
    if (op.kind == OpKind::kRemote) out.fragments.push_back(op.fragment);
  });
  return out;
}

std::vector<ResultColumn> QueryEngine::Describe(const std::string& sql_text,
                                                const QueryOptions& options) {
  Prepared prepared = Prepare(sql_text, options, false);
  std::vector<ResultColumn> out;
  for (const auto& c : prepared.plan->columns) {
    if (!c.hidden) out.push_back({c.name, c.type, c.group_key});
  }
  return out;
}

}  // namespace fedgate::engine
