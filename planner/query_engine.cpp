#include "planner/query_engine.h"

#include <openssl/rand.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "planner/binder.h"
#include "planner/disclosure.h"
#include "planner/exec/evaluate.h"
#include "sql/parser.h"

namespace fedgate::planner {

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

// Secondary suppression for results with totals (ROLLUP, CUBE, GROUPING SETS): a row of
// grouping set S and a key k of S add up, over k, to the row of S without k that has the same
// other keys. In every such line, zero or at least two rows must be withheld, else the one
// withheld row is the margin minus the others; the heuristic withholds the line's smallest
// other row until that holds (REFERENCE.md, "Secondary suppression").
void SecondarySuppression(const LogicalOp& plan, Batch& all, const std::vector<size_t>& visible,
                          QueryResult& result) {
  int gset = -1;
  std::vector<int> keys;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    const auto& name = plan.columns[c].name;
    if (!plan.columns[c].hidden) continue;
    if (name == "__gset") gset = static_cast<int>(c);
    if (name.rfind("__gkey", 0) == 0) keys.push_back(static_cast<int>(c));
  }
  if (gset < 0 || all.rows == 0) return;
  const size_t nv = visible.size();
  auto withheld = [&](size_t r) {
    if (result.suppressed[r]) return true;
    for (size_t k = 0; k < nv; ++k) {
      auto rule = static_cast<sdc::CellRule>(result.cell_rules[r * nv + k]);
      if (rule == sdc::CellRule::kDominance || rule == sdc::CellRule::kSecondary) return true;
    }
    return false;
  };
  // A row's identity: its set mask and the values of the keys in its set, except `skip`.
  auto key_text = [&](size_t r, int64_t mask, int skip) {
    std::string t = std::to_string(mask) + "|";
    for (size_t k = 0; k < keys.size(); ++k) {
      if (!((mask >> k) & 1) || static_cast<int>(k) == skip) continue;
      const Column& c = all.columns[keys[k]];
      t += c.IsNull(r) ? "\x01" : GetValue(c, r).ToString();
      t += '\x1f';
    }
    return t;
  };
  // Magnitude used to pick the complementary row: its first visible numeric value.
  auto size_of = [&](size_t r) {
    for (size_t k = 0; k < nv; ++k) {
      const Column& c = all.columns[visible[k]];
      if (c.type.IsNumeric() && !c.IsNull(r)) return GetValue(c, r).AsDouble();
    }
    return 0.0;
  };
  std::map<std::string, size_t> row_of;  // set mask + all its keys -> row
  for (size_t r = 0; r < all.rows; ++r) row_of[key_text(r, all.columns[gset].i64[r], -1)] = r;
  // Lines: margin row + the rows it totals.
  std::map<std::string, std::vector<size_t>> lines;
  for (size_t r = 0; r < all.rows; ++r) {
    const int64_t mask = all.columns[gset].i64[r];
    for (size_t k = 0; k < keys.size(); ++k) {
      if (!((mask >> k) & 1)) continue;
      const int64_t parent = mask & ~(int64_t{1} << k);
      // The margin: the row of the parent set with this row's values for the parent's keys.
      auto margin = row_of.find(key_text(r, parent, -1));
      if (margin == row_of.end()) continue;
      auto& line = lines[std::to_string(k) + "#" + key_text(r, mask, static_cast<int>(k))];
      if (line.empty()) line.push_back(margin->second);
      line.push_back(r);
    }
  }
  std::vector<uint8_t> secondary(all.rows, 0);
  auto is_out = [&](size_t r) { return secondary[r] || withheld(r); };
  bool changed = true;
  while (changed) {
    changed = false;
    for (const auto& [id, line] : lines) {
      int out = 0;
      for (size_t r : line) out += is_out(r);
      if (out != 1) continue;
      size_t best = line.size();
      for (size_t i = 1; i < line.size(); ++i) {  // detail rows before the margin (line[0])
        if (!is_out(line[i]) && (best == line.size() || size_of(line[i]) < size_of(line[best])))
          best = i;
      }
      if (best == line.size()) best = 0;
      secondary[line[best]] = 1;
      changed = true;
    }
  }
  for (size_t r = 0; r < all.rows; ++r) {
    if (!secondary[r] || withheld(r)) continue;
    for (size_t k = 0; k < nv; ++k) {
      if (plan.columns[visible[k]].group_key) continue;
      all.columns[visible[k]].null[r] = 1;
      result.cell_rules[r * nv + k] = static_cast<uint8_t>(sdc::CellRule::kSecondary);
    }
  }
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
  if (key_secret.empty()) {
    unsigned char random[32];
    if (RAND_bytes(random, sizeof random) != 1)
      throw Error(ErrorCode::kInternal, "cannot make a random gateway key");
    key_secret.assign(reinterpret_cast<char*>(random), sizeof random);
  }
  keys_ = std::make_unique<PseudonymiserCache>(std::move(key_secret));
  if (!config_.linkage_secret.empty())
    linkage_keys_ = std::make_unique<PseudonymiserCache>(config_.linkage_secret);
  KeyFor(config_.dsa);  // fails early on an unusable secret
}

