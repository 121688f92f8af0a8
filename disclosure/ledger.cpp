#include "disclosure/ledger.h"

#include <algorithm>

#include "common/error.h"

namespace fedgate::disclosure {

namespace {

// Per aggregate of `na`: where its hidden columns start when it is the i-th of `listed`
// (`first` + i * `width`), else -1.
std::vector<int> HiddenColumns(size_t na, const std::vector<int>& listed, int first, int width) {
  std::vector<int> at(na, -1);
  for (size_t i = 0; i < listed.size(); ++i) at[listed[i]] = first + static_cast<int>(i) * width;
  return at;
}

}  // namespace

void Ledger::Protect(const planner::LogicalOp& op, Batch& batch) {
  const Rules& rules = *rules_;
  const int ng = op.protect_groups;
  const size_t na = op.protect_functions.size();
  // Where each aggregate's contributions, persons around a percentile and persons a FILTER
  // keeps are: -1 for an aggregate that has none.
  const std::vector<int> contribution_at = HiddenColumns(
      na, op.contribution_aggregates, op.contributions_column, 2 + op.contributions_top);
  const std::vector<int> guard_at =
      HiddenColumns(na, op.percentile_aggregates, op.percentile_guard_column, 1);
  const std::vector<int> filtered_at =
      HiddenColumns(na, op.filtered_aggregates, op.filtered_persons_column, 1);
  std::vector<CellKind> kinds;
  for (const auto& fn : op.protect_functions) kinds.push_back(KindOfAggregate(fn));

  Column ids(DataType::Int64());
  ids.Reserve(batch.rows);
  std::lock_guard lock(mu_);
  for (size_t r = 0; r < batch.rows; ++r) {
    GroupFacts group;
    const Column& persons = batch.columns[op.persons_column];
    group.persons = persons.IsNull(r) ? 0 : persons.i64[r];
    if (op.cellkey_column >= 0) {
      const Column& keys = batch.columns[op.cellkey_column];
      group.has_cell_key = true;
      // The cell's definition: the aggregate's canonical text and the row's group.
      std::string where;
      for (int k = 0; k < ng; ++k) {
        const Column& g = batch.columns[k];
        where += g.IsNull(r) ? std::string("\x01") : planner::GetValue(g, r).ToString();
        where += '\x1f';
      }
      group.cell_key =
          CellKey(keys.IsNull(r) ? 0 : keys.f64[r], op.protect_key + DefinitionKey(where));
    }
    RowRecord record;
    record.protect = &op;
    for (size_t a = 0; a < na; ++a) {
      Contributions c;
      const Contributions* cp = nullptr;
      if (contribution_at[a] >= 0) {
        const int at = contribution_at[a];
        c.contributors = batch.columns[at].IsNull(r) ? 0 : batch.columns[at].i64[r];
        c.total = batch.columns[at + 1].IsNull(r) ? 0 : batch.columns[at + 1].f64[r];
        for (int i = 0; i < op.contributions_top; ++i) {
          const Column& t = batch.columns[at + 2 + i];
          if (!t.IsNull(r)) c.top.push_back(t.f64[r]);
        }
        cp = &c;
      }
      GroupFacts facts = group;
      if (guard_at[a] >= 0) {
        const Column& g = batch.columns[guard_at[a]];
        facts.persons_aside = g.IsNull(r) ? 0 : g.i64[r];
      }
      if (op.unlinked_column >= 0 && op.protect_functions[a] == "count_star") {
        // A count of records: each record without a person key counts as one of its own.
        const Column& u = batch.columns[op.unlinked_column];
        facts.persons += u.IsNull(r) ? 0 : u.i64[r];
      }
      if (filtered_at[a] >= 0) {
        // A FILTERed cell speaks only of the persons the filter keeps.
        const Column& f = batch.columns[filtered_at[a]];
        facts.persons = std::min(facts.persons, f.IsNull(r) ? int64_t{0} : f.i64[r]);
      }
      record.cells.push_back(ProtectCell(rules, kinds[a], facts, cp, batch.columns[ng + a], r));
    }
    ids.null.push_back(0);
    ids.i64.push_back(static_cast<int64_t>(rows_.size()));
    rows_.push_back(std::move(record));
  }
  batch.columns.push_back(std::move(ids));
}

}  // namespace fedgate::disclosure
