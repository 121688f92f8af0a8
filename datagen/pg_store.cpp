#include <chrono>

#include "common/error.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_copy_writer.h"
#include "datagen/store_internal.h"
#include "sql/dialect.h"

namespace fedgate::datagen {

namespace {

using connectors::pg::PgConnection;
using connectors::pg::PgCopyWriter;

class PgSink : public RowSink {
 public:
  PgSink(PgCopyWriter& writer, const TableDef& table) : writer_(writer), table_(table) {}
  void BeginRow() override {
    writer_.BeginRow(static_cast<int16_t>(table_.columns.size()));
    column_ = 0;
  }
  void Null() override {
    Next();
    writer_.Null();
  }
  void Int(int64_t v) override {
    if (Next().type == ColumnType::kInt32) {
      writer_.Int32(static_cast<int32_t>(v));
    } else {
      writer_.Int64(v);
    }
  }
  void Text(std::string_view v) override {
    Next();
    writer_.Text(v);
  }
  void Date(int32_t days) override {
    Next();
    writer_.Date(days);
  }
  void Timestamp(int64_t micros) override {
    Next();
    writer_.Timestamp(micros);
  }
  void Bool(bool v) override {
    Next();
    writer_.Bool(v);
  }
  void Decimal(int64_t unscaled, int scale) override {
    Next();
    writer_.Numeric(unscaled, scale);
  }
  void EndRow() override {
    if (column_ != table_.columns.size()) {
      throw Error(ErrorCode::kInternal, "generator wrote " + std::to_string(column_) +
                                            " values for " + std::string(table_.name));
    }
    CountRow();
  }

 private:
  const ColumnDef& Next() { return table_.columns.at(column_++); }
  PgCopyWriter& writer_;
  const TableDef& table_;
  size_t column_ = 0;
};

class PgStore : public ProviderStore {
 public:
  PgStore(Provider provider, const Targets& targets)
      : provider_(provider),
        conninfo_(targets.postgres),
        database_(std::string(ProviderName(provider)) + targets.db_suffix) {}

  std::string Describe() const override { return "postgresql database " + database_; }
  bool ParallelTables() const override { return true; }

  std::optional<LoadMarker> Open() override {
    {
      PgConnection admin(std::string(ProviderName(provider_)), conninfo_, "postgres");
      auto exists = admin.Query("SELECT 1 FROM pg_database WHERE datname = " +
                                sql::QuoteString(sql::PostgresDialect(), database_));
      if (exists.rows() == 0) {
        admin.Exec("CREATE DATABASE " + sql::QuoteIdentifier(sql::PostgresDialect(), database_));
      }
    }
    conn_ = Connect();
    auto has_marker = conn_->Query("SELECT to_regclass('public.fedgate_datagen') IS NOT NULL");
    if (has_marker.Get(0, 0) != "t") return std::nullopt;
    auto r = conn_->Query("SELECT seed, persons, model FROM fedgate_datagen");
    if (r.rows() != 1) return std::nullopt;
    return LoadMarker{static_cast<uint64_t>(r.GetInt(0, 0)), static_cast<uint32_t>(r.GetInt(0, 1)),
                      std::string(r.Get(0, 2))};
  }

  void Clear() override {
    std::string sql = "DROP TABLE IF EXISTS fedgate_datagen";
    for (const TableDef& t : AllTables()) {
      if (t.provider == provider_) sql += ", " + std::string(t.name);
    }
    conn_->Exec(sql);
  }

  int64_t LoadTable(const TableDef& table, const std::vector<Person>& people, uint64_t seed,
                    std::atomic<int64_t>* progress) override {
    auto conn = Connect();
    const auto& d = sql::PostgresDialect();
    conn->Exec(CreateTableSql(d, table, /*with_primary_key=*/false));
    std::string columns;
    for (const auto& c : table.columns) {
      columns += (columns.empty() ? "" : ", ") + sql::QuoteIdentifier(d, c.name);
    }
    PgCopyWriter writer(*conn, sql::QuoteIdentifier(d, table.name) + " (" + columns + ")");
    PgSink sink(writer, table);
    sink.ReportTo(progress);
    table.write(people, seed, sink);
    int64_t rows = writer.Finish();
    // Keys and indexes after the data: building them once is far cheaper than maintaining
    // them row by row.
    conn->Exec("ALTER TABLE " + sql::QuoteIdentifier(d, table.name) + " ADD PRIMARY KEY (" +
               sql::QuoteIdentifier(d, table.primary_key) + ")");
    for (const auto& sql : CreateIndexSql(d, table)) conn->Exec(sql);
    conn->Exec("ANALYZE " + sql::QuoteIdentifier(d, table.name));
    return rows;
  }

  void WriteMarker(const LoadMarker& m) override {
    conn_->Exec(
        "CREATE TABLE fedgate_datagen (seed bigint, persons bigint, model text, "
        "loaded_at timestamptz DEFAULT now())");
    conn_->Exec("INSERT INTO fedgate_datagen (seed, persons, model) VALUES (" +
                std::to_string(static_cast<int64_t>(m.seed)) + ", " + std::to_string(m.persons) +
                ", " + sql::QuoteString(sql::PostgresDialect(), m.model) + ")");
  }

  int64_t CountRows(const TableDef& table) override {
    return conn_->Query("SELECT count(*) FROM " + std::string(table.name)).GetInt(0, 0);
  }

  std::vector<IdentifierCount> CountIdentifiers(const TableDef& table) override {
    auto r = conn_->Query("SELECT nhs_number, count(*) FROM " + std::string(table.name) +
                          " GROUP BY nhs_number");
    std::vector<IdentifierCount> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back({r.IsNull(i, 0) ? std::nullopt : std::optional<std::string>(r.Get(i, 0)),
                     r.GetInt(i, 1)});
    }
    return out;
  }

 private:
  std::unique_ptr<PgConnection> Connect() const {
    auto conn =
        std::make_unique<PgConnection>(std::string(ProviderName(provider_)), conninfo_, database_);
    conn->Exec("SET client_min_messages = warning");
    return conn;
  }

  Provider provider_;
  std::string conninfo_;
  std::string database_;
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace

std::unique_ptr<ProviderStore> MakePgStore(Provider provider, const Targets& targets) {
  return std::make_unique<PgStore>(provider, targets);
}

}  // namespace fedgate::datagen
