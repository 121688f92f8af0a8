#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datagen/store.h"
#include "sql/dialect.h"

namespace fedgate::datagen {

std::unique_ptr<ProviderStore> MakePgStore(Provider provider, const Targets& targets);
std::unique_ptr<ProviderStore> MakeMariaDbStore(Provider provider, const Targets& targets);
std::unique_ptr<ProviderStore> MakeSqliteStore(Provider provider, const Targets& targets);

// CREATE TABLE with the column types of SCHEMA.md, optionally with the primary key inline.
std::string CreateTableSql(const sql::Dialect& dialect, const TableDef& table,
                           bool with_primary_key);
// One CREATE INDEX per secondary index, named <table>_<column>_idx.
std::vector<std::string> CreateIndexSql(const sql::Dialect& dialect, const TableDef& table);

}  // namespace fedgate::datagen
