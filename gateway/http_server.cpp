#include "gateway/http_server.h"
#include "gateway/http_message.h"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.h"

namespace fedgate::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;

HttpRequest FromBeast(http::request<http::string_body>&& req, const std::string& remote,
                      bool secure) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // A header sent several times is one comma-separated list (RFC 9110 5.3), as Trino's
    // Java client sends X-Trino-Session and X-Trino-Prepared-Statement.
    auto [it, inserted] = request.headers.try_emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  request.body = std::move(req.body());
  request.remote = remote;
  request.secure = secure;
  return request;
}

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(Options o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        acceptor(io),
        workers(static_cast<size_t>(options.workers)) {}

  bool tls() const { return tls_context != nullptr; }

  Options options;
  Handler handler;
  net::io_context io;
  tcp::acceptor acceptor;
  net::thread_pool workers;
  std::vector<std::thread> io_threads;
  std::atomic<int> queued{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable idle;
  std::unique_ptr<ssl::context> tls_context;  // set when serving HTTPS
  FILE* access_log = nullptr;
  std::mutex access_mu;

  void LogAccess(const std::string& remote, const std::string& method, const std::string& target,
                 int status, size_t bytes, double ms, const std::string& user) {
    if (!access_log) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char time[32];
    std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &tm);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    char line[64];
    std::snprintf(line, sizeof line, "%s.%03dZ", time, static_cast<int>(millis));
    nlohmann::json j = {{"time", line},
                        {"remote", remote},
                        {"method", method},
                        {"target", target},
                        {"status", status},
                        {"bytes", bytes},
                        {"ms", std::round(ms * 10) / 10}};
    if (!user.empty()) j["user"] = user;
    // Invalid UTF-8 in a target is replaced, never allowed to break the log.
    const std::string text =
        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lock(access_mu);
    std::fwrite(text.data(), 1, text.size(), access_log);
    std::fflush(access_log);
  }

  void Accept();
};

namespace {

// One client connection, over plain TCP (Stream = beast::tcp_stream) or TLS
// (Stream = beast::ssl_stream<beast::tcp_stream>).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // Plain TCP.
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server) requires
      std::is_same_v<Stream, beast::tcp_stream> : stream_(std::move(socket)),
                                                  server_(std::move(server)) {}
  // TLS.
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server) requires(
      !std::is_same_v<Stream, beast::tcp_stream>)
      : stream_(std::move(socket), *server->tls_context), server_(std::move(server)) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Read();
    } else {
      // The handshake has the same deadline as a request: a client that stalls is dropped.
      Lowest().expires_after(std::chrono::seconds(server_->options.read_timeout_seconds));
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->Read();
                              });
    }
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  auto shared_from_this() { return std::enable_shared_from_this<Session>::shared_from_this(); }

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    Lowest().expires_after(std::chrono::seconds(server_->options.read_timeout_seconds));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout) {
      return Close();
    }
    started_ = std::chrono::steady_clock::now();
    {
      beast::error_code ignored;
      auto endpoint = Lowest().socket().remote_endpoint(ignored);
      remote_ = ignored ? "" : endpoint.address().to_string();
    }
    method_.clear();
    target_.clear();
    if (ec) {
      // Malformed or too large: answer once, then close.
      const int status = ec == http::error::body_limit     ? 413
                         : ec == http::error::header_limit ? 431
                                                           : 400;
      HttpResponse r;
      r.status = status;
      r.body = std::string("{\"error\":{\"message\":\"") +
               (status == 413   ? "request body too large"
                : status == 431 ? "request headers too large"
                                : "malformed HTTP request") +
               "\"}}";
      return Write(std::move(r), false);
    }
    auto req = parser_->release();
    const bool keep_alive = req.keep_alive();
    HttpRequest request =
        FromBeast(std::move(req), remote_, !std::is_same_v<Stream, beast::tcp_stream>);
    method_ = request.method;
    target_ = request.target.substr(0, 512);
    if (server_->stopping)
      return Write({503, "application/json", "{\"error\":{\"message\":\"shutting down\"}}", {}},
                   false);
    if (server_->queued.fetch_add(1) >= server_->options.max_queued) {
      server_->queued.fetch_sub(1);
      return Write({503,
                    "application/json",
                    "{\"error\":{\"message\":\"server busy, retry later\"}}",
                    {{"Retry-After", "1"}}},
                   keep_alive);
    }
    ++server_->in_flight;
    net::post(server_->workers,
              [self = shared_from_this(), request = std::move(request), keep_alive]() mutable {
                self->server_->queued.fetch_sub(1);
                if (self->PeerGone()) {
                  // The client hung up while the request waited (a load generator stopping, a
                  // browser tab closed): its work would be thrown away, and others wait.
                  net::post(self->stream_.get_executor(), [self] {
                    self->Close();
                    self->Done();
                  });
                  return;
                }
                HttpResponse response;
                try {
                  response = self->server_->handler(request);
                } catch (const std::exception& e) {
                  response = {500,
                              "application/json",
                              std::string("{\"error\":{\"message\":\"internal error\"}}"),
                              {}};
                  std::cerr << "fedgate serve: internal error: " << e.what() << "\n";
                }
                net::post(self->stream_.get_executor(),
                          [self, response = std::move(response), keep_alive]() mutable {
                            self->Write(std::move(response), keep_alive);
                            self->Done();
                          });
              });
  }

  // True when the peer has closed or reset the connection (checked without reading).
  bool PeerGone() {
    char c;
    const ssize_t n = ::recv(Lowest().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }

  void Done() {
    if (--server_->in_flight == 0) {
      std::lock_guard lock(server_->mu);
      server_->idle.notify_all();
    }
  }

  void Write(HttpResponse r, bool keep_alive) {
    server_->LogAccess(
        remote_, method_, target_, r.status, r.body.size(),
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
            .count(),
        r.user);
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "fedgate/" FEDGATE_VERSION);
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->insert(k, v);
    res->keep_alive(keep_alive && !server_->stopping);
    res->body() = std::move(r.body);
    res->prepare_payload();
    Lowest().expires_after(std::chrono::seconds(server_->options.read_timeout_seconds));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().socket().close(ec);
  }

  Stream stream_;
  // The request being answered, for the access log.
  std::chrono::steady_clock::time_point started_;
  std::string remote_, method_, target_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(
      net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (ec) {
          if (!self->stopping) self->Accept();
          return;
        }
        if (self->tls()) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), self)
              ->Start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), self)->Start();
        }
        self->Accept();
      });
}

