#include "planner/catalog.h"

#include <algorithm>

#include "common/error.h"
#include "connectors/factory.h"

namespace fedgate::planner {

int CatalogTable::Find(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

Catalog::Catalog(const config::GatewayConfig& config) : config_(config) {
  for (const auto& [name, source] : config_.sources) {
    if (auto connector = connectors::MakeConnector(name, source))
      connectors_[name] = std::move(connector);
  }
}

Catalog::Catalog(const config::GatewayConfig& config,
                 std::map<std::string, std::unique_ptr<connectors::Connector>> connectors)
    : config_(config), connectors_(std::move(connectors)) {}

std::vector<std::string> Catalog::SourceNames() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : config_.sources) out.push_back(name);
  return out;
}

std::vector<std::string> Catalog::TableNames(const std::string& source) const {
  std::vector<std::string> out;
  auto it = config_.sources.find(source);
  if (it == config_.sources.end()) return out;
  for (const auto& [name, t] : it->second.tables) out.push_back(name);
  return out;
}

connectors::Connector& Catalog::ConnectorFor(const std::string& source) {
  auto it = connectors_.find(source);
  if (it == connectors_.end()) {
    throw Error(ErrorCode::kNotFound, "source '" + source + "' is not configured");
  }
  return *it->second;
}

const CatalogTable& Catalog::Table(const std::string& source, const std::string& table) {
  auto s = config_.sources.find(source);
  if (s == config_.sources.end()) {
    std::string known;
    for (const auto& n : SourceNames()) known += (known.empty() ? "" : ", ") + n;
    throw Error(ErrorCode::kNotFound, "table " + source + "." + table +
                                          " does not exist: there is no source '" + source +
                                          "' (sources: " + known + ")");
  }
  auto t = s->second.tables.find(table);
  if (t == s->second.tables.end()) {
    std::string known;
    for (const auto& n : TableNames(source))
      known += (known.empty() ? "" : ", ") + source + "." + n;
    throw Error(ErrorCode::kNotFound, "table " + source + "." + table + " does not exist (" +
                                          source + " has: " + known + ")");
  }
  const std::string key = source + "." + table;
  {
    std::lock_guard lock(mu_);
    if (auto it = tables_.find(key); it != tables_.end()) return *it->second;
  }
  // Describe outside the lock: it talks to the source.
  auto described = ConnectorFor(source).Describe(table);
  auto entry = std::make_unique<CatalogTable>();
  entry->source = source;
  entry->name = table;
  const config::TableConfig& config = t->second;
  const std::string& identifier = config.identifier;
  const bool through = !config.through_table.empty();
  bool found_identifier = identifier.empty();
  bool found_key = !through;
  auto exposed = [&](const std::string& name) {
    if (config.columns.empty()) return true;
    const std::string as = name == identifier ? std::string(kPersonColumn) : name;
    return std::find(config.columns.begin(), config.columns.end(), as) != config.columns.end();
  };
  for (const auto& c : described) {
    if (!exposed(c.name)) continue;
    if (c.name == kPersonColumn && c.type.id == TypeId::kPseudonym) {
      // An agent's table: the identifier arrives already pseudonymised.
      entry->person_column = static_cast<int>(entry->columns.size());
      entry->columns.push_back({kPersonColumn, DataType::Pseudonym(), c.name, true});
      continue;
    }
    if (c.name == kPersonColumn) {
      throw Error(ErrorCode::kInvalidArgument,
                  "table " + key +
                      " has its own column person_id, which fedgate reserves for "
                      "the pseudonymised identifier");
    }
    if (c.name == identifier) {
      if (through) {
        // Exposing it as an ordinary column would pass the raw identifier on.
        throw Error(ErrorCode::kInvalidArgument,
                    "table " + key + " has its own column " + identifier +
                        ", but its identifier is configured to come through " +
                        config.through_table + "; remove one of the two");
      }
      found_identifier = true;
      entry->person_column = static_cast<int>(entry->columns.size());
      entry->columns.push_back({kPersonColumn, DataType::Pseudonym(), c.name, true});
    } else {
      if (c.name == config.through_key) found_key = true;
      entry->columns.push_back({c.name, c.type, c.name, false});
    }
  }
  if (through) {
    if (!found_key) {
      throw Error(ErrorCode::kInvalidArgument, "the key column '" + config.through_key + "' of " +
                                                   key + " (through " + config.through_table +
                                                   ") does not exist at the source");
    }
    bool other_key = false;
    for (const auto& c : ConnectorFor(source).Describe(config.through_table)) {
      if (c.name == identifier) found_identifier = true;
      if (c.name == config.through_key) other_key = true;
    }
    if (!found_identifier || !other_key) {
      throw Error(ErrorCode::kInvalidArgument,
                  "table " + key + " takes its identifier through " + config.through_table +
                      ", which has no column '" +
                      (found_identifier ? config.through_key : identifier) + "'");
    }
    entry->person_column = static_cast<int>(entry->columns.size());
    entry->columns.push_back({kPersonColumn, DataType::Pseudonym(), identifier, true});
    entry->through_table = config.through_table;
    entry->through_key = config.through_key;
  }
  if (!found_identifier) {
    throw Error(ErrorCode::kInvalidArgument, "the configured identifier column '" + identifier +
                                                 "' of " + key + " does not exist at the source");
  }
  std::lock_guard lock(mu_);
  auto [it, inserted] = tables_.emplace(key, std::move(entry));
  return *it->second;
}

}  // namespace fedgate::planner
