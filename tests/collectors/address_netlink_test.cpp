#include "collectors/address_netlink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <memory>
#include <vector>

namespace arp {
namespace {

struct MessageDeleter {
  void operator()(nl_msg* message) const noexcept { nlmsg_free(message); }
};
using Message = std::unique_ptr<nl_msg, MessageDeleter>;

// An address message as the kernel builds it (inet6_fill_ifaddr, inet_fill_ifaddr).
Message address_message(int type, int family, std::uint8_t ifa_flags, int ifindex,
                        unsigned prefix_length) {
  Message message(nlmsg_alloc_simple(type, 0));
  ifaddrmsg header{};
  header.ifa_family = static_cast<std::uint8_t>(family);
  header.ifa_prefixlen = static_cast<std::uint8_t>(prefix_length);
  header.ifa_flags = ifa_flags;
  header.ifa_index = static_cast<std::uint32_t>(ifindex);
  EXPECT_EQ(nlmsg_append(message.get(), &header, sizeof header, NLMSG_ALIGNTO), 0);
  return message;
}

void put_address(nl_msg* message, int attribute, int family, const char* text) {
  std::vector<std::uint8_t> bytes(family == AF_INET6 ? 16 : 4);
  ASSERT_EQ(inet_pton(family, text, bytes.data()), 1) << text;
  ASSERT_EQ(nla_put(message, attribute, static_cast<int>(bytes.size()), bytes.data()), 0);
}

TEST(AddressNetlinkTest, IPv6AddressWithTheFullFlags) {
  // ifa_flags holds the low 8 bits only; IFA_FLAGS is what counts.
  const auto message = address_message(RTM_NEWADDR, AF_INET6, IFA_F_PERMANENT, 7, 64);
  put_address(message.get(), IFA_ADDRESS, AF_INET6, "2001:db8::10");
  ASSERT_EQ(nla_put_u32(message.get(), IFA_FLAGS,
                        IFA_F_PERMANENT | IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_NOPREFIXROUTE),
            0);
  const auto parsed = parse_address_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->key.ifindex, 7);
  EXPECT_EQ(parsed->key.family, AF_INET6);
  EXPECT_EQ(address_text(parsed->key), "2001:db8::10");
  EXPECT_EQ(parsed->key.prefix_length, 0U);  // an IPv6 address is once per interface
  EXPECT_EQ(parsed->flags,
            IFA_F_PERMANENT | IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_NOPREFIXROUTE);
  EXPECT_EQ(dad_state_of(parsed->flags), DadState::failed);
  EXPECT_FALSE(parsed->deleted);
}

TEST(AddressNetlinkTest, WithoutIfaFlagsTheHeaderFlagsCount) {
  const auto message =
      address_message(RTM_NEWADDR, AF_INET6, IFA_F_TENTATIVE | IFA_F_PERMANENT, 2, 64);
  put_address(message.get(), IFA_ADDRESS, AF_INET6, "fe80::1");
  const auto parsed = parse_address_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->flags, static_cast<std::uint32_t>(IFA_F_TENTATIVE | IFA_F_PERMANENT));
}

TEST(AddressNetlinkTest, IPv4TakesTheLocalAddressNotThePeer) {
  const auto message = address_message(RTM_DELADDR, AF_INET, IFA_F_PERMANENT, 4, 32);
  put_address(message.get(), IFA_ADDRESS, AF_INET, "198.51.100.1");  // the peer
  put_address(message.get(), IFA_LOCAL, AF_INET, "192.0.2.1");
  const auto parsed = parse_address_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(address_text(parsed->key), "192.0.2.1");
  EXPECT_EQ(parsed->key.prefix_length, 32U);
  EXPECT_TRUE(parsed->deleted);
}

TEST(AddressNetlinkTest, RefusesWhatIsNotAnAddressOfThisHost) {
  {  // not an address message
    const auto message = address_message(RTM_NEWLINK, AF_INET6, 0, 2, 64);
    put_address(message.get(), IFA_ADDRESS, AF_INET6, "2001:db8::1");
    EXPECT_FALSE(parse_address_message(nlmsg_hdr(message.get())));
  }
  {  // another family
    const auto message = address_message(RTM_NEWADDR, AF_PACKET, 0, 2, 0);
    EXPECT_FALSE(parse_address_message(nlmsg_hdr(message.get())));
  }
  {  // no address
    const auto message = address_message(RTM_NEWADDR, AF_INET6, 0, 2, 64);
    EXPECT_FALSE(parse_address_message(nlmsg_hdr(message.get())));
  }
  {  // an IPv4-sized address in an IPv6 message
    const auto message = address_message(RTM_NEWADDR, AF_INET6, 0, 2, 64);
    put_address(message.get(), IFA_ADDRESS, AF_INET, "192.0.2.1");
    EXPECT_FALSE(parse_address_message(nlmsg_hdr(message.get())));
  }
  {  // a short IFA_FLAGS falls back to the header's flags
    const auto message = address_message(RTM_NEWADDR, AF_INET6, IFA_F_TENTATIVE, 2, 64);
    put_address(message.get(), IFA_ADDRESS, AF_INET6, "2001:db8::1");
    const std::uint8_t one_byte = IFA_F_DADFAILED;
    ASSERT_EQ(nla_put(message.get(), IFA_FLAGS, 1, &one_byte), 0);
    const auto parsed = parse_address_message(nlmsg_hdr(message.get()));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->flags, static_cast<std::uint32_t>(IFA_F_TENTATIVE));
  }
}

TEST(AddressNetlinkTest, AHeaderCutShortIsRefused) {
  const auto message = address_message(RTM_NEWADDR, AF_INET6, 0, 2, 64);
  put_address(message.get(), IFA_ADDRESS, AF_INET6, "2001:db8::1");
  auto* header = nlmsg_hdr(message.get());
  header->nlmsg_len = NLMSG_HDRLEN + 4;  // half an ifaddrmsg
  EXPECT_FALSE(parse_address_message(header));
}

TEST(AddressNetlinkTest, DumpsThisNamespacesAddresses) {
  // Read-only, and every namespace has at least loopback (its addresses, if lo is up).
  const auto socket = connect_route_socket();
  std::size_t seen = 0;
  EXPECT_NO_THROW(dump_addresses(socket.get(), [&](const AddressMessage& address) {
    EXPECT_TRUE(address.key.family == AF_INET || address.key.family == AF_INET6);
    EXPECT_FALSE(address.deleted);
    EXPECT_FALSE(address_text(address.key).empty());
    ++seen;
  }));
  SUCCEED() << seen << " addresses";
}

}  // namespace
}  // namespace arp