HttpServer::HttpServer(Options options, Handler handler)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  Stop(0);
}

uint16_t HttpServer::Start() {
  if (impl_->options.access_log == "-") {
    impl_->access_log = stderr;
  } else if (!impl_->options.access_log.empty()) {
    impl_->access_log = std::fopen(impl_->options.access_log.c_str(), "ae");
    if (!impl_->access_log)
      throw Error(
          ErrorCode::kInvalidArgument,
          "cannot open the access log " + impl_->options.access_log + ": " + std::strerror(errno));
  }
  if (!impl_->options.tls_certificate_file.empty()) {
    // TLS 1.2 or later; the certificate file may hold the chain after the server's own.
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    beast::error_code tls_ec;
    ctx->use_certificate_chain_file(impl_->options.tls_certificate_file, tls_ec);
    if (tls_ec)
      throw Error(ErrorCode::kInvalidArgument, "cannot use the TLS certificate " +
                                                   impl_->options.tls_certificate_file + ": " +
                                                   tls_ec.message());
    ctx->use_private_key_file(impl_->options.tls_key_file, ssl::context::pem, tls_ec);
    if (tls_ec)
      throw Error(
          ErrorCode::kInvalidArgument,
          "cannot use the TLS key " + impl_->options.tls_key_file + ": " + tls_ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
      throw Error(ErrorCode::kInvalidArgument, "the TLS key " + impl_->options.tls_key_file +
                                                   " does not match the certificate " +
                                                   impl_->options.tls_certificate_file);
    impl_->tls_context = std::move(ctx);
  }
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec)
    throw Error(ErrorCode::kInvalidArgument, "bad listen address '" + impl_->options.address + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(ErrorCode::kInvalidArgument, "cannot listen on " + impl_->options.address + ":" +
                                                 std::to_string(impl_->options.port) + ": " +
                                                 ec.message());
  }
  impl_->Accept();
  for (int i = 0; i < impl_->options.io_threads; ++i)
    impl_->io_threads.emplace_back([this] { impl_->io.run(); });
  return impl_->acceptor.local_endpoint().port();
}

void HttpServer::Stop(int grace_seconds) {
  if (!impl_ || impl_->io_threads.empty()) return;
  impl_->stopping = true;
  net::post(impl_->io, [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  {
    std::unique_lock lock(impl_->mu);
    impl_->idle.wait_for(lock, std::chrono::seconds(grace_seconds),
                         [this] { return impl_->in_flight == 0; });
  }
  impl_->workers.join();
  impl_->io.stop();
  for (auto& t : impl_->io_threads) t.join();
  impl_->io_threads.clear();
  if (impl_->access_log && impl_->access_log != stderr) std::fclose(impl_->access_log);
  impl_->access_log = nullptr;
}

}  // namespace fedgate::gateway