const Pseudonymiser& QueryEngine::KeyFor(const std::string& dsa) {
  return keys_->For(dsa);
}

std::shared_ptr<const sdc::Rules> QueryEngine::RulesFor(const QueryOptions& options) const {
  if (options.disclosure) return options.disclosure;
  auto rules = std::make_shared<sdc::Rules>();
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
  if (!bound.subqueries.empty()) {
    std::vector<Value> values;
    for (size_t i = 0; i < bound.subqueries.size(); ++i) {
      LogicalOp& sub = *bound.subqueries[i];
      // A scalar subquery's value flows into the result, so it obeys the output rule too.
      if (!sub.person_columns.empty()) {
        throw Error(ErrorCode::kPermissionDenied,
                    "a scalar subquery returns a row-level value; only aggregates of at least "
                    "min_persons (" +
                        std::to_string(config_.min_persons) + ") persons may be used");
      }
      if (!run_subqueries) {
        values.push_back(Value::Null(sub.columns[0].type));
        continue;
      }
      ApplyDisclosureControl(bound.subqueries[i], rules, dsa);
      LogicalOpPtr plan = Optimize(std::move(bound.subqueries[i]), *catalog_, options.optimizer);
      Batch rows = Execute(*plan, options, nullptr, nullptr);
      if (rows.rows > 1)
        throw Error(ErrorCode::kInvalidArgument,
                    "more than one row returned by a subquery used as an expression");
      if (rows.rows == 1 && plan->persons_column >= 0 &&
          rows.columns[plan->persons_column].i64[0] < rules->min_persons) {
        throw Error(ErrorCode::kPermissionDenied,
                    "a scalar subquery aggregates fewer than min_persons (" +
                        std::to_string(rules->min_persons) +
                        ") persons, so its value cannot be used");
      }
      values.push_back(rows.rows == 0 ? Value::Null(plan->columns[0].type)
                                      : GetValue(rows.columns[0], 0));
    }
    ReplaceSubqueries(*bound.plan, values);
  }
  if (!bound.plan->person_columns.empty() && !options.allow_records) {
    throw Error(ErrorCode::kPermissionDenied,
                "the query returns row-level data (one row per person or event); only aggregated "
                "results may "
                "leave fedgate: add GROUP BY or aggregate functions such as count(*)");
  }
  ApplyDisclosureControl(bound.plan, rules, dsa);
  Prepared p;
  p.plan = Optimize(std::move(bound.plan), *catalog_, options.optimizer);
  return p;
}

