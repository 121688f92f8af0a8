#include <termios.h>
#include <unistd.h>
#include <csignal>
#include <iostream>
#include <thread>

#include "common/args.h"
#include "common/error.h"
#include "config/config.h"
#include "gateway/api.h"
#include "gateway/commands.h"
#include "gateway/http_server.h"

namespace fedgate::gateway {

namespace {

std::atomic<int> g_signal{0};
void OnSignal(int s) {
  g_signal = s;
}

}  // namespace

int ServeCommand(int argc, char** argv) {
  ArgParser args(
      "serve",
      "Serves the Trino client protocol (/v1/statement, for BI tools) and the native JSON API\n"
      "(/api/v1/..., see README) over HTTP, or HTTPS when the configuration has tls. Users log\n"
      "in with HTTP Basic (password_hash from `fedgate passwd`) or a bearer token from POST\n"
      "/api/v1/tokens. Every query runs under a DSA and is audited. SIGTERM or Ctrl-C: stop "
      "accepting, let running queries finish\n"
      "within the grace period, cancel the rest.");
  args.Option("config", "FILE", "Gateway configuration (with dsa_dir, audit_log and users)",
              std::nullopt, true)
      .Option("listen", "HOST:PORT", "Address to listen on", "127.0.0.1:8080")
      .Option("workers", "N", "Requests handled at once", "4")
      .Option("grace", "SECONDS", "How long running queries may finish on shutdown", "10")
      .Option("page-rows", "N", "Rows per page of a Trino protocol result", "1000")
      .Option("access-log", "FILE",
              "One JSON line per request (time, remote, method, target, status, bytes, ms, "
              "user); '-' for standard error, '' for none",
              "-")
      .Flag("allow-remote-http",
            "Listen beyond loopback without TLS (warns); with tls in the configuration, HTTPS "
            "may listen anywhere")
      .Flag("check", "Only load and validate the configuration, print its sources, exit");
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;
  if (args.GetFlag("check")) {
    const auto config = config::LoadConfig(args.Get("config"));
    std::cout << "gateway: " << config.sources.size() << " sources (";
    bool first = true;
    for (const auto& [name, s] : config.sources) {
      std::cout << (first ? "" : ", ") << name << " " << s.kind;
      first = false;
    }
    std::cout << "), " << config.users.size() << " users, "
              << (config.tls_certificate.empty() ? "HTTP" : "HTTPS") << ", linkage secret "
              << (config.linkage_secret.empty() ? "none" : "held") << "\n";
    return 0;
  }
  const std::string listen = args.Get("listen");
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) ThrowInvalid("--listen must be HOST:PORT, got '" + listen + "'");
  HttpServer::Options options;
  options.address = listen.substr(0, colon);
  int64_t port = std::stoll(listen.substr(colon + 1));
  if (port < 0 || port > 65535) ThrowInvalid("--listen port must be 0..65535");
  options.port = static_cast<uint16_t>(port);
  options.workers = static_cast<int>(args.GetInt("workers"));
  if (options.workers < 1 || options.workers > 256) ThrowInvalid("--workers must be 1..256");
  const bool loopback =
      options.address == "127.0.0.1" || options.address == "::1" || options.address == "localhost";
  if (options.address == "localhost") options.address = "127.0.0.1";
  auto config = config::LoadConfig(args.Get("config"));
  options.tls_certificate_file = config.tls_certificate;
  options.tls_key_file = config.tls_key;
  options.access_log = args.Get("access-log");
  const bool tls = !config.tls_certificate.empty();
  if (!loopback && !tls) {
    if (!args.GetFlag("allow-remote-http")) {
      ThrowInvalid("plain HTTP only on loopback: listening on " + options.address +
                   " would send passwords in clear; pass --allow-remote-http to do it anyway");
    }
    std::cerr << "fedgate serve: WARNING: plain HTTP on " << options.address
              << ": passwords travel in clear\n";
  }
  const int64_t page_rows = args.GetInt("page-rows");
  if (page_rows < 1 || page_rows > 1000000) ThrowInvalid("--page-rows must be 1..1000000");
  Api api(config, static_cast<size_t>(page_rows));
  HttpServer server(options, [&api](const HttpRequest& r) { return api.Handle(r); });
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  uint16_t bound = server.Start();
  std::cerr << "fedgate serve: listening on " << (tls ? "https" : "http") << "://"
            << options.address << ":" << bound << "\n";
  std::cout << "listening " << options.address << ":" << bound << std::endl;
  while (g_signal == 0) ::pause();
  std::cerr << "fedgate serve: shutting down\n";
  const int grace = static_cast<int>(args.GetInt("grace"));
  std::thread canceller([&api, grace] {
    std::this_thread::sleep_for(std::chrono::seconds(grace));
    api.CancelAll();
  });
  canceller.detach();
  server.Stop(grace);
  return 0;
}

int PasswdCommand(int argc, char** argv) {
  ArgParser args(
      "passwd",
      "Reads a password from standard input (one line; not echoed on a terminal) and prints its\n"
      "hash for a user's password_hash in the configuration.");
  if (!args.Parse(argc, argv, 2, std::cout)) return 0;
  termios old{};
  const bool tty = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::cerr << "password: ";
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (password.size() < 8) ThrowInvalid("the password must have at least 8 characters");
  std::cout << HashPassword(password) << "\n";
  return 0;
}

}  // namespace fedgate::gateway
