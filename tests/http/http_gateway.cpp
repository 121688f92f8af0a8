#include "tests/http/http_gateway.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace fedgate::testing {

const std::string kPassword = "correct horse battery";

Served::Served() {
  const auto& env = HarnessEnv::Get();
  for (const char* key : {"FEDGATE_PG_HOST", "FEDGATE_PG_PORT", "FEDGATE_PG_READER_PASSWORD"}) {
    ::setenv(key, env.Value(key).c_str(), 1);
  }
  ::setenv("FEDGATE_TEST_LINKAGE_SECRET", "http-tests-linkage-secret-51d2", 1);
  audit = (std::filesystem::temp_directory_path() /
           ("fedgate-http-audit-" + std::to_string(::getpid()) + ".log"))
              .string();
  std::filesystem::remove(audit);
  std::filesystem::remove(audit + ".head");
  ::setenv("FEDGATE_TEST_AUDIT_LOG", audit.c_str(), 1);
  config = config::LoadConfig(std::string(FEDGATE_POLICY_TEST_DIR) + "/fedgate_policy_test.yaml");
  // DSA owners' PUTs write to the DSA directory: a copy, not the source tree's.
  dsa_dir =
      (std::filesystem::temp_directory_path() / ("fedgate-http-dsas-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dsa_dir);
  std::filesystem::copy(config.dsa_dir, dsa_dir);
  config.dsa_dir = dsa_dir;
  const std::string hash = gateway::HashPassword(kPassword, 20000);
  for (auto& [name, user] : config.users) user.password_hash = hash;
  api = std::make_unique<gateway::Api>(config, /*trino_page_rows=*/4);
  gateway::HttpServer::Options options;
  options.port = 0;
  options.read_timeout_seconds = 2;
  options.max_body_bytes = 64 << 10;
  access_log = audit + ".access";
  options.access_log = access_log;
  server = std::make_unique<gateway::HttpServer>(
      options, [this](const gateway::HttpRequest& r) { return api->Handle(r); });
  port = server->Start();
}

Served::~Served() {
  server->Stop(5);
  std::filesystem::remove(audit);
  std::filesystem::remove(audit + ".head");
  std::filesystem::remove_all(dsa_dir);
  std::filesystem::remove(access_log);
}

Served& Gateway() {
  static Served s;
  return s;
}

// Runs curl; `args` are extra arguments (already shell-quoted where needed).
CurlResult Curl(const std::string& path, const std::string& args) {
  std::string body_file =
      (std::filesystem::temp_directory_path() /
       ("fedgate-curl-" + std::to_string(::getpid()) + "-" +
        std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()))))
          .string();
  std::string cmd = "curl -s -o '" + body_file + "' -w '%{http_code}' " + args +
                    " 'http://127.0.0.1:" + std::to_string(Gateway().port) + path + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 256> buf{};
  while (p && std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  if (p) ::pclose(p);
  CurlResult r;
  r.status = out.empty() ? 0 : std::atoi(out.c_str());
  std::ifstream in(body_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.body = ss.str();
  std::filesystem::remove(body_file);
  return r;
}

std::string Auth(const std::string& user, const std::string& password) {
  return "-u '" + user + ":" + password + "'";
}

std::string QueryBody(const std::string& sql, const std::string& dsa, const std::string& purpose) {
  nlohmann::json j = {{"sql", sql}, {"dsa", dsa}, {"purpose", purpose}};
  std::string path = (std::filesystem::temp_directory_path() /
                      ("fedgate-body-" + std::to_string(::getpid()) + "-" +
                       std::to_string(std::hash<std::string>{}(sql))))
                         .string();
  std::ofstream(path) << j.dump();
  return "-H 'Content-Type: application/json' --data-binary @'" + path + "'";
}

// Sends raw bytes and returns what comes back before the server closes (or 3 s pass).
std::string Raw(const std::string& bytes, int linger_ms, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port ? port : Gateway().port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (!bytes.empty()) (void)!::write(fd, bytes.data(), bytes.size());
  if (linger_ms) std::this_thread::sleep_for(std::chrono::milliseconds(linger_ms));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}
}  // namespace fedgate::testing
