// This host's network interfaces and their addresses, as getifaddrs(3) reports them.
#pragma once

#include <string>
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
  std::vector<IpAddress> addresses;
  std::vector<IpNetwork> networks;  // parallel to addresses: the subnet each lies in
};

// Throws std::runtime_error when getifaddrs fails (out of memory or descriptors).
std::vector<HostInterface> list_host_interfaces();

}  // namespace arp
