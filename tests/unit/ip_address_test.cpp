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

}  // namespace
}  // namespace arp
