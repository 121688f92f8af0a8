#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "planner/exec/evaluate.h"
#include "planner/exec/key_table.h"
#include "planner/exec/operators.h"
#include "planner/exec/ordered_set.h"
#include "planner/function/functions.h"

namespace fedgate::planner::exec {

namespace {

enum class AggKind { kCountStar, kCount, kSum, kAvg, kMin, kMax, kOrderedSet };

AggKind KindOf(const std::string& fn) {
  if (fn == "count_star") return AggKind::kCountStar;
  if (fn == "count") return AggKind::kCount;
  if (fn == "sum") return AggKind::kSum;
  if (fn == "avg") return AggKind::kAvg;
  if (fn == "min") return AggKind::kMin;
  if (fn == "max") return AggKind::kMax;
  if (fn == "percentile_cont" || fn == "percentile_disc" || fn == "mode")
    return AggKind::kOrderedSet;
  throw Error(ErrorCode::kInternal, "unknown aggregate " + fn);
}

struct Accumulator {
  int64_t count = 0;
  __int128 sum_int = 0;
  double sum_double = 0;
  Value best;  // min / max
  std::unique_ptr<std::unordered_set<std::string>> distinct;
  // Ordered-set aggregates: every value, with the row's persons.
  std::unique_ptr<OrderedValues> ordered;
  // An output aggregate written with FILTER: the persons of the rows it aggregates.
  std::unique_ptr<std::unordered_set<Pseudonym, PseudonymHash>> filtered_persons;
};

struct Group {
  std::vector<Accumulator> accs;
  std::unordered_set<Pseudonym, PseudonymHash> persons;
  int64_t persons_bound = 0;
  int64_t unlinked = 0;  // rows whose person key is NULL (LogicalOp::unlinked_column)
  double key_sum = 0;    // sum of the persons' record keys (cell-key perturbation)
  // Per aggregate in contribution_aggregates and per person column of the input: each
  // person's contribution to its total, and the rows whose key in that column is NULL (each a
  // contributor of its own: their count, total and largest values).
  struct Anonymous {
    int64_t rows = 0;
    double total = 0;
    std::vector<double> top;  // descending, at most contributions_top
  };
  std::vector<std::vector<std::unordered_map<Pseudonym, double, PseudonymHash>>> contributions;
  std::vector<std::vector<Anonymous>> anonymous;
};

class HashAggregateOperator : public Operator {
 public:
  HashAggregateOperator(const LogicalOp& op, OperatorPtr child, ExecContext& ctx)
      : op_(op), child_(std::move(child)), ctx_(ctx) {
    for (const auto& g : op_.groups) keys_.columns.emplace_back(g->type);
    for (const auto& a : op_.aggregates) kinds_.push_back(KindOf(a.fn));
    contribution_slot_.assign(op_.aggregates.size(), -1);
    filtered_slot_.assign(op_.aggregates.size(), -1);
    for (size_t i = 0; i < op_.filtered_aggregates.size(); ++i)
      filtered_slot_[op_.filtered_aggregates[i]] = static_cast<int>(i);
    for (size_t i = 0; i < op_.contribution_aggregates.size(); ++i)
      contribution_slot_[op_.contribution_aggregates[i]] = static_cast<int>(i);
  }
  ~HashAggregateOperator() override { ctx_.memory->Release(reserved_); }

  void Open() override { child_->Open(); }
  void Cancel() override { child_->Cancel(); }

