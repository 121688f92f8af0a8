#include "gateway/error_codes.h"

namespace fedgate::gateway {

namespace {

// kInvalidArgument is a generic user error; trino.cpp names a syntax error SYNTAX_ERROR (1).
constexpr ErrorMapping kMappings[] = {
    {ErrorCode::kInvalidArgument, 400, "GENERIC_USER_ERROR", 0, "USER_ERROR"},
    {ErrorCode::kNotFound, 400, "TABLE_NOT_FOUND", 46, "USER_ERROR"},
    {ErrorCode::kPermissionDenied, 403, "PERMISSION_DENIED", 4, "USER_ERROR"},
    {ErrorCode::kSource, 502, "REMOTE_TASK_ERROR", 65542, "EXTERNAL"},
    {ErrorCode::kResourceExhausted, 503, "EXCEEDED_LOCAL_MEMORY_LIMIT", 131079,
     "INSUFFICIENT_RESOURCES"},
    {ErrorCode::kCancelled, 409, "USER_CANCELED", 3, "USER_ERROR"},
    {ErrorCode::kInternal, 500, "GENERIC_INTERNAL_ERROR", 65536, "INTERNAL_ERROR"},
};

}  // namespace

const ErrorMapping& MappingOf(ErrorCode code) {
  for (const auto& m : kMappings) {
    if (m.code == code) return m;
  }
  return kMappings[sizeof kMappings / sizeof kMappings[0] - 1];  // kInternal
}

}  // namespace fedgate::gateway
