#include "connectors/memory/memory_connector.h"

#include <algorithm>
#include <atomic>

#include "common/error.h"

namespace fedgate::connectors {
namespace {

class MemoryScan : public Scan {
 public:
  MemoryScan(const MemoryTable& table, std::vector<int> columns)
      : table_(table), columns_(std::move(columns)) {}

  bool Next(Batch& batch) override {
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    batch.columns.clear();
    batch.rows = 0;
    const size_t end = std::min(table_.rows.rows, next_ + kBatchRows);
    for (int c : columns_) {
      const Column& from = table_.rows.columns[c];
      Column& to = batch.columns.emplace_back(from.type);
      for (size_t r = next_; r < end; ++r) to.AppendFrom(from, r);
    }
    batch.rows = end - next_;
    next_ = end;
    rows_ += static_cast<int64_t>(batch.rows);
    return batch.rows > 0;
  }
  void Cancel() override { cancelled_ = true; }
  int64_t rows() const override { return rows_; }

 private:
  const MemoryTable& table_;
  std::vector<int> columns_;
  size_t next_ = 0;
  int64_t rows_ = 0;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

MemoryConnector::MemoryConnector(std::string name, std::map<std::string, MemoryTable> tables)
    : name_(std::move(name)), tables_(std::move(tables)) {}

std::vector<SourceColumn> MemoryConnector::Describe(const std::string& table) {
  auto it = tables_.find(table);
  if (it == tables_.end())
    throw Error(ErrorCode::kNotFound, "table " + name_ + "." + table + " does not exist");
  return it->second.columns;
}

std::unique_ptr<Scan> MemoryConnector::Open(const Fragment& fragment, const QueryContext&) {
  auto it = tables_.find(fragment.table);
  if (fragment.table.empty() || it == tables_.end()) {
    throw Error(
        ErrorCode::kInternal,
        "source " + name_ + " only hands over whole tables; it cannot run: " + fragment.sql);
  }
  const MemoryTable& table = it->second;
  std::vector<int> columns;
  for (const auto& name : fragment.table_columns) {
    auto c = std::find_if(table.columns.begin(), table.columns.end(),
                          [&](const SourceColumn& sc) { return sc.name == name; });
    if (c == table.columns.end())
      throw Error(ErrorCode::kInternal,
                  "table " + name_ + "." + fragment.table + " has no column " + name);
    columns.push_back(static_cast<int>(c - table.columns.begin()));
  }
  return std::make_unique<MemoryScan>(table, std::move(columns));
}

Connector::Info MemoryConnector::About() {
  return {"fedgate", "in-memory tables", FEDGATE_VERSION};
}

}  // namespace fedgate::connectors
