// The HTTP side: the metrics endpoint and the status page, served by civetweb.
#pragma once

#include <functional>
#include <memory>
#include <string>

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
  // Throws std::runtime_error with one line when the address is bad or taken.
  HttpServer(const std::string& listen_address, const std::string& telemetry_path,
             HttpHandlerFunction metrics, HttpHandlerFunction status_page);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

 private:
  std::unique_ptr<CivetHandler> metrics_;
  std::unique_ptr<CivetHandler> status_;
  std::unique_ptr<CivetServer> server_;
};

// ":10711" -> "10711"; "127.0.0.1:10711" and "[::1]:10711" stay as they are.
std::string civetweb_listening_port(const std::string& listen_address);

}  // namespace arp
