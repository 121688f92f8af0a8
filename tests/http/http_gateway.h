#pragma once

// The HTTP gateway end to end: a server in this process on a free loopback port, in front of
// the test harness's real servers (Gateway(): started on first use, for the whole test
// binary), queried with curl (a real client) and with raw sockets for what curl would
// refuse to send. Shared by the JSON API tests (http_test.cpp) and the Trino protocol tests
// (trino_http_test.cpp).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/api.h"
#include "gateway/http_server.h"
#include "tests/integration/harness_env.h"

namespace fedgate::testing {

// Every configured user's password in these tests.
extern const std::string kPassword;

struct Served {
  Served();
  ~Served();
  std::string audit;
  std::string access_log;
  std::string dsa_dir;
  config::GatewayConfig config;
  std::unique_ptr<gateway::Api> api;
  std::unique_ptr<gateway::HttpServer> server;
  uint16_t port = 0;
};

// The one gateway of this test binary, with the policy tests' configuration and DSAs (a copy
// of the DSA directory, as owners' PUTs write to it) and an audit log of its own.
Served& Gateway();

struct CurlResult {
  int status = 0;
  std::string body;
};

// Runs curl against Gateway(); `args` are extra arguments (already shell-quoted where needed).
CurlResult Curl(const std::string& path, const std::string& args);
// curl's arguments for HTTP Basic as `user`.
std::string Auth(const std::string& user, const std::string& password = kPassword);
// curl's arguments posting a JSON API query.
std::string QueryBody(const std::string& sql, const std::string& dsa = "symphony-test",
                      const std::string& purpose = "cost-analysis");
// Sends raw bytes and returns what comes back before the server closes (or 3 s pass).
std::string Raw(const std::string& bytes, int linger_ms = 0, uint16_t port = 0);

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override { FEDGATE_REQUIRE_HARNESS(); }
};

}  // namespace fedgate::testing
