#pragma once

// The one table of type names: what fedgate calls each type (errors, EXPLAIN), what it writes
// in a source's SQL (CAST targets, typed NULLs) and what it tells Trino clients.
//
// Decimal precision differs on purpose: fedgate computes a decimal as a 64-bit scaled
// integer, so its own name says decimal(18,s); to sources and to Trino clients it declares
// 38 digits, the widest both accept, so a source never narrows a value in a CAST fedgate
// sent and a client never sizes a column too small. (A value beyond 18 digits is an error in
// fedgate, "numeric field overflow", never a silent truncation.)

#include <string>

#include "common/types.h"

namespace fedgate {

constexpr int kComputedDecimalPrecision = 18;
constexpr int kDeclaredDecimalPrecision = 38;

enum class TypeNaming {
  kFedgate,  // DataType::ToString
  kSql,      // source SQL, every dialect (the dialects agree on these names)
  kTrino,    // Trino's type names (SHOW COLUMNS, information_schema, the protocol's columns)
};

// The name of `type` in `naming`. Throws Error(kInternal) for a type that has no name there
// (the null type and person keys in source SQL).
std::string TypeName(const DataType& type, TypeNaming naming);

// Trino's name; types Trino lacks (interval, person keys, the null type) are varchar.
inline std::string TrinoTypeName(const DataType& type) {
  return TypeName(type, TypeNaming::kTrino);
}

}  // namespace fedgate
