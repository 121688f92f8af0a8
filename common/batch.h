#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/types.h"

namespace fedgate {

// Which of Column's value vectors a type uses.
enum class ColumnStorage { kInt, kDouble, kString, kPseudonym, kInterval, kNone };
ColumnStorage StorageOf(TypeId id);

// One column of a batch. Exactly one value vector is used, chosen by the type:
//   i64: bool (0/1), int64, decimal (unscaled), date, timestamp;  f64: double;
//   str: text;  pseudo: pseudonym;  ivl: interval.
// `null[i]` is 1 where row i is NULL (its value slot then holds a default).
struct Column {
  Column() = default;
  explicit Column(DataType t) : type(t) {}

  DataType type;
  std::vector<uint8_t> null;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<std::string> str;
  std::vector<Pseudonym> pseudo;
  std::vector<Interval> ivl;

  size_t size() const { return null.size(); }
  bool IsNull(size_t row) const { return null[row] != 0; }
  void Clear();
  void Reserve(size_t n);
  void AppendNull();
  // Appends row `row` of `other`. REQUIRES: other.type has the same physical storage.
  void AppendFrom(const Column& other, size_t row);
  // Approximate bytes held, for memory accounting.
  size_t MemoryBytes() const;
};

// Rows in columnar form; every column has `rows` entries.
struct Batch {
  std::vector<Column> columns;
  size_t rows = 0;

  void Clear() {
    for (auto& c : columns) c.Clear();
    rows = 0;
  }
};

inline constexpr size_t kBatchRows = 4096;

}  // namespace fedgate
