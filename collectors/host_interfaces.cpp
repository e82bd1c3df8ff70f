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
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>

namespace arp {
namespace {

struct IfaddrsDeleter {
  void operator()(ifaddrs* list) const noexcept { freeifaddrs(list); }
};

}  // namespace

std::vector<HostInterface> list_host_interfaces() {
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) {
    throw std::runtime_error(std::string("getifaddrs: ") + std::strerror(errno));
  }
  const std::unique_ptr<ifaddrs, IfaddrsDeleter> list(raw);

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
    }
  }

  std::vector<HostInterface> interfaces;
  interfaces.reserve(by_name.size());
  for (auto& [name, interface] : by_name) interfaces.push_back(std::move(interface));
  return interfaces;
}

}  // namespace arp
