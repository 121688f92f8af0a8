#include "common/batch.h"

namespace fedgate {

ColumnStorage StorageOf(TypeId id) {
  switch (id) {
    case TypeId::kBool:
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return ColumnStorage::kInt;
    case TypeId::kDouble:
      return ColumnStorage::kDouble;
    case TypeId::kText:
      return ColumnStorage::kString;
    case TypeId::kPseudonym:
      return ColumnStorage::kPseudonym;
    case TypeId::kInterval:
      return ColumnStorage::kInterval;
    case TypeId::kNull:
      return ColumnStorage::kNone;
  }
  return ColumnStorage::kNone;
}

void Column::Clear() {
  null.clear();
  i64.clear();
  f64.clear();
  str.clear();
  pseudo.clear();
  ivl.clear();
}

void Column::Reserve(size_t n) {
  null.reserve(n);
  switch (StorageOf(type.id)) {
    case ColumnStorage::kInt:
      i64.reserve(n);
      break;
    case ColumnStorage::kDouble:
      f64.reserve(n);
      break;
    case ColumnStorage::kString:
      str.reserve(n);
      break;
    case ColumnStorage::kPseudonym:
      pseudo.reserve(n);
      break;
    case ColumnStorage::kInterval:
      ivl.reserve(n);
      break;
    case ColumnStorage::kNone:
      break;
  }
}

void Column::AppendNull() {
  null.push_back(1);
  switch (StorageOf(type.id)) {
    case ColumnStorage::kInt:
      i64.push_back(0);
      break;
    case ColumnStorage::kDouble:
      f64.push_back(0);
      break;
    case ColumnStorage::kString:
      str.emplace_back();
      break;
    case ColumnStorage::kPseudonym:
      pseudo.emplace_back();
      break;
    case ColumnStorage::kInterval:
      ivl.emplace_back();
      break;
    case ColumnStorage::kNone:
      break;
  }
}

void Column::AppendFrom(const Column& other, size_t row) {
  null.push_back(other.null[row]);
  switch (StorageOf(type.id)) {
    case ColumnStorage::kInt:
      i64.push_back(other.i64[row]);
      break;
    case ColumnStorage::kDouble:
      f64.push_back(other.f64[row]);
      break;
    case ColumnStorage::kString:
      str.push_back(other.str[row]);
      break;
    case ColumnStorage::kPseudonym:
      pseudo.push_back(other.pseudo[row]);
      break;
    case ColumnStorage::kInterval:
      ivl.push_back(other.ivl[row]);
      break;
    case ColumnStorage::kNone:
      break;
  }
}

size_t Column::MemoryBytes() const {
  size_t bytes = null.capacity() + i64.capacity() * 8 + f64.capacity() * 8 +
                 pseudo.capacity() * sizeof(Pseudonym) + ivl.capacity() * sizeof(Interval) +
                 str.capacity() * sizeof(std::string);
  for (const auto& s : str) {
    if (s.capacity() > 15) bytes += s.capacity();
  }
  return bytes;
}

}  // namespace fedgate
