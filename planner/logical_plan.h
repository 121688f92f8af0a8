#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "planner/bound_expr.h"
#include "planner/catalog.h"

namespace fedgate::planner {

enum class OpKind {
  kGet,
  kFilter,
  kProject,
  kAggregate,
  kJoin,
  kSort,
  kLimit,
  kUnion,
  kValues,
  kRemote,
  kProtect,
  kWindow
};
enum class JoinKind { kInner, kLeft, kRight, kFull, kSemi, kAnti, kCross };

std::string_view JoinKindName(JoinKind k);

struct OutputColumn {
  std::string name;
  DataType type;
  bool hidden = false;     // carried for lineage or sorting, not returned to the user
  bool group_key = false;  // a GROUP BY key of the aggregation below (never suppressed)
};

struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;
};

// A window frame (PostgreSQL's): which rows of the partition, around the current row, a
// value-of-frame function (first_value, last_value, nth_value) or an aggregate reads. The
// default (RANGE from UNBOUNDED PRECEDING to CURRENT ROW) is the partition up to the current
// row's last peer, or the whole partition without ORDER BY.
struct WindowFrame {
  enum class Mode { kRange, kRows, kGroups };
  enum class Bound {
    kUnboundedPreceding,
    kPreceding,
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing
  };
  Mode mode = Mode::kRange;
  Bound start = Bound::kUnboundedPreceding;
  Bound end = Bound::kCurrentRow;
  // kPreceding / kFollowing: a non-negative constant (rows or groups: an integer; RANGE: of
  // the ORDER BY key's type).
  Value start_offset, end_offset;
  bool written = false;  // written in the query (else the default, not spelled out in SQL)

  std::string ToString() const;
};

// One window function of a kWindow node: `fn` is a ranking function (row_number, rank,
// dense_rank, percent_rank, cume_dist, ntile), a value function (lag, lead, first_value,
// last_value, nth_value) or an aggregate (count_star, count, sum, avg, min, max) over the
// frame; its arguments are over the node's input (planner/function/window_functions.h).
struct WindowCall {
  std::string fn;
  std::vector<BoundExprPtr> args;
  DataType type;
  WindowFrame frame;

  WindowCall Clone() const;
  std::string ToString() const;
};

struct LogicalOp;
using LogicalOpPtr = std::unique_ptr<LogicalOp>;

// One node of a logical plan. Expressions refer to the node's input by position: for a
// join, the left child's columns followed by the right child's.
//
// Person lineage, which disclosure control relies on:
//  - row-level relations list the output columns holding person pseudonyms
//    (`person_columns`), e.g. person_id of a scanned table;
//  - aggregated relations have `persons_column`, a hidden column with the number of
//    distinct persons behind each row (a lower bound when the input was already aggregated).
struct LogicalOp {
  explicit LogicalOp(OpKind k) : kind(k) {}

  OpKind kind;
  std::vector<LogicalOpPtr> children;
  std::vector<OutputColumn> columns;
  std::vector<int> person_columns;
  int persons_column = -1;

  // kGet: output column i is table column table_columns[i].
  const CatalogTable* table = nullptr;
  std::vector<int> table_columns;
  std::string alias;

  BoundExprPtr predicate;           // kFilter; kJoin: the whole ON condition
  std::vector<BoundExprPtr> exprs;  // kProject; kValues (one row of constants)

