#include "exporter/http_server.h"

#include <CivetServer.h>

#include <stdexcept>
#include <vector>

namespace arp {
namespace {

void send(mg_connection* connection, int status, const HttpResponse& response) {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            status, mg_get_response_code_text(connection, status), response.content_type.c_str(),
            response.body.size());
  mg_write(connection, response.body.data(), response.body.size());
}

class FunctionHandler : public CivetHandler {
 public:
  FunctionHandler(HttpHandlerFunction function, std::string exact_path)
      : function_(std::move(function)), exact_path_(std::move(exact_path)) {}

  bool handleGet(CivetServer* /*server*/, mg_connection* connection) override {
    const auto* request = mg_get_request_info(connection);
    if (request->local_uri == nullptr || exact_path_ != request->local_uri) {
      send(connection, 404, {"text/plain; charset=utf-8", "not found\n"});
      return true;
    }
    try {
      send(connection, 200, function_());
    } catch (const std::exception& error) {
      send(connection, 500, {"text/plain; charset=utf-8", std::string(error.what()) + "\n"});
    }
    return true;
  }

 private:
  HttpHandlerFunction function_;
  std::string exact_path_;
};

}  // namespace

std::string civetweb_listening_port(const std::string& listen_address) {
  if (!listen_address.empty() && listen_address.front() == ':') return listen_address.substr(1);
  return listen_address;
}

HttpServer::HttpServer(const std::string& listen_address, const std::string& telemetry_path,
                       HttpHandlerFunction metrics, HttpHandlerFunction status_page)
    : metrics_(std::make_unique<FunctionHandler>(std::move(metrics), telemetry_path)),
      status_(std::make_unique<FunctionHandler>(std::move(status_page), "/")) {
  const std::vector<std::string> options = {
      "listening_ports",    civetweb_listening_port(listen_address),
      "num_threads",        "4",
      "request_timeout_ms", "10000",
  };
  try {
    server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& error) {
    throw std::runtime_error("cannot listen on " + listen_address + ": " + error.what());
  }
  server_->addHandler(telemetry_path, metrics_.get());
  server_->addHandler("/", status_.get());
}

HttpServer::~HttpServer() {
  if (server_) server_->close();
}

}  // namespace arp
