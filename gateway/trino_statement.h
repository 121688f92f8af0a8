#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/ast.h"

namespace fedgate::gateway {

// The statements a Trino client sends besides queries (Trino's grammar, SqlBase.g4), told
// apart from queries by their first words. Queries, SHOW/DESCRIBE of tables and metadata
// SELECTs are kQuery here: the caller answers them as before.
struct TrinoStatement {
  enum class Kind {
    kQuery,
    kUse,               // USE [catalog.]schema
    kSetSession,        // SET SESSION name = value
    kResetSession,      // RESET SESSION name
    kPrepare,           // PREPARE name FROM statement
    kExecute,           // EXECUTE name [USING v, ...]
    kExecuteImmediate,  // EXECUTE IMMEDIATE 'statement' [USING v, ...]
    kDeallocate,        // DEALLOCATE PREPARE name
    kDescribeInput,     // DESCRIBE INPUT name
    kDescribeOutput,    // DESCRIBE OUTPUT name
    kShowFunctions,     // SHOW FUNCTIONS [LIKE 'pattern' [ESCAPE 'c']]
    kShowSession,       // SHOW SESSION [LIKE 'pattern' [ESCAPE 'c']]
    kShowCreateTable,   // SHOW CREATE TABLE [[catalog.]schema.]table
  };
  Kind kind = Kind::kQuery;
  std::string catalog, schema;  // kUse ("" catalog: unchanged)
  std::string name;             // the session property or prepared statement
  std::string value;            // kSetSession: the value, as a string
  std::string statement;        // kPrepare, kExecuteImmediate: the statement's text
  // kExecute, kExecuteImmediate: the USING values, constant expressions (literals, typed
  // literals, signed numbers, NULL), and each as written (for the audit record).
  std::vector<std::shared_ptr<const sql::Expr>> parameters;
  std::vector<std::string> parameter_texts;
  std::vector<std::string> table;   // kShowCreateTable: the name's parts as written
  std::optional<std::string> like;  // kShowFunctions, kShowSession
  char like_escape = '\0';
};

// Tells what `sql` is. Errors: Error(kInvalidArgument) with a line and column for a
// malformed statement of the kinds above (e.g. a USING value that is not a constant).
TrinoStatement ParseTrinoStatement(const std::string& sql);

// Trino's update type for a statement's result ("USE", "SET SESSION", ...); "" for kQuery.
std::string UpdateType(TrinoStatement::Kind kind);

// The prepared statements a client sends back in X-Trino-Prepared-Statement: comma-separated
// `urlencoded-name=urlencoded-sql` items (one header or several, joined with commas; '+' is a
// space, as Java's and Python's encoders write it). Errors: Error(kInvalidArgument).
std::map<std::string, std::string> ParsePreparedStatements(const std::string& header);

}  // namespace fedgate::gateway
