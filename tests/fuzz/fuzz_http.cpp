// HTTP requests from anyone who can reach the gateway: raw bytes -> Beast's parser with the
// server's limits -> the request as the handlers see it -> the JSON API and Trino routing
// (authentication, Basic and Bearer, headers, bodies, sessions, prepared statements). Runs
// against the fixed catalog (nothing connects) and a copy of tests/policy/dsas, with users
// ana (analyst) and olive (DSA owner), password "pw".

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/error.h"
#include "gateway/api.h"
#include "gateway/http_message.h"
#include "tests/fuzz/fuzz_catalog.h"

namespace {

namespace fs = std::filesystem;
using namespace fedgate;

struct World {
  World() {
    dir = fs::temp_directory_path() / ("fedgate-fuzz-http-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "dsas");
    for (const auto& e : fs::directory_iterator(FEDGATE_FUZZ_DSA_DIR)) {
      if (e.path().extension() == ".yaml")
        fs::copy_file(e.path(), dir / "dsas" / e.path().filename());
    }
    config = fuzz::FuzzConfig();
    config.dsa_dir = (dir / "dsas").string();
    const std::string hash = gateway::HashPassword("pw", 1);  // cheap: fuzzing, not security
    config.users["ana"] = {"analyst", "symphony-pmo", hash, "cost-analysis"};
    config.users["olive"] = {"dsa-owner", "somerset-icb", hash, ""};
    Renew();
  }
  ~World() { fs::remove_all(dir); }
  // A new API (and audit log) now and then, so the log does not grow without bound.
  void Renew() {
    api.reset();
    fs::remove(dir / "audit.log");
    fs::remove(dir / "audit.log.head");
    config.audit_log = (dir / "audit.log").string();
    api = std::make_unique<gateway::Api>(config, fuzz::FuzzCatalog(config), 5);
    runs = 0;
  }
  fs::path dir;
  config::GatewayConfig config;
  std::unique_ptr<gateway::Api> api;
  int runs = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = boost::beast::http;
  static World world;
  if (++world.runs > 2000) world.Renew();
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(1 << 20);  // the server's defaults (HttpServer::Options)
  parser.header_limit(16 << 10);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < size && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (ec == http::error::need_more) {
      ec = {};
      if (n == 0) break;
    }
    if (ec) return 0;
    used += n;
    if (n == 0) break;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  try {
    gateway::HttpRequest request = gateway::FromBeast(parser.release(), "127.0.0.1", false);
    world.api->Handle(request);
  } catch (const Error&) {
    // Handle answers errors as responses; one escaping is a bug only if it is not an Error.
  }
  return 0;
}
