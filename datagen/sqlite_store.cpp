#include <sqlite3.h>

#include <cstdio>
#include <filesystem>

#include "common/date.h"
#include "common/error.h"
#include "datagen/store_internal.h"

namespace fedgate::datagen {

namespace {

// Owns a sqlite3 handle; every failure names the provider and carries SQLite's message.
class SqliteDb {
 public:
  SqliteDb(std::string source, const std::string& path, int flags) : source_(std::move(source)) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      ThrowSource(source_, "cannot open SQLite database " + path + ": " + message);
    }
  }
  ~SqliteDb() { sqlite3_close(db_); }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      ThrowSource(source_, message + " (in: " + sql.substr(0, 200) + ")");
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) Fail(sql);
    return stmt;
  }
  [[noreturn]] void Fail(const std::string& what) {
    ThrowSource(source_, std::string(sqlite3_errmsg(db_)) + " (in: " + what.substr(0, 200) + ")");
  }
  sqlite3* raw() const { return db_; }

 private:
  std::string source_;
  sqlite3* db_ = nullptr;
};

using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

class BindSink : public RowSink {
 public:
  BindSink(SqliteDb& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void BeginRow() override { column_ = 0; }
  void Null() override { sqlite3_bind_null(stmt_, ++column_); }
  void Int(int64_t v) override { sqlite3_bind_int64(stmt_, ++column_, v); }
  void Text(std::string_view v) override {
    sqlite3_bind_text(stmt_, ++column_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Date(int32_t days) override { Text(FormatIsoDate(days)); }
  void Timestamp(int64_t micros) override { Text(FormatIsoTimestamp(micros)); }
  void Bool(bool v) override { sqlite3_bind_int(stmt_, ++column_, v ? 1 : 0); }
  void Decimal(int64_t unscaled, int scale) override {
    double divisor = 1;
    for (int i = 0; i < scale; ++i) divisor *= 10;
    sqlite3_bind_double(stmt_, ++column_, static_cast<double>(unscaled) / divisor);
  }
  void EndRow() override {
    if (sqlite3_step(stmt_) != SQLITE_DONE) db_.Fail("INSERT");
    sqlite3_reset(stmt_);
    CountRow();
  }

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_;
  int column_ = 0;
};

// Writes into <dir>/<name>.db.loading and renames it over <name>.db once the marker is in,
// so a reader never sees a half-loaded file.
class SqliteStore : public ProviderStore {
 public:
  SqliteStore(Provider provider, const Targets& targets)
      : provider_(provider),
        path_(std::filesystem::path(targets.sqlite_dir) /
              (std::string(ProviderName(provider)) + targets.db_suffix + ".db")) {}

  std::string Describe() const override { return "sqlite file " + path_.string(); }
  bool ParallelTables() const override { return false; }

  std::optional<LoadMarker> Open() override {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) {
      ThrowSource(ProviderName(provider_),
                  "cannot create " + path_.parent_path().string() + ": " + ec.message());
    }
    if (!std::filesystem::exists(path_)) return std::nullopt;
    SqliteDb db(Source(), path_.string(), SQLITE_OPEN_READONLY);
    Statement stmt(db.Prepare("SELECT name FROM sqlite_master WHERE name = 'fedgate_datagen'"),
                   &sqlite3_finalize);
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) return std::nullopt;
    Statement marker(db.Prepare("SELECT seed, persons, model FROM fedgate_datagen"),
                     &sqlite3_finalize);
    if (sqlite3_step(marker.get()) != SQLITE_ROW) return std::nullopt;
    return LoadMarker{static_cast<uint64_t>(sqlite3_column_int64(marker.get(), 0)),
                      static_cast<uint32_t>(sqlite3_column_int64(marker.get(), 1)),
                      reinterpret_cast<const char*>(sqlite3_column_text(marker.get(), 2))};
  }

  void Clear() override {
    loading_.reset();
    std::filesystem::remove(LoadingPath());
  }

  int64_t LoadTable(const TableDef& table, const std::vector<Person>& people, uint64_t seed,
                    std::atomic<int64_t>* progress) override {
    SqliteDb& db = Loading();
    const auto& d = sql::SqliteDialect();
    db.Exec(CreateTableSql(d, table, /*with_primary_key=*/true));
    std::string sql = "INSERT INTO " + sql::QuoteIdentifier(d, table.name) + " VALUES (";
    for (size_t i = 0; i < table.columns.size(); ++i) sql += i ? ",?" : "?";
    db.Exec("BEGIN");
    Statement stmt(db.Prepare(sql + ")"), &sqlite3_finalize);
    BindSink sink(db, stmt.get());
    sink.ReportTo(progress);
    table.write(people, seed, sink);
    db.Exec("COMMIT");
    for (const auto& index : CreateIndexSql(d, table)) db.Exec(index);
    return sink.rows();
  }

  void WriteMarker(const LoadMarker& m) override {
    SqliteDb& db = Loading();
    db.Exec(
        "CREATE TABLE fedgate_datagen (seed integer, persons integer, model text, "
        "loaded_at text DEFAULT CURRENT_TIMESTAMP)");
    db.Exec("INSERT INTO fedgate_datagen (seed, persons, model) VALUES (" +
            std::to_string(static_cast<int64_t>(m.seed)) + ", " + std::to_string(m.persons) + ", " +
            sql::QuoteString(sql::SqliteDialect(), m.model) + ")");
    db.Exec("ANALYZE");
    loading_.reset();
    std::error_code ec;
    std::filesystem::rename(LoadingPath(), path_, ec);
    if (ec)
      ThrowSource(ProviderName(provider_),
                  "cannot move the loaded file into place: " + ec.message());
  }

  int64_t CountRows(const TableDef& table) override {
    SqliteDb db(Source(), path_.string(), SQLITE_OPEN_READONLY);
    Statement stmt(db.Prepare("SELECT count(*) FROM " +
                              sql::QuoteIdentifier(sql::SqliteDialect(), table.name)),
                   &sqlite3_finalize);
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) db.Fail("count");
    return sqlite3_column_int64(stmt.get(), 0);
  }

