#include "exporter/http_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "exporter/gzip_encoding.h"

namespace arp {
namespace {

constexpr std::string_view kHealthyPath = "/-/healthy";
constexpr std::string_view kReadyPath = "/-/ready";
constexpr const char* kPlainText = "text/plain; charset=utf-8";

// HEAD gets the headers GET would, Content-Length included, and no body (RFC 9110 9.3.2).
int send(mg_connection* connection, int status, const HttpResponse& response, bool head,
         const std::string& extra_headers = "") {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
            status, mg_get_response_code_text(connection, status), response.content_type.c_str(),
            response.body.size(), extra_headers.c_str());
  if (!head) mg_write(connection, response.body.data(), response.body.size());
  return status;
}

// civetweb's C API rather than CivetServer: a CivetHandler sees only the methods it has a
// virtual for and leaves the others to civetweb's file serving, while every method must be
// answered here, most with 405.
int serve_request(mg_connection* connection, void* server) {
  return static_cast<HttpServer*>(server)->serve(connection);
}

// civetweb's accept loop polls with a fixed two-second timeout and only then sees the stop
// flag; a connection of our own wakes it at once, so shutdown takes milliseconds.
void wake_accept_loop(const ListenAddress& address) {
  const int family = address.ipv6 ? AF_INET6 : AF_INET;
  const int descriptor = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (descriptor < 0) return;
  sockaddr_in6 peer6{};
  peer6.sin6_family = AF_INET6;
  peer6.sin6_port = htons(address.port);
  sockaddr_in peer4{};
  peer4.sin_family = AF_INET;
  peer4.sin_port = htons(address.port);
  const auto host = address.local_host();
  if (address.ipv6) {
    inet_pton(AF_INET6, host.c_str(), &peer6.sin6_addr);
    connect(descriptor, reinterpret_cast<const sockaddr*>(&peer6), sizeof peer6);
  } else {
    inet_pton(AF_INET, host.c_str(), &peer4.sin_addr);
    connect(descriptor, reinterpret_cast<const sockaddr*>(&peer4), sizeof peer4);
  }
  close(descriptor);
}

// civetweb asks for an SSL_CTX at start-up (return 1: here it is, leave it alone) and again
// when it stops (1: not yours to free).
int external_ssl_context(void** ssl_context, void* user_data) {
  auto* tls = static_cast<TlsContext*>(user_data);
  if (tls == nullptr) return 0;
  if (*ssl_context == nullptr) *ssl_context = tls->civetweb_context();
  return 1;
}

}  // namespace

HttpServer::HttpServer(const ListenAddress& listen_address, const std::string& telemetry_path,
                       HttpHandlerFunction metrics, HttpHandlerFunction status_page,
                       HttpServerOptions options)
    : metrics_(std::move(metrics)),
      status_(std::move(status_page)),
      telemetry_path_(telemetry_path),
      options_(std::move(options)),
      address_(listen_address) {
  if (!options_.web_config_file.empty()) {
    if (options_.logger == nullptr) throw std::logic_error("a web config needs a logger");
    web_config_ = std::make_unique<WebConfigFile>(options_.web_config_file, *options_.logger);
    // Whether the port speaks TLS is decided here, once, as exporter-toolkit decides it.
    if (web_config_->initial()->tls)
      tls_ = std::make_unique<TlsContext>(*web_config_, *options_.logger);
    authenticator_ = std::make_unique<BasicAuthenticator>();
  }
  // With TLS the port speaks nothing else: civetweb's "s" suffix.
  const auto ports = listen_address.civetweb_option() + (tls_ ? "s" : "");
  // Name, value, name, value, null: civetweb's option list.
  std::vector<const char*> civetweb_options = {
      "listening_ports", ports.c_str(), "num_threads", "4", "request_timeout_ms", "10000", nullptr};
  mg_callbacks callbacks{};
  if (tls_) callbacks.external_ssl_ctx = external_ssl_context;
  server_.reset(mg_start(&callbacks, tls_.get(), civetweb_options.data()));
  if (!server_) {
    throw std::runtime_error("cannot listen on " + ports +
                             (tls_ ? ": address in use, not an address of this host, or civetweb "
                                     "cannot load OpenSSL"
                                   : ": address in use or not an address of this host"));
  }
  mg_set_request_handler(server_.get(), "/", serve_request, this);
}

int HttpServer::serve(mg_connection* connection) {
  const auto* request = mg_get_request_info(connection);
  const std::string_view method = request->request_method != nullptr ? request->request_method : "";
  const std::string_view path = request->local_uri != nullptr ? request->local_uri : "";
  const bool head = method == "HEAD";
  const bool health = path == kHealthyPath || path == kReadyPath;

  std::string headers;
  if (web_config_) {
    const auto config = web_config_->current();
    // Probes learn only that the process serves; everything else fails closed while the file
    // is unusable, as exporter-toolkit does.
    if (config == nullptr && !health) {
      return send(connection, 500, {kPlainText, "web config unusable, see the exporter's log\n"},
                  head);
    }
    if (config != nullptr) {
      for (const auto& [name, value] : config->headers) headers += name + ": " + value + "\r\n";
      // Health endpoints stay open, so that Kubernetes and load balancers can probe without
      // credentials: they tell only that the exporter runs and is ready.
      if (!health && !config->basic_auth_users.empty()) {
        const char* authorization = mg_get_header(connection, "Authorization");
        if (authorization == nullptr ||
            !authenticator_->allows(config->basic_auth_users, authorization)) {
          return send(connection, 401, {kPlainText, "unauthorized\n"}, head,
                      headers + "WWW-Authenticate: Basic realm=\"arp_health_exporter\"\r\n");
        }
      }
    }
  }

  const bool metrics = path == telemetry_path_;
  if (!metrics && !health && path != "/") {
    return send(connection, 404, {kPlainText, "not found\n"}, head, headers);
  }
  if (method != "GET" && !head) {
    return send(connection, 405, {kPlainText, "method not allowed\n"}, false,
                headers + "Allow: GET, HEAD\r\n");
  }
  if (path == kHealthyPath) return send(connection, 200, {kPlainText, "healthy\n"}, head, headers);
  if (path == kReadyPath) {
    if (!options_.ready || options_.ready()) {
      return send(connection, 200, {kPlainText, "ready\n"}, head, headers);
    }
    return send(connection, 503, {kPlainText, "starting: captures and netlink not up yet\n"}, head,
                headers);
  }
  try {
    if (!metrics) return send(connection, 200, status_(), head, headers);
    auto response = metrics_();
    headers += "Vary: Accept-Encoding\r\n";
    const char* accept_encoding = mg_get_header(connection, "Accept-Encoding");
    if (accept_encoding != nullptr && accepts_gzip(accept_encoding)) {
      response.body = gzip_compress(response.body);
      headers += "Content-Encoding: gzip\r\n";
    }
    return send(connection, 200, response, head, headers);
  } catch (const std::exception& error) {
    return send(connection, 500, {kPlainText, std::string(error.what()) + "\n"}, head, headers);
  }
}

void HttpServer::Stop::operator()(mg_context* context) const { mg_stop(context); }

HttpServer::~HttpServer() {
  if (!server_) return;
  // mg_stop() raises the stop flag and then waits for the accept loop: knock until it is done,
  // since a knock that lands before the flag is up only serves one more request.
  std::jthread waker([this](const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      wake_accept_loop(address_);
    }
  });
  server_.reset();
}

}  // namespace arp
