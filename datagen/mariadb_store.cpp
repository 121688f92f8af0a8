#include "common/date.h"
#include "common/error.h"
#include "connectors/odbc/odbc_connection.h"
#include "datagen/store_internal.h"

namespace fedgate::datagen {

namespace {

using connectors::odbc::OdbcConnection;

// Builds multi-row INSERT statements as text and sends one every ~1000 rows. MariaDB
// parses these quickly, and it needs nothing beyond the ODBC driver.
class InsertSink : public RowSink {
 public:
  InsertSink(OdbcConnection& conn, const TableDef& table) : conn_(conn), table_(table) {
    const auto& d = sql::MariaDbDialect();
    prefix_ = "INSERT INTO " + sql::QuoteIdentifier(d, table.name) + " (";
    for (size_t i = 0; i < table.columns.size(); ++i) {
      prefix_ += (i ? ", " : "") + sql::QuoteIdentifier(d, table.columns[i].name);
    }
    prefix_ += ") VALUES ";
  }
  void BeginRow() override {
    statement_ += pending_ ? ",(" : "(";
    column_ = 0;
  }
  void Null() override { Put("NULL"); }
  void Int(int64_t v) override { Put(std::to_string(v)); }
  void Text(std::string_view v) override { Put(sql::QuoteString(sql::MariaDbDialect(), v)); }
  void Date(int32_t days) override { Put("'" + FormatIsoDate(days) + "'"); }
  void Timestamp(int64_t micros) override { Put("'" + FormatIsoTimestamp(micros) + "'"); }
  void Bool(bool v) override { Put(v ? "1" : "0"); }
  void Decimal(int64_t unscaled, int scale) override { Put(FormatDecimal(unscaled, scale)); }
  void EndRow() override {
    statement_ += ')';
    CountRow();
    if (++pending_ >= 1000) Flush();
  }
  void Flush() {
    if (pending_ == 0) return;
    conn_.Exec(prefix_ + statement_);
    statement_.clear();
    pending_ = 0;
  }

  static std::string FormatDecimal(int64_t unscaled, int scale) {
    bool negative = unscaled < 0;
    std::string digits = std::to_string(negative ? -unscaled : unscaled);
    if (scale > 0) {
      if (digits.size() <= static_cast<size_t>(scale)) {
        digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
      }
      digits.insert(digits.size() - scale, 1, '.');
    }
    return negative ? "-" + digits : digits;
  }

 private:
  void Put(const std::string& literal) {
    if (column_++) statement_ += ',';
    statement_ += literal;
  }
  OdbcConnection& conn_;
  const TableDef& table_;
  std::string prefix_;
  std::string statement_;
  size_t column_ = 0;
  int pending_ = 0;
};

class MariaDbStore : public ProviderStore {
 public:
  MariaDbStore(Provider provider, const Targets& targets)
      : provider_(provider),
        connection_string_(targets.mariadb),
        database_(std::string(ProviderName(provider)) + targets.db_suffix) {}

  std::string Describe() const override { return "mariadb database " + database_; }
  bool ParallelTables() const override { return false; }

  std::optional<LoadMarker> Open() override {
    conn_ =
        std::make_unique<OdbcConnection>(std::string(ProviderName(provider_)), connection_string_);
    const auto& d = sql::MariaDbDialect();
    conn_->Exec("CREATE DATABASE IF NOT EXISTS " + sql::QuoteIdentifier(d, database_) +
                " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    conn_->Exec("USE " + sql::QuoteIdentifier(d, database_));
    auto exists =
        conn_->QueryText("SELECT count(*) FROM information_schema.tables WHERE table_schema = " +
                         sql::QuoteString(d, database_) + " AND table_name = 'fedgate_datagen'");
    if (exists.at(0).at(0) != "1") return std::nullopt;
    auto rows = conn_->QueryText("SELECT seed, persons, model FROM fedgate_datagen");
    if (rows.size() != 1 || !rows[0][0] || !rows[0][1] || !rows[0][2]) return std::nullopt;
    return LoadMarker{std::stoull(*rows[0][0]), static_cast<uint32_t>(std::stoul(*rows[0][1])),
                      *rows[0][2]};
  }

  void Clear() override {
    std::string sql = "DROP TABLE IF EXISTS fedgate_datagen";
    for (const TableDef& t : AllTables()) {
      if (t.provider == provider_)
        sql += ", " + sql::QuoteIdentifier(sql::MariaDbDialect(), t.name);
    }
    conn_->Exec(sql);
  }

  int64_t LoadTable(const TableDef& table, const std::vector<Person>& people, uint64_t seed,
                    std::atomic<int64_t>* progress) override {
    const auto& d = sql::MariaDbDialect();
    conn_->Exec(CreateTableSql(d, table, /*with_primary_key=*/true) +
                " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    conn_->Exec("SET unique_checks = 0");
    conn_->SetAutocommit(false);
    InsertSink sink(*conn_, table);
    sink.ReportTo(progress);
    table.write(people, seed, sink);
    sink.Flush();
    conn_->Commit();
    conn_->SetAutocommit(true);
    conn_->Exec("SET unique_checks = 1");
    for (const auto& sql : CreateIndexSql(d, table)) conn_->Exec(sql);
    conn_->Exec("ANALYZE TABLE " + sql::QuoteIdentifier(d, table.name));
    return sink.rows();
  }

  void WriteMarker(const LoadMarker& m) override {
    conn_->Exec(
        "CREATE TABLE fedgate_datagen (seed bigint unsigned, persons bigint, model text, "
        "loaded_at timestamp DEFAULT current_timestamp)");
    conn_->Exec("INSERT INTO fedgate_datagen (seed, persons, model) VALUES (" +
                std::to_string(m.seed) + ", " + std::to_string(m.persons) + ", " +
                sql::QuoteString(sql::MariaDbDialect(), m.model) + ")");
  }

  int64_t CountRows(const TableDef& table) override {
    auto rows = conn_->QueryText("SELECT count(*) FROM " +
                                 sql::QuoteIdentifier(sql::MariaDbDialect(), table.name));
    return std::stoll(*rows.at(0).at(0));
  }

  std::vector<IdentifierCount> CountIdentifiers(const TableDef& table) override {
    std::string sql = table.name == "services"
                          ? "SELECT c.nhs_number, count(*) FROM services s JOIN clients c "
                            "ON c.client_id = s.client_id GROUP BY c.nhs_number"
                          : "SELECT nhs_number, count(*) FROM " +
                                sql::QuoteIdentifier(sql::MariaDbDialect(), table.name) +
                                " GROUP BY nhs_number";
    std::vector<IdentifierCount> out;
    conn_->ForEachRow(sql, [&out](const connectors::odbc::TextRow& row) {
      out.push_back({row[0], std::stoll(*row[1])});
    });
    return out;
  }

 private:
  Provider provider_;
  std::string connection_string_;
  std::string database_;
  std::unique_ptr<OdbcConnection> conn_;
};

}  // namespace

std::unique_ptr<ProviderStore> MakeMariaDbStore(Provider provider, const Targets& targets) {
  if (targets.mariadb.empty()) {
    ThrowInvalid(std::string(ProviderName(provider)) +
                 " goes to MariaDB, but no MariaDB connection was given (--mariadb, or "
                 "FEDGATE_MARIADB_PORT from the harness)");
  }
  return std::make_unique<MariaDbStore>(provider, targets);
}

}  // namespace fedgate::datagen
