#include "collectors/host_interfaces.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace arp {
namespace {

struct IfaddrsDeleter {
  void operator()(ifaddrs* list) const noexcept { freeifaddrs(list); }
};

// Kernel values (include/uapi/linux/if_addr.h), spelled out: the file prints them in hex.
constexpr std::uint32_t kIfaFDadFailed = 0x08;
constexpr std::uint32_t kIfaFTentative = 0x40;

std::optional<std::uint32_t> parse_hex(std::string_view text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [next, error] = std::from_chars(text.data(), end, value, 16);
  if (error != std::errc() || next != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<IpAddress> parse_hex_address(std::string_view text) {
  IpAddress::Bytes bytes{};
  if (text.size() != 2 * bytes.size()) return std::nullopt;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = parse_hex(text.substr(2 * i, 2));
    if (!byte) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(*byte);
  }
  return IpAddress::from_bytes(bytes);
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < line.size()) {
    const auto start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const auto stop = std::min(line.find_first_of(" \t", start), line.size());
    fields.push_back(line.substr(start, stop - start));
    at = stop;
  }
  return fields;
}

// The unusable (tentative, DAD-failed) IPv6 addresses by interface. An unreadable file (no
// IPv6 in this kernel, no /proc) means none: then getifaddrs lists no IPv6 address either,
// or we cannot tell and take the addresses as usable, as before this file was read.
std::set<std::pair<std::string, IpAddress>> unusable_inet6() {
  std::set<std::pair<std::string, IpAddress>> unusable;
  std::ifstream file("/proc/net/if_inet6");
  if (!file) return unusable;
  std::stringstream text;
  text << file.rdbuf();
  for (const auto& line : parse_if_inet6(text.str())) {
    if (is_unusable_inet6(line.flags)) unusable.emplace(line.interface, line.address);
  }
  return unusable;
}

}  // namespace

std::vector<Inet6AddressLine> parse_if_inet6(std::string_view text) {
  std::vector<Inet6AddressLine> lines;
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    const auto fields = fields_of(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (fields.size() != 6) continue;
    const auto address = parse_hex_address(fields[0]);
    const auto prefix_length = parse_hex(fields[2]);
    const auto flags = parse_hex(fields[4]);
    if (!address || !prefix_length || *prefix_length > 128 || !flags) continue;
    lines.push_back({.interface = std::string(fields[5]),
                     .address = *address,
                     .prefix_length = *prefix_length,
                     .flags = *flags});
  }
  return lines;
}

bool is_unusable_inet6(std::uint32_t flags) {
  return (flags & (kIfaFTentative | kIfaFDadFailed)) != 0U;
}

std::vector<HostInterface> list_host_interfaces() {
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) {
    throw std::runtime_error(std::string("getifaddrs: ") + std::strerror(errno));
  }
  const std::unique_ptr<ifaddrs, IfaddrsDeleter> list(raw);
  // Read after getifaddrs: an address added in between is not listed and its line is unused;
  // one removed in between is listed as usable until the next rescan.
  const auto unusable = unusable_inet6();

  std::map<std::string, HostInterface> by_name;
  for (const ifaddrs* entry = list.get(); entry != nullptr; entry = entry->ifa_next) {
    auto& interface = by_name[entry->ifa_name];
    interface.name = entry->ifa_name;
    interface.up = (entry->ifa_flags & IFF_UP) != 0U;
    interface.loopback = (entry->ifa_flags & IFF_LOOPBACK) != 0U;
    if (entry->ifa_addr == nullptr) continue;
    if (entry->ifa_addr->sa_family == AF_PACKET) {
      sockaddr_ll link{};
      std::memcpy(&link, entry->ifa_addr, sizeof link);
      interface.ethernet = link.sll_hatype == ARPHRD_ETHER && link.sll_halen == 6;
      if (interface.ethernet) {
        MacAddress::Bytes bytes{};
        std::memcpy(bytes.data(), link.sll_addr, bytes.size());
        interface.mac = MacAddress(bytes);
      }
    } else if (entry->ifa_addr->sa_family == AF_INET) {
      sockaddr_in address{};
      std::memcpy(&address, entry->ifa_addr, sizeof address);
      const Ipv4Address ip(ntohl(address.sin_addr.s_addr));
      unsigned prefix_length = 32;
      if (entry->ifa_netmask != nullptr && entry->ifa_netmask->sa_family == AF_INET) {
        sockaddr_in netmask{};
        std::memcpy(&netmask, entry->ifa_netmask, sizeof netmask);
        prefix_length = static_cast<unsigned>(std::popcount(ntohl(netmask.sin_addr.s_addr)));
      }
      interface.addresses.push_back(ip);
      interface.networks.push_back(IpNetwork::of(ip, prefix_length));
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 address{};
      std::memcpy(&address, entry->ifa_addr, sizeof address);
      IpAddress::Bytes bytes{};
      std::memcpy(bytes.data(), &address.sin6_addr, bytes.size());
      const auto ip = IpAddress::from_bytes(bytes);
      if (ip.is_ipv4()) continue;  // an IPv4-mapped address is no interface's own
      if (unusable.contains({interface.name, ip})) {
        interface.unusable.push_back(ip);
        continue;
      }
      unsigned prefix_length = 128;
      if (entry->ifa_netmask != nullptr && entry->ifa_netmask->sa_family == AF_INET6) {
        sockaddr_in6 netmask{};
        std::memcpy(&netmask, entry->ifa_netmask, sizeof netmask);
        prefix_length = 0;
        for (const auto byte : netmask.sin6_addr.s6_addr) {
          prefix_length += static_cast<unsigned>(std::popcount(byte));
        }
      }
      interface.addresses.push_back(ip);
      interface.networks.push_back(IpNetwork::of(ip, prefix_length));
    }
  }

  std::vector<HostInterface> interfaces;
  interfaces.reserve(by_name.size());
  for (auto& [name, interface] : by_name) interfaces.push_back(std::move(interface));
  return interfaces;
}

}  // namespace arp
