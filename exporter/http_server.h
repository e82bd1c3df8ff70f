// The HTTP side: the metrics endpoint and the status page, served by civetweb.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "exporter/listen_address.h"

class CivetServer;
class CivetHandler;

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

 private:
  std::unique_ptr<CivetHandler> metrics_;
  std::unique_ptr<CivetHandler> status_;
  ListenAddress address_;
  std::unique_ptr<CivetServer> server_;
};

}  // namespace arp
