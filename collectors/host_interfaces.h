// This host's network interfaces and their addresses, as getifaddrs(3) reports them, with the
// kernel's DAD state of IPv6 addresses from /proc/net/if_inet6.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/mac_address.h"

namespace arp {

struct HostInterface {
  std::string name;
  bool up = false;
  bool loopback = false;
  bool ethernet = false;  // ARPHRD_ETHER: veth, bridges and real NICs alike
  MacAddress mac;
  // IPv4 and usable IPv6 addresses (link-local ones too).
  std::vector<IpAddress> addresses;
  std::vector<IpNetwork> networks;  // parallel to addresses: the subnet each lies in
  // IPv6 addresses configured here that are not this host's (yet): still tentative (DAD
  // running) or whose DAD failed. Neither answered for nor defended, but they show that the
  // interface is meant to be on an IPv6 network.
  std::vector<IpAddress> unusable;
};

// Throws std::runtime_error when getifaddrs fails (out of memory or descriptors).
std::vector<HostInterface> list_host_interfaces();

// One line of /proc/net/if_inet6: "20010db8000000000000000000000010 02 40 00 48     eth0"
// (address, ifindex, prefix length, scope, IFA_F_* flags, name; all hex but the name).
struct Inet6AddressLine {
  std::string interface;
  IpAddress address;
  unsigned prefix_length = 128;
  std::uint32_t flags = 0;
};
// Lines that do not parse are skipped: the file's format is the kernel's, not ours.
std::vector<Inet6AddressLine> parse_if_inet6(std::string_view text);

// IFA_F_TENTATIVE (DAD running) or IFA_F_DADFAILED: the kernel does not use the address.
bool is_unusable_inet6(std::uint32_t flags);

}  // namespace arp
