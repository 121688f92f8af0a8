#include "common/batch.h"

namespace fedgate {

namespace {

enum class Storage { kInt, kDouble, kString, kPseudonym, kInterval, kNone };

Storage StorageOf(TypeId id) {
  switch (id) {
    case TypeId::kBool:
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return Storage::kInt;
    case TypeId::kDouble:
      return Storage::kDouble;
    case TypeId::kText:
      return Storage::kString;
    case TypeId::kPseudonym:
      return Storage::kPseudonym;
    case TypeId::kInterval:
      return Storage::kInterval;
    case TypeId::kNull:
      return Storage::kNone;
  }
  return Storage::kNone;
}

}  // namespace

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
    case Storage::kInt:
      i64.reserve(n);
      break;
    case Storage::kDouble:
      f64.reserve(n);
      break;
    case Storage::kString:
      str.reserve(n);
      break;
    case Storage::kPseudonym:
      pseudo.reserve(n);
      break;
    case Storage::kInterval:
      ivl.reserve(n);
      break;
    case Storage::kNone:
      break;
  }
}

void Column::AppendNull() {
  null.push_back(1);
  switch (StorageOf(type.id)) {
    case Storage::kInt:
      i64.push_back(0);
      break;
    case Storage::kDouble:
      f64.push_back(0);
      break;
    case Storage::kString:
      str.emplace_back();
      break;
    case Storage::kPseudonym:
      pseudo.emplace_back();
      break;
    case Storage::kInterval:
      ivl.emplace_back();
      break;
    case Storage::kNone:
      break;
  }
}

void Column::AppendFrom(const Column& other, size_t row) {
  null.push_back(other.null[row]);
  switch (StorageOf(type.id)) {
    case Storage::kInt:
      i64.push_back(other.i64[row]);
      break;
    case Storage::kDouble:
      f64.push_back(other.f64[row]);
      break;
    case Storage::kString:
      str.push_back(other.str[row]);
      break;
    case Storage::kPseudonym:
      pseudo.push_back(other.pseudo[row]);
      break;
    case Storage::kInterval:
      ivl.push_back(other.ivl[row]);
      break;
    case Storage::kNone:
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
