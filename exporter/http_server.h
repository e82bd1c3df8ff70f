// The HTTP side: the metrics endpoint, the status page and the health endpoints, served by
// civetweb; TLS, basic auth and response headers from --web.config.file.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "collectors/logger.h"
#include "exporter/basic_auth.h"
#include "exporter/listen_address.h"
#include "exporter/tls_context.h"
#include "exporter/web_config_file.h"

struct mg_context;
struct mg_connection;

namespace arp {

struct HttpResponse {
  std::string content_type;
  std::string body;
};

using HttpHandlerFunction = std::function<HttpResponse()>;

struct HttpServerOptions {
  std::string web_config_file;  // "" for plain HTTP, no authentication
  // /-/ready answers 200 once this says so (captures and netlink up), 503 before; unset: ready.
  std::function<bool()> ready;
  Logger* logger = nullptr;  // needed with a web config
};

class HttpServer {
 public:
  // Throws WebConfigError with one line for an unusable web config (unreadable, unknown key, a
  // certificate or key that cannot be used), std::runtime_error with one line when the address
  // cannot be bound (taken, or not an address of this host).
  HttpServer(const ListenAddress& listen_address, const std::string& telemetry_path,
             HttpHandlerFunction metrics, HttpHandlerFunction status_page,
             HttpServerOptions options = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Every request, on civetweb's worker threads.
  int serve(mg_connection* connection);

 private:
  HttpHandlerFunction metrics_;
  HttpHandlerFunction status_;
  std::string telemetry_path_;
  HttpServerOptions options_;
  ListenAddress address_;
  std::unique_ptr<WebConfigFile> web_config_;
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<BasicAuthenticator> authenticator_;
  struct Stop {
    void operator()(mg_context* context) const;
  };
  std::unique_ptr<mg_context, Stop> server_;  // last: stopped before what its workers use
};

}  // namespace arp
