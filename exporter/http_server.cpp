#include "exporter/http_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

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


// civetweb's accept loop polls with a fixed two-second timeout and only then sees the stop
// flag; a connection of our own wakes it at once, so shutdown takes milliseconds.
void wake_accept_loop(const ListenAddress& address) {
  const int family = address.ipv6 ? AF_INET6 : AF_INET;
  const int descriptor = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (descriptor < 0) return;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (address.ipv6) {
    sockaddr_in6 peer{};
    peer.sin6_family = AF_INET6;
    peer.sin6_port = htons(address.port);
    inet_pton(AF_INET6, address.local_host().c_str(), &peer.sin6_addr);
    std::memcpy(&storage, &peer, sizeof peer);
    length = sizeof peer;
  } else {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_port = htons(address.port);
    inet_pton(AF_INET, address.local_host().c_str(), &peer.sin_addr);
    std::memcpy(&storage, &peer, sizeof peer);
    length = sizeof peer;
  }
  connect(descriptor, reinterpret_cast<const sockaddr*>(&storage), length);
  close(descriptor);
}

}  // namespace

HttpServer::HttpServer(const ListenAddress& listen_address, const std::string& telemetry_path,
                       HttpHandlerFunction metrics, HttpHandlerFunction status_page)
    : metrics_(std::make_unique<FunctionHandler>(std::move(metrics), telemetry_path)),
      status_(std::make_unique<FunctionHandler>(std::move(status_page), "/")) {
  const std::vector<std::string> options = {
      "listening_ports",    listen_address.civetweb_option(),
      "num_threads",        "4",
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
  std::jthread waker([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let close() raise its flag
    wake_accept_loop(address_);
  });
  server_->close();
}

}  // namespace arp
