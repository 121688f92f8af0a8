#include "disclosure/release.h"

#include <algorithm>
#include <bit>
#include <set>

#include "common/error.h"
#include "disclosure/plan.h"
#include "disclosure/secondary.h"
#include "planner/value.h"

namespace fedgate::disclosure {

using planner::LogicalOp;

namespace {

// Rule 'threshold' for records: the whole result must cover min_persons persons; person keys
// leave re-keyed for output, so they cannot be joined to the linkage pseudonyms.
void ReleaseRecords(const LogicalOp& plan, const std::vector<size_t>& visible, Batch& all,
                    int64_t min_persons, const Pseudonymiser& output_key) {
  std::set<std::string> persons;
  for (int c : plan.person_columns) {
    const Column& col = all.columns[c];
    for (size_t r = 0; r < all.rows; ++r) {
      if (!col.IsNull(r)) persons.insert(col.pseudo[r].Hex());
    }
  }
  if (static_cast<int64_t>(persons.size()) < min_persons) {
    throw Error(ErrorCode::kPermissionDenied,
                "refused by rule 'threshold': the records cover " + std::to_string(persons.size()) +
                    " persons, fewer than min_persons (" + std::to_string(min_persons) + ")");
  }
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

// The cells of a grouping-sets result as a table (one cell per row), or empty when the
// result has no grouping sets.
std::vector<TableCell> GroupingTable(const LogicalOp& plan, const Batch& all) {
  int gset = -1;
  std::vector<int> keys;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    const auto& name = plan.columns[c].name;
    if (!plan.columns[c].hidden) continue;
    if (name == "__gset") gset = static_cast<int>(c);
    if (name.rfind("__gkey", 0) == 0) keys.push_back(static_cast<int>(c));
  }
  std::vector<TableCell> cells;
  if (gset < 0) return cells;
  for (size_t r = 0; r < all.rows; ++r) {
    TableCell cell;
    cell.set = all.columns[gset].i64[r];
    for (int k : keys) {
      const Column& c = all.columns[k];
      cell.keys.push_back(c.IsNull(r) ? std::string("\x01") : planner::GetValue(c, r).ToString());
    }
    cells.push_back(std::move(cell));
  }
  return cells;
}

class Releaser {
 public:
  Releaser(const LogicalOp& plan, const std::vector<size_t>& visible, Batch& all,
           const Ledger* ledger, Released& out)
      : plan_(plan), visible_(visible), all_(all), ledger_(ledger), out_(out) {}

  void Run() {
    const size_t nv = visible_.size();
    const Rules& rules = *out_.rules;
    out_.suppressed.assign(all_.rows, 0);
    out_.cell_rules.assign(all_.rows * nv, 0);
    out_.columns = nv;
    if (plan_.persons_column >= 0) {
      const Column& persons = all_.columns[plan_.persons_column];
      for (size_t r = 0; r < all_.rows; ++r) {
        if (persons.IsNull(r) || persons.i64[r] < rules.min_persons) out_.suppressed[r] = 1;
      }
    }
    map_ = MapCellRules(plan_);
    // A row of few persons stays when a cell of its own passed its threshold: a count(*) of
    // records without a person key, where the DSA counts them (Rules::unlinked_records_count);
    // its other cells were withheld by theirs.
    for (size_t r = 0; r < all_.rows; ++r) {
      if (!out_.suppressed[r]) continue;
      for (size_t k = 0; k < nv; ++k) {
        if (plan_.columns[visible_[k]].group_key) continue;
        const CellOutcome* outcome = OutcomeOf(r, k);
        if (outcome && !Withholds(outcome->rule)) {
          out_.suppressed[r] = 0;
          break;
        }
      }
    }
    for (size_t r = 0; r < all_.rows; ++r) {
      for (size_t k = 0; k < nv; ++k) MarkCell(r, k);
    }
    const std::vector<TableCell> table = GroupingTable(plan_, all_);
    if (!table.empty()) {
      const std::vector<Line> lines = TableLines(table);
      if (rules.redact_at_or_below > 0)
        SumTotals(table, lines);
      else
        SecondarySuppression(lines);
    }
    for (size_t k = 0; k < nv; ++k) {
      if (plan_.columns[visible_[k]].group_key) continue;
      Column& col = all_.columns[visible_[k]];
      for (size_t r = 0; r < all_.rows; ++r) {
        if (out_.suppressed[r]) col.null[r] = 1;
      }
    }
    for (uint8_t s : out_.suppressed) out_.suppressed_rows += s;
    for (uint8_t rule : out_.cell_rules) {
      if (rule) out_.rule_counts[std::string(RuleName(static_cast<Rule>(rule)))]++;
    }
    for (auto& [key, e] : evidence_) out_.evidence.push_back(std::move(e));
  }

