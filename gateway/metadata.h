#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/type_names.h"
#include "engine/query_engine.h"
#include "planner/catalog.h"
#include "policy/dsa.h"
#include "sql/ast.h"

namespace fedgate::gateway {

// The catalog as BI tools read it with SQL, the way Trino exposes it:
//   <dsa>.information_schema.{schemata, tables, columns, views}  (one DSA: the catalog)
//   system.jdbc.{catalogs, schemas, tables, columns, table_types, types}  (every DSA the
//   caller may use; what the Trino JDBC driver's DatabaseMetaData reads)
// Each lists only what the DSA's allowlist exposes. The tables are built for the statement
// from the DSA files and the sources' descriptions, then the statement runs on fedgate's own
// engine over them (an in-memory, scan-only source), so any SELECT works: filters, LIKE ...
// ESCAPE '\', IN, ORDER BY, joins between metadata tables.
class MetadataQuery {
 public:
  // True when the statement `sql` reads a metadata table (it must then read nothing else).
  // Parses only statements that mention information_schema or jdbc, so ordinary queries are
  // not parsed twice. Throws the parser's Error for a statement that does not parse.
  static bool ReadsMetadata(const std::string& sql);

  // `dsas`: the DSAs the caller is a recipient of; `session_dsa`: the session's catalog
  // ("" when none); `catalog`: the gateway's sources, to type the columns.
  MetadataQuery(std::vector<std::shared_ptr<const policy::Dsa>> dsas, std::string session_dsa,
                planner::Catalog& catalog);

  // Errors: Error(kInvalidArgument/kNotFound) with the statement's line and column.
  engine::QueryResult Run(const std::string& sql, const std::atomic<bool>* cancel);

 private:
  std::vector<std::shared_ptr<const policy::Dsa>> dsas_;
  std::string session_dsa_;
  planner::Catalog& catalog_;
};

// Trino's name for a type: TrinoTypeName, from common/type_names.h.

}  // namespace fedgate::gateway