  std::vector<IdentifierCount> CountIdentifiers(const TableDef& table) override {
    SqliteDb db(Source(), path_.string(), SQLITE_OPEN_READONLY);
    Statement stmt(
        db.Prepare("SELECT nhs_number, count(*) FROM " +
                   sql::QuoteIdentifier(sql::SqliteDialect(), table.name) + " GROUP BY nhs_number"),
        &sqlite3_finalize);
    std::vector<IdentifierCount> out;
    while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
      std::optional<std::string> raw;
      if (sqlite3_column_type(stmt.get(), 0) != SQLITE_NULL) {
        raw = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
      }
      out.push_back({raw, sqlite3_column_int64(stmt.get(), 1)});
    }
    return out;
  }

 private:
  std::string Source() const { return std::string(ProviderName(provider_)); }
  std::filesystem::path LoadingPath() const { return path_.string() + ".loading"; }
  SqliteDb& Loading() {
    if (!loading_) {
      loading_ = std::make_unique<SqliteDb>(Source(), LoadingPath().string(),
                                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      loading_->Exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF");
    }
    return *loading_;
  }

  Provider provider_;
  std::filesystem::path path_;
  std::unique_ptr<SqliteDb> loading_;
};

}  // namespace

std::unique_ptr<ProviderStore> MakeSqliteStore(Provider provider, const Targets& targets) {
  if (targets.sqlite_dir.empty()) {
    ThrowInvalid(std::string(ProviderName(provider)) +
                 " goes to SQLite, but no directory was given (--sqlite-dir, or "
                 "FEDGATE_SQLITE_DIR from the harness)");
  }
  return std::make_unique<SqliteStore>(provider, targets);
}

}  // namespace fedgate::datagen