  bool Next(Batch& out) override {
    if (!consumed_) Consume();
    if (emitted_ >= groups_.size()) return false;
    size_t end = std::min(groups_.size(), emitted_ + kBatchRows);
    out.columns.clear();
    for (const auto& c : op_.columns) out.columns.emplace_back(c.type);
    const size_t ng = op_.groups.size(), na = op_.aggregates.size();
    for (size_t g = emitted_; g < end; ++g) {
      for (size_t k = 0; k < ng; ++k) out.columns[k].AppendFrom(keys_.columns[k], g);
      for (size_t a = 0; a < na; ++a)
        AppendValue(out.columns[ng + a], Result(op_.aggregates[a], groups_[g]->accs[a]));
      if (op_.persons_column >= 0) {
        int64_t persons = op_.persons_input >= 0 ? groups_[g]->persons_bound
                                                 : static_cast<int64_t>(groups_[g]->persons.size());
        AppendValue(out.columns[op_.persons_column], Value::Int(persons));
      }
      if (op_.cellkey_column >= 0)
        AppendValue(out.columns[op_.cellkey_column], Value::Double(groups_[g]->key_sum));
      if (op_.unlinked_column >= 0)
        AppendValue(out.columns[op_.unlinked_column], Value::Int(groups_[g]->unlinked));
      if (op_.contributions_column >= 0) AppendContributions(out, *groups_[g]);
      // Ordered-set aggregates at the output: the persons on the thinner side of the value;
      // FILTERed ones: the persons of the rows they aggregate.
      for (size_t i = 0; i < op_.percentile_aggregates.size(); ++i) {
        const auto& acc = groups_[g]->accs[op_.percentile_aggregates[i]];
        AppendValue(out.columns[op_.percentile_guard_column + static_cast<int>(i)],
                    Value::Int(acc.ordered ? acc.ordered->PersonsAside(
                                                 op_.aggregates[op_.percentile_aggregates[i]])
                                           : 0));
      }
      for (size_t i = 0; i < op_.filtered_aggregates.size(); ++i) {
        const auto& acc = groups_[g]->accs[op_.filtered_aggregates[i]];
        AppendValue(
            out.columns[op_.filtered_persons_column + static_cast<int>(i)],
            Value::Int(acc.filtered_persons ? static_cast<int64_t>(acc.filtered_persons->size())
                                            : 0));
      }
    }
    out.rows = end - emitted_;
    emitted_ = end;
    return true;
  }

 private:
  Group& NewGroup() {
    auto g = std::make_unique<Group>();
    g->accs.resize(op_.aggregates.size());
    if (op_.contributions_column >= 0) {
      const size_t columns = std::max<size_t>(op_.person_inputs.size(), 1);
      g->contributions.assign(
          op_.contribution_aggregates.size(),
          std::vector<std::unordered_map<Pseudonym, double, PseudonymHash>>(columns));
      g->anonymous.assign(op_.contribution_aggregates.size(),
                          std::vector<Group::Anonymous>(columns));
    }
    for (size_t a = 0; a < op_.aggregates.size(); ++a) {
      if (op_.aggregates[a].distinct)
        g->accs[a].distinct = std::make_unique<std::unordered_set<std::string>>();
      if (kinds_[a] == AggKind::kOrderedSet) g->accs[a].ordered = std::make_unique<OrderedValues>();
      if (filtered_slot_[a] >= 0)
        g->accs[a].filtered_persons =
            std::make_unique<std::unordered_set<Pseudonym, PseudonymHash>>();
    }
    groups_.push_back(std::move(g));
    Charge(static_cast<int64_t>(96 + 64 * op_.aggregates.size()));
    return *groups_.back();
  }

  void Charge(int64_t bytes) {
    pending_ += bytes;
    if (pending_ >= (1 << 20)) {
      ctx_.memory->Reserve(pending_, "GROUP BY");
      reserved_ += pending_;
      pending_ = 0;
    }
  }

