#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/odbc/odbc_connection.h"

namespace fedgate::connectors::odbc {

// A source reached through unixODBC (MariaDB/MySQL, SQLite, SQL Server, PostgreSQL through
// psqlODBC, ...). The DBMS's quirks are its sql::Dialect (data, not code). Results come in
// blocks of rows into bound column arrays (SQL_ATTR_ROW_ARRAY_SIZE), not a row at a time; a
// table with long text columns is read row by row with SQLGetData instead. Cancel and timeout
// use SQLCancel. A small pool keeps idle connections. Thread-safe.
class OdbcConnector : public Connector {
 public:
  // `connection_string`: DSN-less (`Driver={MariaDB Unicode};Server=...;`) or `DSN=name;...`.
  // No connection is made until first use.
  OdbcConnector(std::string name, std::string connection_string, const sql::Dialect& dialect,
                int max_idle = 4);

  const std::string& name() const override { return name_; }
  const sql::Dialect& dialect() const override { return dialect_; }
  // From SQLColumns. Columns of types fedgate cannot read are left out.
  std::vector<SourceColumn> Describe(const std::string& table) override;
  // Returns at once; the statement is executed by the first Next() (in the scan's own
  // thread), so the sources of a query still work in parallel.
  std::unique_ptr<Scan> Open(const Fragment& fragment, const QueryContext& context) override;
  Info About() override;

  // An idle connection that still reaches the server (one idle for more than a second is
  // checked with OdbcConnection::Alive(), so a restarted server costs no failed query), or a
  // new one.
  std::unique_ptr<OdbcConnection> Acquire();
  void Release(std::unique_ptr<OdbcConnection> conn);

 private:
  std::string name_;
  std::string connection_string_;
  const sql::Dialect& dialect_;
  size_t max_idle_;
  std::mutex mu_;
  struct Idle {
    std::unique_ptr<OdbcConnection> conn;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle_;
};

// The engine type for an ODBC SQL type (SQL_INTEGER, SQL_DECIMAL with `digits`, ...); false
// when fedgate cannot read it. Exposed for tests.
bool MapOdbcType(int sql_type, int column_size, int digits, DataType& out);

// A decimal as text ("-12.345", "1e3" is refused) as a fixed-point integer at `scale`, rounded
// half away from zero. Throws Error(kSource) on malformed text or overflow.
int64_t ParseDecimalText(std::string_view text, int scale);

}  // namespace fedgate::connectors::odbc
