#include "gateway/error_codes.h"

#include <gtest/gtest.h>

namespace fedgate::gateway {
namespace {

TEST(ErrorCodesTest, EveryCodeHasItsOwnRow) {
  for (int c = static_cast<int>(ErrorCode::kInvalidArgument);
       c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    const auto code = static_cast<ErrorCode>(c);
    EXPECT_EQ(MappingOf(code).code, code) << ErrorCodeName(code);
  }
  EXPECT_EQ(MappingOf(ErrorCode::kPermissionDenied).http_status, 403);
  EXPECT_EQ(MappingOf(ErrorCode::kSource).trino_type, "EXTERNAL");
  EXPECT_EQ(MappingOf(ErrorCode::kInternal).http_status, 500);
}

}  // namespace
}  // namespace fedgate::gateway