 private:
  const RowRecord* RecordOf(size_t r) const {
    if (!ledger_ || map_.sdc_column < 0) return nullptr;
    const Column& ids = all_.columns[map_.sdc_column];
    return ids.IsNull(r) ? nullptr : &ledger_->Row(ids.i64[r]);
  }

  const CellOutcome* OutcomeOf(size_t r, size_t k) const {
    const int agg = map_.aggregate_of_column[visible_[k]];
    const RowRecord* record = RecordOf(r);
    if (agg < 0 || !record || agg >= static_cast<int>(record->cells.size())) return nullptr;
    return &record->cells[agg];
  }

  CellKind KindOf(size_t r, size_t k) const {
    const int agg = map_.aggregate_of_column[visible_[k]];
    const RowRecord* record = RecordOf(r);
    if (agg < 0 || !record) return CellKind::kOther;
    return KindOfAggregate(record->protect->protect_functions[agg]);
  }

  void SetRule(size_t r, size_t k, Rule rule) {
    out_.cell_rules[r * visible_.size() + k] = static_cast<uint8_t>(rule);
  }
  Rule RuleOf(size_t r, size_t k) const {
    return static_cast<Rule>(out_.cell_rules[r * visible_.size() + k]);
  }

  CellEvidence& EvidenceOf(size_t r, size_t k) {
    CellEvidence& e = evidence_[{r, k}];
    e.row = r;
    e.column = k;
    return e;
  }

  void MarkCell(size_t r, size_t k) {
    const bool key = plan_.columns[visible_[k]].group_key;
    const CellOutcome* outcome = OutcomeOf(r, k);
    Rule rule = Rule::kNone;
    if (out_.suppressed[r] && !key)
      rule = Rule::kThreshold;
    else if (outcome)
      rule = outcome->rule;
    SetRule(r, k, rule);
    if (outcome) {
      CellEvidence& e = EvidenceOf(r, k);
      e.rule = rule;
      e.checks = outcome->checks;
      if (rule == Rule::kThreshold && outcome->rule != Rule::kThreshold)
        e.checks.push_back({Rule::kThreshold, false,
                            "the row's persons < " + std::to_string(out_.rules->min_persons)});
    }
  }

  // Magnitude used to pick the complementary row in column k: its value there, else the
  // row's first visible numeric value.
  double SizeOf(size_t r, size_t k) const {
    const Column& own = all_.columns[visible_[k]];
    if (own.type.IsNumeric() && !own.IsNull(r)) return planner::GetValue(own, r).AsDouble();
    for (size_t j = 0; j < visible_.size(); ++j) {
      const Column& c = all_.columns[visible_[j]];
      if (c.type.IsNumeric() && !c.IsNull(r)) return planner::GetValue(c, r).AsDouble();
    }
    return 0.0;
  }

  // Rule 'secondary': a row of grouping set S and a key k of S add up, over k, to the row of
  // S without k that has the same other keys; in every such line zero or at least two cells of
  // each additive column (counts, sums, means) must be withheld, else the one withheld cell is
  // the margin minus the others. Column by column: a cell withheld in one column (dominance of
  // a sum, a percentile) does not make the row's other cells safe to leave as they are, nor
  // stand in for their complement. A row picked as a complement also loses its computed
  // columns (expressions over the protected values), which could restore what was withheld;
  // cells that add up to nothing (MIN/MAX, percentiles) need no complement of their own.
  void SecondarySuppression(const std::vector<Line>& lines) {
    std::vector<size_t> expressions;
    for (size_t k = 0; k < visible_.size(); ++k) {
      if (!plan_.columns[visible_[k]].group_key && map_.aggregate_of_column[visible_[k]] < 0)
        expressions.push_back(k);
    }
    for (size_t k = 0; k < visible_.size(); ++k) {
      if (plan_.columns[visible_[k]].group_key) continue;
      bool additive = false;
      for (size_t r = 0; r < all_.rows && !additive; ++r) {
        const CellKind kind = KindOf(r, k);
        additive = kind == CellKind::kCount || kind == CellKind::kSum || kind == CellKind::kMean;
      }
      if (!additive) continue;
      std::vector<bool> withheld(all_.rows);
      std::vector<double> size(all_.rows);
      for (size_t r = 0; r < all_.rows; ++r) {
        withheld[r] = out_.suppressed[r] || Withholds(RuleOf(r, k));
        size[r] = SizeOf(r, k);
      }
      for (size_t r : Suppress(lines, size, withheld)) {
        for (size_t c : expressions) Withhold(r, c);
        Withhold(r, k);
      }
    }
  }

