#include "common/type_names.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace fedgate {
namespace {

// One table names every type three ways; the decimal precisions differ on purpose (see
// common/type_names.h) and each naming keeps the spelling its readers depend on.
TEST(TypeNames, EachNamingSpellsEveryType) {
  const DataType dec = DataType::Decimal(2);
  EXPECT_EQ(dec.ToString(), "decimal(18,2)");
  EXPECT_EQ(TypeName(dec, TypeNaming::kSql), "numeric(38, 2)");
  EXPECT_EQ(TrinoTypeName(dec), "decimal(38,2)");
  EXPECT_EQ(TypeName(DataType::Double(), TypeNaming::kSql), "double precision");
  EXPECT_EQ(TrinoTypeName(DataType::Timestamp()), "timestamp(6)");
  EXPECT_EQ(TrinoTypeName(DataType::Text()), "varchar");
  EXPECT_EQ(TypeName(DataType::Text(), TypeNaming::kSql), "text");
  EXPECT_EQ(TrinoTypeName(DataType::Interval()), "varchar");
  for (TypeId id :
       {TypeId::kNull, TypeId::kBool, TypeId::kInt64, TypeId::kDouble, TypeId::kDecimal,
        TypeId::kText, TypeId::kDate, TypeId::kTimestamp, TypeId::kInterval, TypeId::kPseudonym}) {
    DataType t;
    t.id = id;
    EXPECT_NE(t.ToString(), "?");
    EXPECT_NE(TrinoTypeName(t), "?");
  }
}

TEST(TypeNames, PersonKeysHaveNoSqlName) {
  DataType t;
  t.id = TypeId::kPseudonym;
  EXPECT_THROW(TypeName(t, TypeNaming::kSql), Error);
}

}  // namespace
}  // namespace fedgate
