#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace fedgate {

// The engine's types. Decimals are fixed-point: an int64 of units of 10^-scale.
enum class TypeId : uint8_t {
  kNull,  // the type of an untyped NULL literal
  kBool,
  kInt64,
  kDouble,
  kDecimal,
  kText,
  kDate,       // days since 1970-01-01
  kTimestamp,  // microseconds since 1970-01-01 00:00:00, no time zone
  kInterval,
  kPseudonym,  // 16-byte person key
};

struct DataType {
  TypeId id = TypeId::kNull;
  int scale = 0;  // kDecimal only

  static DataType Null() { return {TypeId::kNull, 0}; }
  static DataType Bool() { return {TypeId::kBool, 0}; }
  static DataType Int64() { return {TypeId::kInt64, 0}; }
  static DataType Double() { return {TypeId::kDouble, 0}; }
  static DataType Decimal(int scale) { return {TypeId::kDecimal, scale}; }
  static DataType Text() { return {TypeId::kText, 0}; }
  static DataType Date() { return {TypeId::kDate, 0}; }
  static DataType Timestamp() { return {TypeId::kTimestamp, 0}; }
  static DataType Interval() { return {TypeId::kInterval, 0}; }
  static DataType Pseudonym() { return {TypeId::kPseudonym, 0}; }

  bool IsNumeric() const {
    return id == TypeId::kInt64 || id == TypeId::kDouble || id == TypeId::kDecimal;
  }
  bool operator==(const DataType&) const = default;
  // "bigint", "decimal(18,2)", "double", "text", "date", "timestamp", "pseudonym", ...
  std::string ToString() const;
};

struct Pseudonym {
  std::array<uint8_t, 16> bytes{};
  bool operator==(const Pseudonym&) const = default;
  std::string Hex() const;
};

// For hash tables keyed by pseudonym: its first 8 bytes, already uniformly distributed (HMAC
// output).
struct PseudonymHash {
  size_t operator()(const Pseudonym& p) const {
    uint64_t h;
    std::memcpy(&h, p.bytes.data(), sizeof h);
    return static_cast<size_t>(h);
  }
};

// A PostgreSQL-style interval: months, days and microseconds kept apart.
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};

int64_t Pow10(int n);

}  // namespace fedgate