  // kAggregate: output is groups, then aggregates, then (unless per_person) persons.
  std::vector<BoundExprPtr> groups;
  std::vector<AggregateCall> aggregates;
  std::vector<BoundExprPtr> person_inputs;  // input expressions giving persons to count
  int persons_input = -1;                   // input column with an earlier persons count
  bool per_person = false;                  // a group key is a person key: output is row-level
  // A partial per-person aggregate: at a source it may group by the raw identifier (cheap)
  // instead of its normalised form, because a gateway-side final aggregate (`combines_partials`)
  // merges the groups of one person after pseudonymisation.
  bool raw_person_keys = false;
  bool combines_partials = false;
  // Distinct persons are counted only up to this many (0: all). A group's persons count is
  // only ever compared with min_persons, so the disclosure pass caps it there: a group of a
  // million persons then keeps ten pseudonyms, not a million. Not when the cell-key sum needs
  // every person's record key.
  int64_t persons_cap = 0;
  // Disclosure control needs from an output aggregate (it then runs in the gateway): the sum
  // of its persons' record keys per group (cell-key perturbation), and per-person
  // contributions to the aggregates listed in `contribution_aggregates` (dominance, p%): per
  // listed aggregate, from `contributions_column` on, hidden columns of the contributors
  // (int64), the total of their absolute contributions (double), and the
  // `contributions_top` largest contributions in descending order (double, NULL when fewer).
  int cellkey_column = -1;  // hidden double column, -1: not computed
  int contributions_column = -1;
  int contributions_top = 0;
  std::vector<int> contribution_aggregates;
  // Per ordered-set aggregate listed in `percentile_aggregates`, from `percentile_guard_column`
  // on, a hidden int64 column: the distinct persons on the thinner side of its value
  // (percentile_cont, percentile_disc: min(persons with a value at or below it, at or above);
  // mode: persons with the modal value). Rule 'percentile' reads it.
  int percentile_guard_column = -1;
  std::vector<int> percentile_aggregates;
  // Per aggregate written with FILTER listed in `filtered_aggregates`, from
  // `filtered_persons_column` on, a hidden int64 column: the distinct persons of the rows it
  // aggregates (those the filter keeps). The threshold reads it.
  int filtered_persons_column = -1;
  std::vector<int> filtered_aggregates;
  // Where the DSA counts records without a person key (`Rules::unlinked_records_count`): a
  // hidden int64 column, per group, of the rows whose (one) person key is NULL; count(*)'s
  // threshold reads persons plus these. A source can compute it (count(*) - count(key)).
  int unlinked_column = -1;

  // kProtect: disclosure control over an output aggregate (its only child), applied by the
  // ExecContext's Protector (disclosure/ledger.h). Output: the child's columns, protected,
  // then a hidden int64 `__sdc`, per row an id of the Protector's record of that row.
  // The cellkey and contributions fields above repeat the child's.
  int protect_groups = 0;                      // the child's group columns come first
  std::vector<std::string> protect_functions;  // per aggregate: its function (count, sum, ...)
  std::string protect_label;                   // the rules, for EXPLAIN
  double protect_key = 0;                      // in [0, 1): the cells' definition (cell keys)

  // kJoin
  JoinKind join = JoinKind::kInner;
  std::vector<std::pair<BoundExprPtr, BoundExprPtr>> equi;  // left side over left, right over right
  BoundExprPtr residual;                                    // over left ++ right
  bool null_aware = false;                                  // NOT IN semantics for kAnti

  // kWindow: output is the input's columns, then one column per call in `windows`, each
  // computed over the rows of the input with equal `window_partition` values, in the order
  // of `sort_keys` (peers: rows equal on every sort key).
  std::vector<BoundExprPtr> window_partition;
  std::vector<WindowCall> windows;

  std::vector<SortKey> sort_keys;  // kSort; kWindow: the window's ORDER BY
  int64_t limit = -1;              // kLimit: -1 for none
  int64_t offset = 0;

  // kRemote: a subtree pushed to one source.
  std::string source;
  connectors::Fragment fragment;
  LogicalOpPtr pushed;  // the logical subtree the fragment computes (for EXPLAIN)

  size_t VisibleCount() const;
  // The plan as an indented tree, one operator a line.
  std::string ToString(int indent = 0) const;
};

// A deep copy of a subtree (expressions included).
LogicalOpPtr CloneSubtree(const LogicalOp& op);

// Walks every node (pre-order).
void VisitPlan(const LogicalOp& op, const std::function<void(const LogicalOp&)>& fn);

}  // namespace fedgate::planner