  void Consume() {
    consumed_ = true;
    Batch in;
    std::string key;
    while (child_->Next(in)) {
      ctx_.CheckCancelled();
      std::vector<Column> group_cols, arg_cols, person_cols;
      for (const auto& g : op_.groups) group_cols.push_back(Evaluate(*g, in));
      for (const auto& a : op_.aggregates) {
        arg_cols.push_back(a.arg ? Evaluate(*a.arg, in) : Column());
      }
      for (const auto& p : op_.person_inputs) person_cols.push_back(Evaluate(*p, in));
      for (size_t r = 0; r < in.rows; ++r) {
        Group* group;
        if (op_.groups.empty()) {
          group = groups_.empty() ? &NewGroup() : groups_[0].get();
        } else {
          key.clear();
          for (const auto& c : group_cols) {
            // NULLs group together: a tag byte tells them from values.
            key.push_back(c.null[r] ? 'N' : 'V');
            AppendKey(c, r, key);
          }
          bool inserted = false;
          const uint32_t id = index_.FindOrInsert(key, inserted);
          if (inserted) {
            NewGroup();
            for (size_t k = 0; k < group_cols.size(); ++k)
              keys_.columns[k].AppendFrom(group_cols[k], r);
            keys_.rows++;
            Charge(static_cast<int64_t>(key.size()) + 64);
          }
          group = groups_[id].get();
        }
        if (op_.unlinked_column >= 0 && person_cols[0].null[r]) ++group->unlinked;
        const Pseudonym* person = nullptr;
        for (const auto& p : person_cols) {
          if (!p.null[r]) {
            person = &p.pseudo[r];
            break;
          }
        }
        for (size_t a = 0; a < kinds_.size(); ++a) {
          Accumulator& acc = group->accs[a];
          if (acc.filtered_persons && !arg_cols[a].null[r]) {
            for (const auto& p : person_cols)
              if (!p.null[r] && acc.filtered_persons->insert(p.pseudo[r]).second) Charge(40);
          }
          if (kinds_[a] == AggKind::kOrderedSet) {
            if (!arg_cols[a].null[r]) {
              std::vector<std::optional<Pseudonym>> persons;
              persons.reserve(person_cols.size());
              for (const auto& p : person_cols)
                persons.push_back(p.null[r] ? std::nullopt : std::optional<Pseudonym>(p.pseudo[r]));
              Charge(acc.ordered->Add(GetValue(arg_cols[a], r), std::move(persons)));
            }
            continue;
          }
          Update(kinds_[a], acc, arg_cols[a], r);
        }
        for (const auto& p : person_cols) {
          if (p.null[r]) continue;
          if (op_.persons_cap > 0 && static_cast<int64_t>(group->persons.size()) >= op_.persons_cap)
            continue;
          if (group->persons.insert(p.pseudo[r]).second) {
            Charge(40);
            if (op_.cellkey_column >= 0) group->key_sum += RecordKeyOf(p.pseudo[r]);
          }
        }
        if (op_.contributions_column >= 0 && person) {
          for (size_t a = 0; a < kinds_.size(); ++a) {
            if (contribution_slot_[a] < 0 || arg_cols[a].null[r]) continue;
            const Column& c = arg_cols[a];
            double v =
                c.type.id == TypeId::kDouble ? c.f64[r]
                : c.type.id == TypeId::kDecimal
                    ? static_cast<double>(c.i64[r]) / static_cast<double>(Pow10(c.type.scale))
                    : static_cast<double>(c.i64[r]);
            // Credited to the person of every person column (a cross join with one person
            // makes each value that person's too), a NULL key's row as a contributor alone.
            const int slot = contribution_slot_[a];
            for (size_t pc = 0; pc < person_cols.size(); ++pc) {
              if (person_cols[pc].null[r]) {
                auto& anon = group->anonymous[slot][pc];
                const double magnitude = v < 0 ? -v : v;
                ++anon.rows;
                anon.total += magnitude;
                const size_t top = static_cast<size_t>(op_.contributions_top);
                if (anon.top.size() < top || (!anon.top.empty() && magnitude > anon.top.back())) {
                  anon.top.insert(std::upper_bound(anon.top.begin(), anon.top.end(), magnitude,
                                                   std::greater<double>()),
                                  magnitude);
                  if (anon.top.size() > top) anon.top.pop_back();
                }
                continue;
              }
              auto [it, inserted] =
                  group->contributions[slot][pc].try_emplace(person_cols[pc].pseudo[r], 0.0);
              it->second += v;
              if (inserted) Charge(48);
            }
          }
        }
        if (op_.persons_input >= 0) {
          const Column& c = in.columns[op_.persons_input];
          if (!c.null[r]) group->persons_bound = std::max(group->persons_bound, c.i64[r]);
        }
      }
    }
    if (op_.groups.empty() && groups_.empty()) NewGroup();  // a global aggregate over no rows
  }

