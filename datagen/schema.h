#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "datagen/population.h"

namespace fedgate::datagen {

enum class Provider { kGp, kAcute, kCommunity, kMentalHealth, kSocialCare };
inline constexpr Provider kAllProviders[] = {Provider::kGp, Provider::kAcute, Provider::kCommunity,
                                             Provider::kMentalHealth, Provider::kSocialCare};
std::string_view ProviderName(Provider p);

enum class ColumnType { kInt64, kInt32, kText, kDate, kTimestamp, kBool, kDecimal };

struct ColumnDef {
  std::string_view name;
  ColumnType type;
  std::string_view sql_type;  // DDL type on the provider's DBMS, as SCHEMA.md gives it
  int scale = 0;              // for kDecimal
};

// Where a generator writes a row. Values come in column order; a sink may assume the
// types match the table's ColumnDefs. Implementations: PostgreSQL binary COPY, MariaDB
// multi-row INSERT through ODBC, SQLite prepared statements.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void BeginRow() = 0;
  virtual void Null() = 0;
  virtual void Int(int64_t v) = 0;
  virtual void Text(std::string_view v) = 0;
  virtual void Date(int32_t days) = 0;
  virtual void Timestamp(int64_t micros) = 0;
  virtual void Bool(bool v) = 0;
  virtual void Decimal(int64_t unscaled, int scale) = 0;
  virtual void EndRow() = 0;

  int64_t rows() const { return rows_; }
  // Also count finished rows into `progress`, which another thread may read.
  void ReportTo(std::atomic<int64_t>* progress) { progress_ = progress; }

 protected:
  void CountRow() {
    ++rows_;
    if (progress_ != nullptr) progress_->fetch_add(1, std::memory_order_relaxed);
  }

 private:
  int64_t rows_ = 0;
  std::atomic<int64_t>* progress_ = nullptr;
};

using TableWriter = void (*)(const std::vector<Person>& people, uint64_t seed, RowSink& sink);

struct TableDef {
  Provider provider;
  std::string_view name;
  std::vector<ColumnDef> columns;
  std::string_view primary_key;
  std::vector<std::string_view> indexes;  // single-column secondary indexes
  TableWriter write;
};

// Every table of every provider, as SCHEMA.md lists them, in load order.
const std::vector<TableDef>& AllTables();

}  // namespace fedgate::datagen
