#include "datagen/store.h"

#include "datagen/store_internal.h"

namespace fedgate::datagen {

std::unique_ptr<ProviderStore> MakeStore(Provider provider, const Targets& targets) {
  switch (provider) {
    case Provider::kGp:
    case Provider::kAcute:
    case Provider::kMentalHealth:
      return MakePgStore(provider, targets);
    case Provider::kSocialCare:
      return MakeMariaDbStore(provider, targets);
    case Provider::kCommunity:
      return MakeSqliteStore(provider, targets);
  }
  return nullptr;
}

std::string CreateTableSql(const sql::Dialect& dialect, const TableDef& table,
                           bool with_primary_key) {
  std::string sql = "CREATE TABLE " + sql::QuoteIdentifier(dialect, table.name) + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnDef& c = table.columns[i];
    sql += (i ? ", " : "") + sql::QuoteIdentifier(dialect, c.name) + " " + std::string(c.sql_type);
    if (with_primary_key && c.name == table.primary_key)
      sql += " PRIMARY KEY";
    else if (c.name == table.primary_key)
      sql += " NOT NULL";
  }
  return sql + ")";
}

std::vector<std::string> CreateIndexSql(const sql::Dialect& dialect, const TableDef& table) {
  std::vector<std::string> out;
  for (std::string_view column : table.indexes) {
    std::string name = std::string(table.name) + "_" + std::string(column) + "_idx";
    out.push_back("CREATE INDEX " + sql::QuoteIdentifier(dialect, name) + " ON " +
                  sql::QuoteIdentifier(dialect, table.name) + " (" +
                  sql::QuoteIdentifier(dialect, column) + ")");
  }
  return out;
}

}  // namespace fedgate::datagen