  void Withhold(size_t r, size_t k) {
    if (Withholds(RuleOf(r, k))) return;
    all_.columns[visible_[k]].null[r] = 1;
    SetRule(r, k, Rule::kSecondary);
    CellEvidence& e = EvidenceOf(r, k);
    e.rule = Rule::kSecondary;
    e.checks.push_back({Rule::kSecondary, false,
                        "withheld with a withheld cell of a line that adds up to a total"});
  }

  // Rule 'summed' (redact-then-round): a total is the sum of its released cells, so nothing
  // withheld can be recovered from it and it agrees with what is shown. Finer sets first, so
  // a total of totals adds up released totals.
  void SumTotals(const std::vector<TableCell>& table, const std::vector<Line>& lines) {
    std::vector<const Line*> first_line(all_.rows, nullptr);
    for (const Line& line : lines) {
      if (!first_line[line.margin]) first_line[line.margin] = &line;
    }
    std::vector<size_t> order;
    for (size_t r = 0; r < all_.rows; ++r) {
      if (first_line[r]) order.push_back(r);
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::popcount(static_cast<uint64_t>(table[a].set)) >
             std::popcount(static_cast<uint64_t>(table[b].set));
    });
    for (size_t m : order) {
      if (out_.suppressed[m]) continue;
      for (size_t k = 0; k < visible_.size(); ++k) {
        const CellKind kind = KindOf(m, k);
        if (kind != CellKind::kCount && kind != CellKind::kSum) continue;
        if (Withholds(RuleOf(m, k))) continue;
        Column& col = all_.columns[visible_[k]];
        int64_t sum_i = 0;
        double sum_d = 0;
        size_t released = 0;
        for (size_t p : first_line[m]->parts) {
          if (col.IsNull(p) || out_.suppressed[p]) continue;
          ++released;
          if (col.type.id == TypeId::kDouble)
            sum_d += col.f64[p];
          else
            sum_i += col.i64[p];
        }
        if (released == 0) {
          // Nothing of the total is released: a sum of nothing would read as zero.
          col.null[m] = 1;
          SetRule(m, k, Rule::kSecondary);
          CellEvidence& e = EvidenceOf(m, k);
          e.rule = Rule::kSecondary;
          e.checks.push_back({Rule::kSecondary, false, "a total of withheld cells only"});
          continue;
        }
        col.null[m] = 0;
        if (col.type.id == TypeId::kDouble)
          col.f64[m] = sum_d;
        else
          col.i64[m] = sum_i;
        SetRule(m, k, Rule::kSummed);
        CellEvidence& e = EvidenceOf(m, k);
        e.rule = Rule::kSummed;
        e.checks.push_back(
            {Rule::kSummed, false, "a total, shown as the sum of its released cells"});
      }
    }
  }

  const LogicalOp& plan_;
  const std::vector<size_t>& visible_;
  Batch& all_;
  const Ledger* ledger_;
  Released& out_;
  CellRuleMap map_;
  std::map<std::pair<size_t, size_t>, CellEvidence> evidence_;
};

}  // namespace

Released Release(const LogicalOp& plan, const std::vector<size_t>& visible, Batch& rows,
                 const Ledger* ledger, std::shared_ptr<const Rules> rules,
                 const Pseudonymiser& output_key) {
  Released out;
  out.rules = std::move(rules);
  out.min_persons = out.rules->min_persons;
  if (!plan.person_columns.empty()) {
    out.records = true;
    ReleaseRecords(plan, visible, rows, out.min_persons, output_key);
  }
  Releaser(plan, visible, rows, ledger, out).Run();
  return out;
}

}  // namespace fedgate::disclosure
