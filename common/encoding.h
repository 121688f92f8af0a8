#pragma once

// Bytes as text and back: the one place fedgate encodes hex and base64 (HTTP Basic, bearer
// tokens, audit hashes, pseudonyms, the warehouse's HEX() columns).

#include <optional>
#include <string>
#include <string_view>

namespace fedgate {

// Bytes as lowercase hexadecimal, two digits each.
std::string HexEncode(std::string_view bytes);
// Hexadecimal (either case) to bytes; nullopt for an odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view hex);

// Standard base64 (RFC 4648 section 4), padded.
std::string Base64Encode(std::string_view bytes);
// Standard base64, padded, to bytes; "" when malformed.
std::string Base64Decode(std::string_view text);
// URL-safe base64 (section 5: - and _), unpadded, as bearer tokens carry it.
std::string Base64UrlEncode(std::string_view bytes);
// URL-safe base64, padded or not, to bytes; "" when malformed.
std::string Base64UrlDecode(std::string_view text);

}  // namespace fedgate
