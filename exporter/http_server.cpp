#include "exporter/http_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
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

}  // namespace

HttpServer::HttpServer(const ListenAddress& listen_address, const std::string& telemetry_path,
                       HttpHandlerFunction metrics, HttpHandlerFunction status_page)
    : metrics_(std::make_unique<FunctionHandler>(std::move(metrics), telemetry_path)),
      status_(std::make_unique<FunctionHandler>(std::move(status_page), "/")),
      address_(listen_address) {
  // Name, value, name, value: civetweb's option list.
  const std::vector<std::string> options = {
      "listening_ports",    listen_address.civetweb_option(),  //
      "num_threads",        "4",                               //
      "request_timeout_ms", "10000",
  };
  try {
    server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& error) {
    throw std::runtime_error("cannot listen on " + listen_address.civetweb_option() +
                             ": address in use or not an address of this host");
  }
  server_->addHandler(telemetry_path, metrics_.get());
  server_->addHandler("/", status_.get());
}

HttpServer::~HttpServer() {
  if (!server_) return;
  // close() raises the stop flag and then waits for the accept loop: knock until it is done,
  // since a knock that lands before the flag is up only serves one more request.
  std::jthread waker([this](const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      wake_accept_loop(address_);
    }
  });
  server_->close();
}

}  // namespace arp
