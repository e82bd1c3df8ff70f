// --web.listen-address: "[host]:port" with a numeric host (IPv4, or IPv6 in brackets), as
// civetweb binds it. Checked while parsing flags, so a typo is exit 2, not a failed bind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arp {

struct ListenAddress {
  std::string host;  // "" for every address; IPv6 without brackets
  bool ipv6 = false;
  std::uint16_t port = 0;

  static std::optional<ListenAddress> parse(std::string_view text);
  // What civetweb's listening_ports option takes: "10711", "127.0.0.1:10711", "[::1]:10711".
  std::string civetweb_option() const;
  // An address a local client can connect to: the host, or loopback for a wildcard.
  std::string local_host() const;
};

}  // namespace arp
