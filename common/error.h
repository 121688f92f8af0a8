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

// Where in a user's text (SQL, YAML) an error is: 1-based line and column.
struct TextLocation {
  int line = 0;
  int column = 0;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Error(ErrorCode code, const std::string& message, TextLocation location)
      : std::runtime_error(message), code_(code), location_(location) {}

  ErrorCode code() const { return code_; }
  // The position in the user's text, when the error is about one (line 0 otherwise).
  const TextLocation& location() const { return location_; }

 private:
  ErrorCode code_;
  TextLocation location_;
};

// Shorthands for the common kinds.
[[noreturn]] void ThrowInvalid(const std::string& message);
[[noreturn]] void ThrowSource(std::string_view source, const std::string& message);

}  // namespace fedgate
