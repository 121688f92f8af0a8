#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/batch.h"
#include "common/error.h"
#include "gateway/http_server.h"

namespace fedgate::gateway {

// Shared by the native API's handlers.
HttpResponse Json(int status, const nlohmann::json& j);
// {"error": {"message", "code", "location"?}} with the HTTP status for the error's code.
HttpResponse ErrorResponse(const Error& e);
HttpResponse ApiError(int status, const std::string& code, const std::string& message);
// One result cell as JSON: numbers and booleans as themselves, NULL as null, everything else
// (decimals included, to keep their exact digits; pseudonyms as hex) as its text.
nlohmann::json CellToJson(const Column& column, size_t row);
// A request's JSON body, or nullopt with `bad` set to the 400 (BAD_JSON) naming the parse error.
std::optional<nlohmann::json> JsonBody(const HttpRequest& request, HttpResponse& bad);
// The text field `key` of a JSON object; nullopt when `body` is not an object or the field
// is missing or not text.
std::optional<std::string> TextField(const nlohmann::json& body, const char* key);
// The decoded parameters of a request target's query string (?a=1&b=x%20y).
std::map<std::string, std::string> QueryParams(const std::string& target);

}  // namespace fedgate::gateway
