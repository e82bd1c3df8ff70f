#include "collectors/host_interfaces.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

// As a 6.x kernel prints it: an address still tentative, one whose DAD failed (dadfailed
// tentative, as `ip addr` shows it), a usable global one, a link-local one and loopback.
constexpr const char* kIfInet6 =
    "20010db8000000000000000000000010 02 40 00 40     eth0\n"
    "20010db8000000000000000000000011 02 40 00 48     eth0\n"
    "20010db8000000000000000000000012 02 40 00 80     eth0\n"
    "fe800000000000000000000000000010 02 40 20 80     eth0\n"
    "00000000000000000000000000000001 01 80 10 80       lo\n";

TEST(HostInterfacesTest, ParsesProcNetIfInet6) {
  const auto lines = parse_if_inet6(kIfInet6);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(lines[0].interface, "eth0");
  EXPECT_EQ(lines[0].address, *IpAddress::parse("2001:db8::10"));
  EXPECT_EQ(lines[0].prefix_length, 64U);
  EXPECT_EQ(lines[0].flags, 0x40U);
  EXPECT_EQ(lines[1].flags, 0x48U);
  EXPECT_EQ(lines[3].address, *IpAddress::parse("fe80::10"));
  EXPECT_EQ(lines[4].interface, "lo");
  EXPECT_EQ(lines[4].address, *IpAddress::parse("::1"));
  EXPECT_EQ(lines[4].prefix_length, 128U);
}

TEST(HostInterfacesTest, TentativeAndDadFailedAreUnusable) {
  const auto lines = parse_if_inet6(kIfInet6);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_TRUE(is_unusable_inet6(lines[0].flags));   // tentative
  EXPECT_TRUE(is_unusable_inet6(lines[1].flags));   // dadfailed tentative
  EXPECT_FALSE(is_unusable_inet6(lines[2].flags));  // permanent
  EXPECT_TRUE(is_unusable_inet6(0x08));             // dadfailed alone
  EXPECT_FALSE(is_unusable_inet6(0x20));            // deprecated: still ours
  EXPECT_FALSE(is_unusable_inet6(0x02));            // nodad
}

TEST(HostInterfacesTest, SkipsLinesThatDoNotParse) {
  const auto lines = parse_if_inet6(
      "\n"
      "2001db8 02 40 00 80 eth0\n"                                 // short address
      "20010db800000000000000000000001g 02 40 00 80 eth0\n"        // not hex
      "20010db8000000000000000000000010 02 81 00 80 eth0\n"        // prefix over 128
      "20010db8000000000000000000000010 02 40 00 80\n"             // no name
      "20010db8000000000000000000000010 02 40 00 80 eth0 extra\n"  // a field too many
      "20010db8000000000000000000000013 03 40 00 80 eth1");        // no final newline: fine
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].interface, "eth1");
  EXPECT_EQ(lines[0].address, *IpAddress::parse("2001:db8::13"));
  EXPECT_TRUE(parse_if_inet6("").empty());
}

// The real file of the namespace the test runs in: whatever it lists parses, and every
// address getifaddrs reports is either usable or unusable, never both.
TEST(HostInterfacesTest, ListsThisHostsInterfaces) {
  for (const auto& interface : list_host_interfaces()) {
    EXPECT_EQ(interface.addresses.size(), interface.networks.size()) << interface.name;
    for (const auto& ip : interface.unusable) {
      EXPECT_FALSE(ip.is_ipv4());
      EXPECT_EQ(std::count(interface.addresses.begin(), interface.addresses.end(), ip), 0);
    }
    for (std::size_t i = 0; i < interface.addresses.size(); ++i) {
      EXPECT_TRUE(interface.networks[i].contains(interface.addresses[i])) << interface.name;
      EXPECT_EQ(interface.networks[i].family(), interface.addresses[i].family());
    }
  }
}

}  // namespace
}  // namespace arp
