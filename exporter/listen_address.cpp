#include "exporter/listen_address.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>

namespace arp {

std::optional<ListenAddress> ListenAddress::parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = text.substr(0, colon);
  const auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc{} || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return std::nullopt;
  }
  ListenAddress address;
  address.port = static_cast<std::uint16_t>(port);
  std::array<unsigned char, 16> buffer{};
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    address.host = std::string(host.substr(1, host.size() - 2));
    address.ipv6 = true;
    if (inet_pton(AF_INET6, address.host.c_str(), buffer.data()) != 1) return std::nullopt;
  } else if (!host.empty()) {
    address.host = std::string(host);
    if (inet_pton(AF_INET, address.host.c_str(), buffer.data()) != 1) return std::nullopt;
  }
  return address;
}

std::string ListenAddress::civetweb_option() const {
  const auto port_text = std::to_string(port);
  if (host.empty()) return port_text;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port_text;
}

std::string ListenAddress::local_host() const {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

}  // namespace arp
