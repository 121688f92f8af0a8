#pragma once

#include <string>
#include <string_view>

namespace fedgate::gateway {

// application/x-www-form-urlencoded, as Java's URLEncoder and Python's quote_plus write it:
// letters, digits and ".-*_" as they are, space as '+', every other byte as %XX. Used for query
// strings (/api/v1/...?dsa=) and for the Trino headers that carry names, values and SQL.
std::string UrlEncode(std::string_view s);

// What a '%' not followed by two hex digits means: an error, or itself.
enum class BadEscape { kThrow, kKeep };

// Undoes UrlEncode ('+' is a space). Errors (kThrow): Error(kInvalidArgument) naming the
// bad escape.
std::string UrlDecode(std::string_view s, BadEscape bad = BadEscape::kThrow);

}  // namespace fedgate::gateway
