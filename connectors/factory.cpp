#include "connectors/factory.h"

#include "connectors/agent/agent_connector.h"
#include "connectors/odbc/odbc_connector.h"
#include "connectors/postgres/postgres_connector.h"

namespace fedgate::connectors {

std::unique_ptr<Connector> MakeConnector(const std::string& name,
                                         const config::SourceConfig& source) {
  if (source.kind == "postgres") {
    return std::make_unique<pg::PostgresConnector>(name, source.connection, source.pool_size);
  }
  if (source.kind == "odbc") {
    return std::make_unique<odbc::OdbcConnector>(
        name, source.connection, *sql::DialectNamed(source.dialect), source.pool_size);
  }
  if (source.kind == "agent") {
    return std::make_unique<agent::AgentConnector>(
        name, source.agent_host, source.agent_port,
        agent::TlsFiles{source.tls_ca, source.tls_certificate, source.tls_key});
  }
  return nullptr;
}

}  // namespace fedgate::connectors
