#pragma once

// The fixed world every fuzz target runs against: the five Somerset providers (tables and
// types from datagen's schema, SCHEMA.md) behind connectors that describe their tables but
// never connect, each with a different dialect, and mental_health taking structured
// fragments as a source agent would. Nothing here touches a network or a disk.

#include <map>
#include <memory>
#include <string>

#include "common/error.h"
#include "config/config.h"
#include "connectors/connector.h"
#include "datagen/schema.h"
#include "planner/catalog.h"
#include "sql/dialect.h"

namespace fedgate::fuzz {

inline DataType TypeOf(const datagen::ColumnDef& c) {
  switch (c.type) {
    case datagen::ColumnType::kInt64:
    case datagen::ColumnType::kInt32:
      return DataType::Int64();
    case datagen::ColumnType::kText:
      return DataType::Text();
    case datagen::ColumnType::kDate:
      return DataType::Date();
    case datagen::ColumnType::kTimestamp:
      return DataType::Timestamp();
    case datagen::ColumnType::kBool:
      return DataType::Bool();
    case datagen::ColumnType::kDecimal:
      return DataType::Decimal(c.scale);
  }
  return DataType::Text();
}

// Describes its tables; Open refuses (the fuzz targets plan, they do not run).
class FixedConnector : public connectors::Connector {
 public:
  FixedConnector(std::string name, const sql::Dialect& dialect, bool structured)
      : name_(std::move(name)), dialect_(dialect), structured_(structured) {
    for (const auto& t : datagen::AllTables()) {
      if (datagen::ProviderName(t.provider) != name_) continue;
      auto& columns = tables_[std::string(t.name)];
      for (const auto& c : t.columns)
        columns.push_back({std::string(c.name), TypeOf(c), std::string(c.sql_type)});
    }
  }
  const std::string& name() const override { return name_; }
  const sql::Dialect& dialect() const override { return dialect_; }
  std::vector<connectors::SourceColumn> Describe(const std::string& table) override {
    auto it = tables_.find(table);
    if (it == tables_.end()) throw Error(ErrorCode::kNotFound, "no table " + table);
    return it->second;
  }
  std::unique_ptr<connectors::Scan> Open(const connectors::Fragment&,
                                         const connectors::QueryContext&) override {
    throw Error(ErrorCode::kSource, name_ + ": the fuzz catalog runs nothing");
  }
  Info About() override { return {"fixed", "none", "0"}; }
  bool TakesStructuredFragments() const override { return structured_; }

 private:
  std::string name_;
  const sql::Dialect& dialect_;
  bool structured_;
  std::map<std::string, std::vector<connectors::SourceColumn>> tables_;
};

// The configuration of the fixed world: every table, person_id from nhs_number where the
// table has one (social_care.services through clients).
inline config::GatewayConfig FuzzConfig() {
  config::GatewayConfig config;
  config.path = "fuzz.yaml";
  config.dsa = "fuzz";
  config.linkage_secret = "fuzz-linkage-secret";
  config.min_persons = 10;
  for (const auto& t : datagen::AllTables()) {
    const std::string source(datagen::ProviderName(t.provider));
    auto& s = config.sources[source];
    s.name = source;
    s.kind = source == "mental_health" ? "agent" : "postgres";
    config::TableConfig table;
    table.name = std::string(t.name);
    for (const auto& c : t.columns) {
      if (c.name == "nhs_number") table.identifier = "nhs_number";
    }
    if (source == "social_care" && t.name == "services") {
      table.identifier = "nhs_number";
      table.through_table = "clients";
      table.through_key = "client_id";
    }
    s.tables[table.name] = std::move(table);
  }
  return config;
}

inline std::unique_ptr<planner::Catalog> FuzzCatalog(const config::GatewayConfig& config) {
  std::map<std::string, std::unique_ptr<connectors::Connector>> connectors;
  connectors["gp"] = std::make_unique<FixedConnector>("gp", sql::PostgresDialect(), false);
  connectors["acute"] = std::make_unique<FixedConnector>("acute", sql::SqlServerDialect(), false);
  connectors["community"] =
      std::make_unique<FixedConnector>("community", sql::SqliteDialect(), false);
  connectors["mental_health"] =
      std::make_unique<FixedConnector>("mental_health", sql::PostgresDialect(), true);
  connectors["social_care"] =
      std::make_unique<FixedConnector>("social_care", sql::MariaDbDialect(), false);
  return std::make_unique<planner::Catalog>(config, std::move(connectors));
}

}  // namespace fedgate::fuzz
