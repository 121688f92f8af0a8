#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fedgate::gateway {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path and query string
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;   // peer address
  bool secure = false;  // arrived over TLS
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int s, std::string type, std::string b,
               std::vector<std::pair<std::string, std::string>> h = {})
      : status(s), content_type(std::move(type)), body(std::move(b)), headers(std::move(h)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user;  // the authenticated user, for the access log (not sent)
};

// The HTTP server: a fixed pool of I/O threads (Boost.Beast, asynchronous) reads and writes;
// requests are handled on a separate bounded pool of workers, so a slow query never blocks
// I/O and a flood of requests gets 503 instead of an unbounded queue. Limits on header and
// body size and on how long a client may take to send a request; malformed requests get 400
// and the connection is closed. Stop() stops accepting, lets running requests finish within
// a grace period, then closes everything. HTTPS (TLS 1.2+) when a certificate and key are given.
class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8080;  // 0: any free port (see Start's result)
    int io_threads = 2;
    int workers = 4;
    int max_queued = 64;  // requests waiting for a worker
    size_t max_body_bytes = 1 << 20;
    size_t max_header_bytes = 16 << 10;
    int read_timeout_seconds = 30;  // to receive a whole request (and finish a TLS handshake)
    // HTTPS when both are set: PEM certificate (chain) and private key files.
    std::string tls_certificate_file;
    std::string tls_key_file;
    // One JSON line per request (time, remote, method, target, status, bytes, ms, user):
    // a file appended to, "-" for standard error, "" for none.
    std::string access_log;
  };
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  HttpServer(Options options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; returns the port. Throws Error(kInvalidArgument) when the
  // address cannot be bound.
  uint16_t Start();
  void Stop(int grace_seconds = 10);

  struct Impl;  // shared with the connections it serves

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace fedgate::gateway
