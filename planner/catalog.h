#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/types.h"
#include "config/config.h"
#include "connectors/connector.h"

namespace fedgate::planner {

inline constexpr const char* kPersonColumn = "person_id";

struct CatalogColumn {
  std::string name;           // as exposed: person_id for the identifier
  DataType type;              // kPseudonym for person_id
  std::string source_column;  // as the source names it (nhs_number for person_id)
  bool person = false;
};

struct CatalogTable {
  std::string source;
  std::string name;
  std::vector<CatalogColumn> columns;
  int person_column = -1;  // index of person_id, -1 when the table has no identifier
  // The identifier comes from another table of the source, joined on a shared key (see
  // TableConfig::through_table); "" when it is in this table.
  std::string through_table;
  std::string through_key;

  int Find(const std::string& column) const;
  std::string QualifiedName() const { return source + "." + name; }
};

// The sources and tables of a configuration, as fedgate exposes them: `source.table`, with
// the configured identifier column replaced by person_id (a pseudonym) and every other
// column typed from the source's own description. Descriptions are fetched on first use and
// cached. Thread-safe.
class Catalog {
 public:
  // Connectors are built from `config` but connect only when first used.
  explicit Catalog(const config::GatewayConfig& config);
  // For tests: connectors given directly.
  Catalog(const config::GatewayConfig& config,
          std::map<std::string, std::unique_ptr<connectors::Connector>> connectors);

  // Throws Error(kNotFound) naming what exists when the source or table is unknown, and
  // Error(kSource) when the source cannot describe it.
  const CatalogTable& Table(const std::string& source, const std::string& table);
  connectors::Connector& ConnectorFor(const std::string& source);
  bool HasSource(const std::string& source) const { return config_.sources.count(source) > 0; }
  std::vector<std::string> SourceNames() const;
  std::vector<std::string> TableNames(const std::string& source) const;
  const config::GatewayConfig& config() const { return config_; }

 private:
  config::GatewayConfig config_;
  std::map<std::string, std::unique_ptr<connectors::Connector>> connectors_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<CatalogTable>> tables_;
};

}  // namespace fedgate::planner
