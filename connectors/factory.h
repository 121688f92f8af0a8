#pragma once

#include <memory>

#include "config/config.h"
#include "connectors/connector.h"

namespace fedgate::connectors {

// The connector for the source configured as `name`, by its kind: "postgres" (libpq), "odbc"
// (unixODBC, in the source's dialect) or "agent" (a source agent over mutual TLS). The
// connector connects only when first used, so building one never fails for an unreachable
// source. Returns null for a kind it does not build (config::LoadConfig accepts only these
// three; tests give other connectors, e.g. in-memory ones, to the Catalog directly).
// REQUIRES: for "odbc", a dialect sql::DialectNamed knows (LoadConfig checked it).
std::unique_ptr<Connector> MakeConnector(const std::string& name,
                                         const config::SourceConfig& source);

}  // namespace fedgate::connectors
