// The HTTP side: the metrics endpoint and the status page, served by civetweb.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "exporter/listen_address.h"

struct mg_context;

namespace arp {

struct HttpResponse {
  std::string content_type;
  std::string body;
};

using HttpHandlerFunction = std::function<HttpResponse()>;

class HttpServer {
 public:
  // Throws std::runtime_error with one line when the address cannot be bound (taken, or not
  // an address of this host).
  HttpServer(const ListenAddress& listen_address, const std::string& telemetry_path,
             HttpHandlerFunction metrics, HttpHandlerFunction status_page);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // One path, answered for GET and HEAD (same status and headers, no body); any other method
  // gets 405, any other path under it 404.
  struct Route {
    HttpHandlerFunction function;
    std::string exact_path;
  };

 private:
  // Addresses handed to civetweb: they stay put, as the server does.
  Route metrics_;
  Route status_;
  ListenAddress address_;
  struct Stop {
    void operator()(mg_context* context) const;
  };
  std::unique_ptr<mg_context, Stop> server_;
};

}  // namespace arp
