#pragma once

#include <sql.h>
#include <sqlext.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fedgate::connectors::odbc {

// The whole SQLGetDiagRec chain of a handle as "SQLSTATE xxxxx (native n): message; ...".
std::string DiagnosticChain(SQLSMALLINT handle_type, SQLHANDLE handle);

using TextRow = std::vector<std::optional<std::string>>;

// One ODBC connection to one source through unixODBC's driver manager. Every failure throws
// Error(kSource) naming the source, the operation and the full diagnostic chain.
// Not thread-safe: one thread at a time.
class OdbcConnection {
 public:
  // `connection_string` is DSN-less (`Driver={MariaDB Unicode};Server=...`) or `DSN=name;...`.
  OdbcConnection(std::string source, const std::string& connection_string,
                 int login_timeout_seconds = 10);
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;
  ~OdbcConnection();

  // Runs a statement that returns no rows.
  void Exec(const std::string& sql);
  // Runs a query and calls `row` for each row, values as text (NULL as nullopt).
  void ForEachRow(const std::string& sql, const std::function<void(const TextRow&)>& row);
  // Runs a query and returns all rows as text. For small results.
  std::vector<TextRow> QueryText(const std::string& sql);

  // Whether the connection still reaches its server: the driver's SQL_ATTR_CONNECTION_DEAD,
  // then a `SELECT 1` round trip. Never throws.
  bool Alive();

  void SetAutocommit(bool on);
  void Commit();
  void Rollback();

  std::string DbmsName() const;
  std::string DbmsVersion() const;
  std::string DriverName() const;
  const std::string& source() const { return source_; }
  SQLHDBC handle() const { return dbc_; }

 private:
  std::string GetInfo(SQLUSMALLINT what) const;
  [[noreturn]] void Fail(SQLSMALLINT handle_type, SQLHANDLE handle, const std::string& what) const;

  std::string source_;
  SQLHDBC dbc_ = SQL_NULL_HDBC;
  bool connected_ = false;
};

}  // namespace fedgate::connectors::odbc
