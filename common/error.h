#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace fedgate {

// The few kinds of failure fedgate distinguishes. Each maps to one HTTP status and one
// Trino errorType where errors leave the gateway; inside, code throws Error and catches it
// in one place per request or thread.
enum class ErrorCode {
  kInvalidArgument,    // a user's mistake in options, SQL, or a file (USER_ERROR)
  kNotFound,           // an unknown table, column, source, file (USER_ERROR)
  kPermissionDenied,   // refused by policy (USER_ERROR)
  kSource,             // a data source or its driver failed (EXTERNAL)
  kResourceExhausted,  // memory budget, limits (INSUFFICIENT_RESOURCES)
  kCancelled,          // cancelled by the user or a timeout (USER_ERROR)
  kInternal,           // a bug in fedgate (INTERNAL_ERROR)
};

std::string_view ErrorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Shorthands for the common kinds.
[[noreturn]] void ThrowInvalid(const std::string& message);
[[noreturn]] void ThrowSource(std::string_view source, const std::string& message);

}  // namespace fedgate
