#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/pseudonymiser.h"
#include "common/types.h"
#include "sql/dialect.h"

namespace fedgate::connectors {

// A column as the source describes it, mapped to an engine type.
struct SourceColumn {
  std::string name;
  DataType type;
  std::string source_type;  // as the source spells it, e.g. "numeric(10,2)"
};

// What the gateway asks one source to run: SQL in the source's dialect and the columns it
// returns, in order. A column marked `identifier` carries the source's raw identifier (an
// NHS number, already normalised by the SQL where the dialect can): the connector turns it
// into a pseudonym before the batch leaves the connector, so nothing downstream ever sees
// an NHS number.
struct Fragment {
  struct Column {
    std::string name;
    DataType type;  // the engine type delivered (kPseudonym for identifiers)
    bool identifier = false;
  };
  std::string source;
  std::string sql;
  std::vector<Column> columns;
  // For a fragment that reads one table as it is (no filter, join or computation): the
  // table and, per column, the source's name for it. Empty otherwise.
  std::string table;
  std::vector<std::string> table_columns;
  // For a connector that takes structured fragments (an agent): the logical subtree as a
  // Thrift-serialised agent::wire::Fragment (connectors/agent/fedgate_agent.thrift). `sql` is
  // then only the gateway's preview of what the agent will render.
  std::string structured;
};

// The per-query context a scan runs under.
struct QueryContext {
  const Pseudonymiser* pseudonymiser = nullptr;  // REQUIRES non-null when any identifier column
  int timeout_seconds = 0;                       // 0: none
  // Who asks and under which DSA (an agent keys its pseudonyms by the DSA and audits both).
  std::string dsa;
  std::string user;
  std::string query_id;
};

// A running remote query. Next() is called from one thread; Cancel() may be called from any
// thread at any time, also after the scan finished, and makes a blocked or later Next() throw
// Error(kCancelled). Destroying a scan that has not reached its end cancels the remote query.
class Scan {
 public:
  virtual ~Scan() = default;
  // Replaces `batch` with the next rows (at most kBatchRows), in the fragment's column order
  // and types. Returns false at the end of the result (batch then empty). Errors throw
  // Error(kSource) naming the source.
  virtual bool Next(Batch& batch) = 0;
  virtual void Cancel() = 0;
  // Rows delivered so far.
  virtual int64_t rows() const = 0;
};

// One configured source. Thread-safe: several queries may Open scans at once.
class Connector {
 public:
  virtual ~Connector() = default;
  virtual const std::string& name() const = 0;
  virtual const sql::Dialect& dialect() const = 0;
  // The columns of `table` with engine types. Throws Error(kNotFound) for a missing table,
  // Error(kSource) when the source cannot be asked.
  virtual std::vector<SourceColumn> Describe(const std::string& table) = 0;
  // Starts running `fragment`: the query is sent no later than the scan's first Next.
  // Connectors that can send without blocking send it before Open returns (PostgreSQL's
  // PQsendQuery, the agent's request), so opening every scan of a query first starts those
  // sources at once; a connector whose driver blocks while a query runs (ODBC's
  // SQLExecDirect) sends it in the first Next, which the executor calls on the scan's own
  // thread, so those sources still work in parallel. Throws Error(kSource) when the source
  // cannot be reached; a scan that was opened must still be destroyed (which cancels it).
  virtual std::unique_ptr<Scan> Open(const Fragment& fragment, const QueryContext& context) = 0;
  // What is at the other end, for `fedgate sources check`: driver, DBMS name and version.
  // Connects; throws Error(kSource) when the source cannot be reached.
  struct Info {
    std::string driver;
    std::string dbms;
    std::string version;
  };
  virtual Info About() = 0;
  // Whether Open needs Fragment::structured (the planner fills it only then).
  virtual bool TakesStructuredFragments() const { return false; }
};

}  // namespace fedgate::connectors
