#include "common/type_names.h"

#include "common/error.h"

namespace fedgate {

namespace {

// "{s}" stands for a decimal's scale. nullptr: no name in that naming.
struct Row {
  TypeId id;
  const char* fedgate;
  const char* sql;
  const char* trino;
};

constexpr Row kRows[] = {
    {TypeId::kNull, "null", nullptr, "varchar"},
    {TypeId::kBool, "boolean", "boolean", "boolean"},
    {TypeId::kInt64, "bigint", "bigint", "bigint"},
    {TypeId::kDouble, "double", "double precision", "double"},
    {TypeId::kDecimal, "decimal(18,{s})", "numeric(38, {s})", "decimal(38,{s})"},
    {TypeId::kText, "varchar", "text", "varchar"},
    {TypeId::kDate, "date", "date", "date"},
    {TypeId::kTimestamp, "timestamp", "timestamp", "timestamp(6)"},
    {TypeId::kInterval, "interval", "interval", "varchar"},
    {TypeId::kPseudonym, "pseudonym", nullptr, "varchar"},
};

static_assert(kComputedDecimalPrecision == 18 && kDeclaredDecimalPrecision == 38,
              "the decimal rows of kRows spell these precisions");

}  // namespace

std::string TypeName(const DataType& type, TypeNaming naming) {
  for (const Row& row : kRows) {
    if (row.id != type.id) continue;
    const char* name = naming == TypeNaming::kFedgate ? row.fedgate
                       : naming == TypeNaming::kSql   ? row.sql
                                                      : row.trino;
    if (name == nullptr) {
      throw Error(ErrorCode::kInternal, "no SQL type for " + std::string(row.fedgate));
    }
    std::string out = name;
    if (const auto at = out.find("{s}"); at != std::string::npos) {
      out.replace(at, 3, std::to_string(type.scale));
    }
    return out;
  }
  return "?";
}

}  // namespace fedgate