Batch QueryEngine::Execute(const LogicalOp& plan, const QueryOptions& options,
                           std::vector<exec::FragmentStats>* stats, int64_t* peak_memory) {
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
  ctx.record_keys = &KeyFor(dsa + "#cell-key");
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

QueryResult QueryEngine::Run(const std::string& sql_text, const QueryOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Prepared prepared = Prepare(sql_text, options, true);
  const LogicalOp& plan = *prepared.plan;
  QueryResult result;
  result.rules = RulesFor(options);
  result.min_persons = result.rules->min_persons;
  Batch all = Execute(plan, options, &result.fragments, &result.peak_memory_bytes);

  std::vector<size_t> visible;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    if (plan.columns[c].hidden) continue;
    visible.push_back(c);
    result.columns.push_back(
        {plan.columns[c].name, plan.columns[c].type, plan.columns[c].group_key});
  }
  const size_t nv = visible.size();
  result.suppressed.assign(all.rows, 0);
  result.cell_rules.assign(all.rows * nv, 0);
  if (!plan.person_columns.empty()) {
    // Pseudonymised records (the DSA allows them, or Prepare would have refused): the whole
    // result must cover at least min_persons persons, and person keys leave re-keyed for
    // output, so they cannot be joined to the linkage pseudonyms.
    result.records = true;
    std::set<std::string> persons;
    for (int c : plan.person_columns) {
      const Column& col = all.columns[c];
      for (size_t r = 0; r < all.rows; ++r) {
        if (!col.IsNull(r)) persons.insert(col.pseudo[r].Hex());
      }
    }
    if (static_cast<int64_t>(persons.size()) < result.min_persons) {
      throw Error(ErrorCode::kPermissionDenied, "refused by rule 'threshold': the records cover " +
                                                    std::to_string(persons.size()) +
                                                    " persons, fewer than min_persons (" +
                                                    std::to_string(result.min_persons) + ")");
    }
    const Pseudonymiser& output_key = KeyFor(DsaOf(options) + "#output");
    for (size_t c : visible) {
      Column& col = all.columns[c];
      if (col.type.id != TypeId::kPseudonym) continue;
      for (size_t r = 0; r < all.rows; ++r) {
        if (col.IsNull(r)) continue;
        const auto& b = col.pseudo[r].bytes;
        col.pseudo[r] = output_key.FromNormalised(
            std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
      }
    }
  }
  if (plan.persons_column >= 0) {
    const Column& persons = all.columns[plan.persons_column];
    for (size_t r = 0; r < all.rows; ++r) {
      if (persons.IsNull(r) || persons.i64[r] < result.min_persons) result.suppressed[r] = 1;
    }
  }
  const CellRuleMap rule_map = MapCellRules(plan);
  for (size_t k = 0; k < nv; ++k) {
    const int agg = rule_map.aggregate_of_column[visible[k]];
    for (size_t r = 0; r < all.rows; ++r) {
      uint8_t rule = 0;
      if (result.suppressed[r] && !plan.columns[visible[k]].group_key) {
        rule = static_cast<uint8_t>(sdc::CellRule::kThreshold);
      } else if (rule_map.sdc_column >= 0 && agg >= 0 && agg < 16) {
        rule = static_cast<uint8_t>((all.columns[rule_map.sdc_column].i64[r] >> (4 * agg)) & 15);
      }
      // A computed value next to a withheld (dominated) aggregate is withheld with it.
      result.cell_rules[r * nv + k] = rule;
    }
  }
  SecondarySuppression(plan, all, visible, result);
  result.rows.rows = all.rows;
  for (size_t k = 0; k < nv; ++k) {
    Column& src = all.columns[visible[k]];
    if (!plan.columns[visible[k]].group_key) {
      for (size_t r = 0; r < all.rows; ++r) {
        if (result.suppressed[r]) src.null[r] = 1;
      }
    }
    result.rows.columns.push_back(std::move(src));
  }
  for (uint8_t s : result.suppressed) result.suppressed_rows += s;
  for (uint8_t rule : result.cell_rules) {
    if (rule)
      result.rule_counts[std::string(sdc::CellRuleName(static_cast<sdc::CellRule>(rule)))]++;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

ExplainResult QueryEngine::Explain(const std::string& sql_text, const QueryOptions& options) {
  Prepared prepared = Prepare(sql_text, options, false);
  ExplainResult out;
  out.plan = prepared.plan->ToString();
  VisitPlan(*prepared.plan, [&](const LogicalOp& op) {
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

}  // namespace fedgate::planner
