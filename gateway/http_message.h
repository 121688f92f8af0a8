#pragma once

#include <boost/beast/http.hpp>
#include <string>

#include "gateway/http_server.h"

namespace fedgate::gateway {

// A request as Beast parsed it, as the handlers see it: header names lower-cased, a header
// sent several times joined into one comma-separated list (RFC 9110 5.3).
HttpRequest FromBeast(boost::beast::http::request<boost::beast::http::string_body>&& request,
                      const std::string& remote, bool secure);

}  // namespace fedgate::gateway
