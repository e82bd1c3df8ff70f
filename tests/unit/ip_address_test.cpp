#include "core/ip_address.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

TEST(Ipv4AddressTest, ParsesAndPrintsDottedQuads) {
  for (const auto* text : {"0.0.0.0", "192.0.2.10", "255.255.255.255", "198.51.100.1"}) {
    const auto address = Ipv4Address::parse(text);
    ASSERT_TRUE(address) << text;
    EXPECT_EQ(address->to_string(), text);
  }
  EXPECT_EQ(Ipv4Address::parse("192.0.2.10")->to_u32(), 0xc000020aU);
  EXPECT_TRUE(Ipv4Address::parse("0.0.0.0")->is_unspecified());
}

TEST(Ipv4AddressTest, RejectsWhatInetPtonRejects) {
  for (const auto* text : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "01.2.3.4", "1..3.4",
                           "1.2.3.4 ", "a.b.c.d", "1.2.3.4/24", "1234.1.1.1"}) {
    EXPECT_FALSE(Ipv4Address::parse(text)) << text;
  }
}

TEST(Ipv4NetworkTest, ContainsAddressesInsideItsPrefix) {
  const auto network = Ipv4Network::parse("198.51.100.0/24");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(*Ipv4Address::parse("198.51.100.255")));
  EXPECT_FALSE(network->contains(*Ipv4Address::parse("198.51.101.0")));
  EXPECT_EQ(network->to_string(), "198.51.100.0/24");
  const auto host = Ipv4Network::parse("192.0.2.10");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->to_string(), "192.0.2.10/32");
  EXPECT_TRUE(Ipv4Network::parse("0.0.0.0/0")->contains(*Ipv4Address::parse("203.0.113.7")));
}

TEST(Ipv4NetworkTest, RejectsBadPrefixesAndHostBits) {
  for (const auto* text :
       {"192.0.2.0/33", "192.0.2.0/", "192.0.2.10/24", "192.0.2.0/-1", "192.0.2.0/024", "/24"}) {
    EXPECT_FALSE(Ipv4Network::parse(text)) << text;
  }
}

TEST(IpAddressTest, HoldsEitherFamilyAndPrintsAsInetNtop) {
  const auto v4 = IpAddress::parse("192.0.2.10");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_ipv4());
  EXPECT_EQ(v4->ipv4(), *Ipv4Address::parse("192.0.2.10"));
  EXPECT_EQ(v4->to_string(), "192.0.2.10");
  EXPECT_EQ(IpAddress(*Ipv4Address::parse("192.0.2.10")), *v4);

  for (const auto* text :
       {"2001:db8::10", "fe80::1", "::", "ff02::1:ff00:10", "2001:db8:0:1:2:3:4:5"}) {
    const auto v6 = IpAddress::parse(text);
    ASSERT_TRUE(v6) << text;
    EXPECT_EQ(v6->family(), IpFamily::ipv6) << text;
    EXPECT_EQ(v6->to_string(), text);
  }
  // inet_ntop's canonical form (RFC 5952): lower case, longest zero run compressed.
  EXPECT_EQ(IpAddress::parse("2001:DB8:0:0:0:0:0:10")->to_string(), "2001:db8::10");
  EXPECT_NE(*IpAddress::parse("::"), IpAddress());
  EXPECT_TRUE(IpAddress::parse("::")->is_unspecified());
  EXPECT_TRUE(IpAddress().is_unspecified());
  EXPECT_TRUE(IpAddress::parse("fe80::1")->is_ipv6_link_local());
  EXPECT_FALSE(IpAddress::parse("fec0::1")->is_ipv6_link_local());
  EXPECT_TRUE(IpAddress::parse("ff02::1")->is_ipv6_multicast());
  EXPECT_EQ(IpAddress::parse("2001:db8::10")->ipv4(), Ipv4Address());
}

TEST(IpAddressTest, RejectsWhatInetPtonRejects) {
  for (const auto* text : {"", "2001:db8::10::1", "2001:db8::g", "fe80::1%eth0", "2001:db8::/64",
                           "1.2.3", ":::", "2001:db8::10 "}) {
    EXPECT_FALSE(IpAddress::parse(text)) << text;
  }
}

TEST(IpNetworkTest, ContainsOnlyAddressesOfItsOwnFamily) {
  const auto v6 = IpNetwork::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*IpAddress::parse("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("2001:db9::1")));
  EXPECT_EQ(v6->to_string(), "2001:db8::/32");
  EXPECT_EQ(IpNetwork::parse("2001:db8::10")->to_string(), "2001:db8::10/128");

  const auto v4 = IpNetwork::parse("0.0.0.0/0");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains(*IpAddress::parse("203.0.113.7")));
  EXPECT_FALSE(v4->contains(*IpAddress::parse("2001:db8::1")));
  EXPECT_FALSE(IpNetwork::parse("::/0")->contains(*IpAddress::parse("203.0.113.7")));
  EXPECT_EQ(IpNetwork::parse("198.51.100.0/24")->prefix_length(), 24U);
  EXPECT_EQ(IpNetwork::of(*IpAddress::parse("2001:db8::10"), 64).to_string(), "2001:db8::/64");
  EXPECT_EQ(IpNetwork::of(*IpAddress::parse("192.0.2.10"), 24).to_string(), "192.0.2.0/24");
}

TEST(IpNetworkTest, RejectsBadPrefixesAndHostBits) {
  for (const auto* text : {"2001:db8::/129", "2001:db8::1/64", "2001:db8::/", "2001:db8::/064",
                           "::ffff:192.0.2.0/120x"}) {
    EXPECT_FALSE(IpNetwork::parse(text)) << text;
  }
}

}  // namespace
}  // namespace arp
