#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/postgres/pg_connection.h"

namespace fedgate::connectors::pg {

// A PostgreSQL source through libpq: results in binary format, streamed in single-row mode
// into batches of kBatchRows, cancellation with PQcancel, a small pool of idle connections.
class PostgresConnector : public Connector {
 public:
  // `conninfo` is a libpq connection string naming the provider's database and a read-only
  // user. No connection is made until first use.
  PostgresConnector(std::string name, std::string conninfo, int max_idle = 4);
  ~PostgresConnector() override;

  const std::string& name() const override { return name_; }
  const sql::Dialect& dialect() const override { return sql::PostgresDialect(); }
  std::vector<SourceColumn> Describe(const std::string& table) override;
  std::unique_ptr<Scan> Open(const Fragment& fragment, const QueryContext& context) override;
  Info About() override;

  // Pool: a connection to use now, and its return when the caller is done with it cleanly.
  std::unique_ptr<PgConnection> Acquire();
  void Release(std::unique_ptr<PgConnection> conn);

 private:
  std::string name_;
  std::string conninfo_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

// Maps a type as information_schema spells it to an engine type; nullopt when fedgate has no
// mapping (the column is then not exposed).
std::optional<DataType> MapPostgresType(const std::string& data_type, int numeric_scale);

}  // namespace fedgate::connectors::pg
