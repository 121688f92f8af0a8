#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedgate {

// NHS numbers: 10 digits, the last a Modulus 11 check digit over the first nine
// (weights 10..2; check = 11 - sum mod 11; 11 -> 0; 10 -> the number is invalid).

// Returns the check digit for nine digits, or nullopt when no valid number has them (10).
// REQUIRES: `nine` holds exactly 9 ASCII digits.
std::optional<int> NhsCheckDigit(std::string_view nine);

// Strips spaces and hyphens, then returns the 10-digit form if it is a valid NHS number;
// nullopt for anything else (wrong length, non-digits, failed check).
std::optional<std::string> NormaliseNhsNumber(std::string_view raw);

// True when `ten` is 10 digits with a correct check digit. No normalisation.
bool IsValidNhsNumber(std::string_view ten);

// "9434765919" -> "943 476 5919" (the 3-3-4 form hospitals print).
// REQUIRES: `ten` has 10 characters.
std::string FormatNhsNumberSpaced(std::string_view ten);

}  // namespace fedgate
