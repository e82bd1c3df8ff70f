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

namespace arp {
namespace {

// HEAD gets the headers GET would, Content-Length included, and no body (RFC 9110 9.3.2).
int send(mg_connection* connection, int status, const HttpResponse& response, bool head,
         const char* extra_headers = "") {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
            status, mg_get_response_code_text(connection, status), response.content_type.c_str(),
            response.body.size(), extra_headers);
  if (!head) mg_write(connection, response.body.data(), response.body.size());
  return status;
}

// civetweb's C API rather than CivetServer: a CivetHandler sees only the methods it has a
// virtual for and leaves the others to civetweb's file serving, while every method must be
// answered here, most with 405.
int serve_route(mg_connection* connection, void* route_data) {
  const auto& route = *static_cast<const HttpServer::Route*>(route_data);
  const auto* request = mg_get_request_info(connection);
  const std::string_view method = request->request_method != nullptr ? request->request_method : "";
  const bool head = method == "HEAD";
  if (request->local_uri == nullptr || route.exact_path != request->local_uri) {
    return send(connection, 404, {"text/plain; charset=utf-8", "not found\n"}, head);
  }
  if (method != "GET" && !head) {
    return send(connection, 405, {"text/plain; charset=utf-8", "method not allowed\n"}, false,
                "Allow: GET, HEAD\r\n");
  }
  try {
    return send(connection, 200, route.function(), head);
  } catch (const std::exception& error) {
    return send(connection, 500, {"text/plain; charset=utf-8", std::string(error.what()) + "\n"},
                head);
  }
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

}  // namespace

HttpServer::HttpServer(const ListenAddress& listen_address, const std::string& telemetry_path,
                       HttpHandlerFunction metrics, HttpHandlerFunction status_page)
    : metrics_{std::move(metrics), telemetry_path},
      status_{std::move(status_page), "/"},
      address_(listen_address) {
  const auto ports = listen_address.civetweb_option();
  // Name, value, name, value, null: civetweb's option list.
  std::vector<const char*> options = {"listening_ports",    ports.c_str(), "num_threads", "4",
                                      "request_timeout_ms", "10000",       nullptr};
  mg_callbacks callbacks{};
  server_.reset(mg_start(&callbacks, nullptr, options.data()));
  if (!server_) {
    throw std::runtime_error("cannot listen on " + ports +
                             ": address in use or not an address of this host");
  }
  mg_set_request_handler(server_.get(), telemetry_path.c_str(), serve_route, &metrics_);
  mg_set_request_handler(server_.get(), "/", serve_route, &status_);
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
