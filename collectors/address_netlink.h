// This host's own addresses over rtnetlink: RTM_NEWADDR/RTM_DELADDR messages, as answers to an
// RTM_GETADDR dump or as events of the RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR groups.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "collectors/dad_state.h"
#include "collectors/netlink_dump.h"

struct nl_sock;
struct nlmsghdr;

namespace arp {

struct AddressMessage {
  OwnAddressKey key;
  std::uint32_t flags = 0;  // IFA_F_*: the IFA_FLAGS attribute's 32 bits, else ifa_flags' 8
  bool deleted = false;     // RTM_DELADDR
};

// Parses one RTM_NEWADDR/RTM_DELADDR message; nullopt for other types and families, or a
// message whose header or address attribute is missing or of the wrong size.
std::optional<AddressMessage> parse_address_message(const nlmsghdr* header);

// Calls `visit` for every IPv4 and IPv6 address of this network namespace. Throws
// std::runtime_error("address dump: ...") on a netlink error.
DumpResult dump_addresses(nl_sock* socket, const std::function<void(const AddressMessage&)>& visit);

}  // namespace arp