  void Update(AggKind kind, Accumulator& acc, const Column& arg, size_t r) {
    if (kind == AggKind::kCountStar) {
      ++acc.count;
      return;
    }
    if (arg.null[r]) return;
    if (acc.distinct) {
      std::string k;
      AppendKey(arg, r, k);
      if (acc.distinct->insert(std::move(k)).second) {
        ++acc.count;
        Charge(48);
      }
      return;
    }
    ++acc.count;
    if (kind == AggKind::kSum || kind == AggKind::kAvg) {
      if (arg.type.id == TypeId::kDouble)
        acc.sum_double += arg.f64[r];
      else
        acc.sum_int += arg.i64[r];
      return;
    }
    if (kind == AggKind::kMin || kind == AggKind::kMax) {
      Value v = GetValue(arg, r);
      if (acc.best.null) {
        acc.best = std::move(v);
      } else {
        int c = CompareValues(v, acc.best);
        if (kind == AggKind::kMin ? c < 0 : c > 0) acc.best = std::move(v);
      }
    }
  }

  Value Result(const AggregateCall& agg, const Accumulator& acc) {
    if (agg.fn == "count" || agg.fn == "count_star") return Value::Int(acc.count);
    if (acc.ordered) return acc.ordered->Result(agg);
    if (acc.count == 0) return Value::Null(agg.type);
    const DataType& in = agg.arg->type;
    if (agg.fn == "sum") return SumResult(in, acc.sum_int, acc.sum_double);
    if (agg.fn == "avg") return MeanResult(in, acc.sum_int, acc.sum_double, acc.count);
    return acc.best;
  }

  // A person's record key in [0, 1), from the query's keyer (secret, fixed per DSA).
  double RecordKeyOf(const Pseudonym& p) const {
    if (!ctx_.record_key) throw Error(ErrorCode::kInternal, "cell keys requested without a key");
    return ctx_.record_key(p);
  }

  // Per aggregate in contribution_aggregates: contributors, total of absolute contributions,
  // the largest `contributions_top` (see LogicalOp), for the person column whose largest
  // contributions make up the greatest share of the total (the most concentrated reading).
  void AppendContributions(Batch& out, const Group& group) const {
    int column = op_.contributions_column;
    const size_t top = static_cast<size_t>(op_.contributions_top);
    for (size_t slot = 0; slot < group.contributions.size(); ++slot) {
      int64_t best_contributors = 0;
      double best_total = 0, best_share = -1;
      std::vector<double> best_top;
      for (size_t pc = 0; pc < group.contributions[slot].size(); ++pc) {
        const auto& persons = group.contributions[slot][pc];
        const auto& anon = group.anonymous[slot][pc];
        std::vector<double> values(anon.top);
        values.reserve(persons.size() + anon.top.size());
        double total = anon.total;
        for (const auto& [person, v] : persons) {
          values.push_back(v < 0 ? -v : v);
          total += values.back();
        }
        const size_t k = std::min(top, values.size());
        std::partial_sort(values.begin(), values.begin() + k, values.end(), std::greater<double>());
        values.resize(k);
        double top_sum = 0;
        for (double v : values) top_sum += v;
        const double share = total > 0 ? top_sum / total : 0;
        if (share > best_share) {
          best_share = share;
          best_contributors = static_cast<int64_t>(persons.size()) + anon.rows;
          best_total = total;
          best_top = std::move(values);
        }
      }
      AppendValue(out.columns[column++], Value::Int(best_contributors));
      AppendValue(out.columns[column++], Value::Double(best_total));
      for (size_t i = 0; i < top; ++i) {
        AppendValue(out.columns[column++], i < best_top.size() ? Value::Double(best_top[i])
                                                               : Value::Null(DataType::Double()));
      }
    }
  }

  const LogicalOp& op_;
  std::vector<AggKind> kinds_;
  std::vector<int> contribution_slot_;  // per aggregate: its index in contributions, or -1
  std::vector<int> filtered_slot_;      // per aggregate: its index in filtered_aggregates, or -1
  OperatorPtr child_;
  ExecContext& ctx_;
  bool consumed_ = false;
  size_t emitted_ = 0;
  Batch keys_;
  KeyTable index_;
  std::vector<std::unique_ptr<Group>> groups_;
  int64_t reserved_ = 0, pending_ = 0;
};

}  // namespace

OperatorPtr MakeHashAggregate(const LogicalOp& op, OperatorPtr child, ExecContext& ctx) {
  return std::make_unique<HashAggregateOperator>(op, std::move(child), ctx);
}

}  // namespace fedgate::planner::exec
