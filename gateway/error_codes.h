#pragma once

// How each of fedgate's error codes reaches a client: the JSON API's HTTP status and the
// Trino protocol's error (name, code and type as Trino's StandardErrorCode names them).
// One table (error_codes.cpp) for both, so the two protocols cannot drift apart.

#include <string_view>

#include "common/error.h"

namespace fedgate::gateway {

struct ErrorMapping {
  ErrorCode code;
  int http_status;
  std::string_view trino_name;  // errorName
  int trino_code;               // errorCode
  std::string_view trino_type;  // errorType: USER_ERROR, INSUFFICIENT_RESOURCES, ...
};

// The row for `code` (every ErrorCode has one).
const ErrorMapping& MappingOf(ErrorCode code);

}  // namespace fedgate::gateway
