#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"

namespace fedgate::connectors {

// A table held in memory: its columns and all of its rows.
struct MemoryTable {
  std::vector<SourceColumn> columns;
  Batch rows;  // one column per entry of `columns`, of its type
};

// A source whose tables live in the gateway's memory (the metadata tables BI tools ask for:
// information_schema, system.jdbc). It evaluates nothing: its dialect is scan-only, so a
// fragment is always one whole table's columns and the gateway does the rest.
class MemoryConnector : public Connector {
 public:
  MemoryConnector(std::string name, std::map<std::string, MemoryTable> tables);

  const std::string& name() const override { return name_; }
  const sql::Dialect& dialect() const override { return sql::ScanOnlyDialect(); }
  std::vector<SourceColumn> Describe(const std::string& table) override;
  std::unique_ptr<Scan> Open(const Fragment& fragment, const QueryContext& context) override;
  Info About() override;

 private:
  std::string name_;
  std::map<std::string, MemoryTable> tables_;
};

}  // namespace fedgate::connectors
