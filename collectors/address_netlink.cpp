#include "collectors/address_netlink.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace arp {

std::optional<AddressMessage> parse_address_message(const nlmsghdr* header) {
  if (header->nlmsg_type != RTM_NEWADDR && header->nlmsg_type != RTM_DELADDR) return std::nullopt;
  std::array<nlattr*, IFA_MAX + 1> attributes{};
  // nlmsg_parse checks that the header and every attribute fit inside the message.
  if (nlmsg_parse(const_cast<nlmsghdr*>(header), sizeof(ifaddrmsg), attributes.data(), IFA_MAX,
                  nullptr) < 0) {
    return std::nullopt;
  }
  ifaddrmsg address{};
  std::memcpy(&address, nlmsg_data(header), sizeof address);
  int length = 0;
  if (address.ifa_family == AF_INET) {
    length = 4;
  } else if (address.ifa_family == AF_INET6) {
    length = 16;
  } else {
    return std::nullopt;
  }
  // IFA_LOCAL is this host's address; IFA_ADDRESS is the peer's on a point-to-point link and
  // the same as IFA_LOCAL elsewhere. IPv6 sends IFA_LOCAL only on point-to-point links.
  const nlattr* local =
      attributes[IFA_LOCAL] != nullptr ? attributes[IFA_LOCAL] : attributes[IFA_ADDRESS];
  if (local == nullptr || nla_len(local) != length) return std::nullopt;

  AddressMessage message;
  message.key.ifindex = static_cast<int>(address.ifa_index);
  message.key.family = address.ifa_family;
  std::memcpy(message.key.bytes.data(), nla_data(local), static_cast<std::size_t>(length));
  if (address.ifa_family == AF_INET) message.key.prefix_length = address.ifa_prefixlen;
  // ifa_flags holds only the low 8 bits; since Linux 3.14 IFA_FLAGS carries all of them.
  message.flags = read_attribute<std::uint32_t>(attributes[IFA_FLAGS]).value_or(address.ifa_flags);
  message.deleted = header->nlmsg_type == RTM_DELADDR;
  return message;
}

DumpResult dump_addresses(nl_sock* socket,
                          const std::function<void(const AddressMessage&)>& visit) {
  DumpResult result;
  const std::function<void(const nlmsghdr*)> handle = [&](const nlmsghdr* header) {
    if (const auto message = parse_address_message(header)) visit(*message);
  };
  for (const int family : {AF_INET, AF_INET6}) {
    ifaddrmsg request{};
    request.ifa_family = static_cast<std::uint8_t>(family);
    result.interrupted |=
        dump_route(socket, RTM_GETADDR, request, "address dump", handle).interrupted;
  }
  return result;
}

}  // namespace arp
