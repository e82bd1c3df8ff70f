#include "collectors/watch_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace arp {
namespace {

using ::testing::HasSubstr;

NeighborKey key(const std::string& ip, int ifindex = 2) {
  const auto address = parse_neighbor_address(ip);
  EXPECT_TRUE(address) << ip;
  return {.ifindex = ifindex, .family = address->family, .address = address->bytes};
}

WatchList watching(std::initializer_list<const char*> networks) {
  WatchList list;
  for (const auto* network : networks) {
    const auto error = list.add(network);
    EXPECT_FALSE(error.has_value()) << network << ": " << error.value_or("");
  }
  return list;
}

TEST(WatchListTest, AnEmptyListWatchesNothing) {
  const WatchList list;
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.contains(key("192.0.2.10")));
  EXPECT_FALSE(list.contains(key("2001:db8::10")));
}

TEST(WatchListTest, AnIpv4AddressWatchesExactlyThatAddress) {
  const auto list = watching({"192.0.2.10"});
  EXPECT_FALSE(list.empty());
  EXPECT_TRUE(list.contains(key("192.0.2.10")));
  EXPECT_TRUE(list.contains(key("192.0.2.10", 7)));  // on any interface
  EXPECT_FALSE(list.contains(key("192.0.2.11")));
  EXPECT_FALSE(list.contains(key("192.0.2.9")));
  EXPECT_FALSE(list.contains(key("198.51.100.10")));
}

TEST(WatchListTest, AnIpv4AddressWithSlash32IsTheSameAddress) {
  const auto list = watching({"192.0.2.10/32"});
  EXPECT_TRUE(list.contains(key("192.0.2.10")));
  EXPECT_FALSE(list.contains(key("192.0.2.11")));
}

TEST(WatchListTest, AnIpv4BlockStopsAtItsBoundaries) {
  const auto list = watching({"192.0.2.0/24"});
  EXPECT_TRUE(list.contains(key("192.0.2.0")));
  EXPECT_TRUE(list.contains(key("192.0.2.10")));
  EXPECT_TRUE(list.contains(key("192.0.2.255")));
  EXPECT_FALSE(list.contains(key("192.0.1.255")));
  EXPECT_FALSE(list.contains(key("192.0.3.0")));
}

TEST(WatchListTest, Ipv4PrefixesThatSplitAnOctet) {
  const auto upper = watching({"198.51.100.128/25"});
  EXPECT_FALSE(upper.contains(key("198.51.100.127")));
  EXPECT_TRUE(upper.contains(key("198.51.100.128")));
  EXPECT_TRUE(upper.contains(key("198.51.100.255")));
  EXPECT_FALSE(upper.contains(key("198.51.101.0")));

  const auto small = watching({"203.0.113.8/29"});
  EXPECT_FALSE(small.contains(key("203.0.113.7")));
  EXPECT_TRUE(small.contains(key("203.0.113.8")));
  EXPECT_TRUE(small.contains(key("203.0.113.15")));
  EXPECT_FALSE(small.contains(key("203.0.113.16")));

  const auto pair = watching({"192.0.2.10/31"});
  EXPECT_FALSE(pair.contains(key("192.0.2.9")));
  EXPECT_TRUE(pair.contains(key("192.0.2.10")));
  EXPECT_TRUE(pair.contains(key("192.0.2.11")));
  EXPECT_FALSE(pair.contains(key("192.0.2.12")));

  const auto wide = watching({"198.51.96.0/20"});  // the split falls in the third octet
  EXPECT_FALSE(wide.contains(key("198.51.95.255")));
  EXPECT_TRUE(wide.contains(key("198.51.96.0")));
  EXPECT_TRUE(wide.contains(key("198.51.111.255")));
  EXPECT_FALSE(wide.contains(key("198.51.112.0")));
}

TEST(WatchListTest, HostBitsInABlockAreIgnored) {
  const auto list = watching({"192.0.2.77/24"});
  EXPECT_TRUE(list.contains(key("192.0.2.1")));
  EXPECT_FALSE(list.contains(key("192.0.3.77")));
}

TEST(WatchListTest, SlashZeroWatchesEveryAddressOfItsFamilyOnly) {
  const auto v4 = watching({"0.0.0.0/0"});
  EXPECT_TRUE(v4.contains(key("192.0.2.10")));
  EXPECT_TRUE(v4.contains(key("255.255.255.255")));
  EXPECT_FALSE(v4.contains(key("2001:db8::10")));

  const auto v6 = watching({"::/0"});
  EXPECT_TRUE(v6.contains(key("2001:db8::10")));
  EXPECT_TRUE(v6.contains(key("fe80::1")));
  EXPECT_FALSE(v6.contains(key("192.0.2.10")));
}

TEST(WatchListTest, AnIpv6AddressWatchesExactlyThatAddress) {
  const auto list = watching({"2001:db8::10"});
  EXPECT_TRUE(list.contains(key("2001:db8::10")));
  EXPECT_TRUE(list.contains(key("2001:0db8:0000:0000:0000:0000:0000:0010")));  // same address
  EXPECT_FALSE(list.contains(key("2001:db8::11")));
  EXPECT_FALSE(list.contains(key("2001:db8::1:10")));
}

TEST(WatchListTest, AnIpv6BlockStopsAtItsBoundaries) {
  const auto list = watching({"2001:db8:0:1::/64"});
  EXPECT_TRUE(list.contains(key("2001:db8:0:1::")));
  EXPECT_TRUE(list.contains(key("2001:db8:0:1::10")));
  EXPECT_TRUE(list.contains(key("2001:db8:0:1:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(list.contains(key("2001:db8:0:0:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(list.contains(key("2001:db8:0:2::")));
}

TEST(WatchListTest, Ipv6PrefixesThatSplitAnOctet) {
  const auto nibble = watching({"2001:db8::/36"});  // 2001:0db8:0xxx::
  EXPECT_TRUE(nibble.contains(key("2001:db8:fff:ffff::1")));
  EXPECT_FALSE(nibble.contains(key("2001:db8:1000::1")));

  const auto odd = watching({"2001:db8::8/125"});
  EXPECT_FALSE(odd.contains(key("2001:db8::7")));
  EXPECT_TRUE(odd.contains(key("2001:db8::8")));
  EXPECT_TRUE(odd.contains(key("2001:db8::f")));
  EXPECT_FALSE(odd.contains(key("2001:db8::10")));

  const auto last_bit = watching({"2001:db8::10/127"});
  EXPECT_TRUE(last_bit.contains(key("2001:db8::11")));
  EXPECT_FALSE(last_bit.contains(key("2001:db8::12")));
}

TEST(WatchListTest, FamiliesNeverMatchEachOther) {
  // 192.0.2.10 and 2001:db8:: ... share no bytes, but an IPv4 key is its 4 bytes followed by
  // zeros: an IPv6 block of zeros must not swallow it, nor an IPv4 one an IPv6 key.
  const auto v6 = watching({"::/96"});
  EXPECT_FALSE(v6.contains(key("0.0.0.1")));
  const auto v4 = watching({"32.1.13.184/32"});  // the bytes 20 01 0d b8
  EXPECT_FALSE(v4.contains(key("2001:db8::")));
  const auto mapped = watching({"::ffff:192.0.2.10"});
  EXPECT_FALSE(mapped.contains(key("192.0.2.10")));
}

TEST(WatchListTest, SeveralEntriesOfBothFamiliesAddUp) {
  const auto list = watching({"192.0.2.10", "198.51.100.0/24", "2001:db8::10", "2001:db8:1::/48"});
  EXPECT_TRUE(list.contains(key("192.0.2.10")));
  EXPECT_FALSE(list.contains(key("192.0.2.11")));
  EXPECT_TRUE(list.contains(key("198.51.100.200")));
  EXPECT_TRUE(list.contains(key("2001:db8::10")));
  EXPECT_TRUE(list.contains(key("2001:db8:1:ffff::1")));
  EXPECT_FALSE(list.contains(key("2001:db8:2::1")));
  EXPECT_FALSE(list.contains(key("203.0.113.1")));
}

TEST(WatchListTest, BadInputsAreRefusedWithTheInputInTheError) {
  for (const std::string bad : {
           "",
           "192.0.2",
           "192.0.2.256",
           "192.0.2.10.1",
           " 192.0.2.10",
           "192.0.2.10 ",
           "server-a.example",
           "02:00:00:00:00:0a",
           "2001:db8:::1",
           "2001:db8::g",
           "/24",
           "192.0.2.0/",
           "192.0.2.0/33",
           "192.0.2.0/-1",
           "192.0.2.0/+8",
           "192.0.2.0/24x",
           "192.0.2.0/2 4",
           "192.0.2.0/24/8",
           "192.0.2.0/4294967320",
           "2001:db8::/129",
           "2001:db8::/64/1",
       }) {
    WatchList list;
    const auto error = list.add(bad);
    ASSERT_TRUE(error.has_value()) << "accepted: \"" << bad << "\"";
    EXPECT_THAT(*error, HasSubstr("\"" + bad + "\"")) << "error text does not name the input";
    EXPECT_TRUE(list.empty()) << "a refused entry was kept: \"" << bad << "\"";
  }
}

TEST(WatchListTest, ARefusedEntryLeavesTheOthersInPlace) {
  WatchList list;
  EXPECT_FALSE(list.add("192.0.2.10").has_value());
  EXPECT_TRUE(list.add("192.0.2.0/99").has_value());
  EXPECT_TRUE(list.contains(key("192.0.2.10")));
  EXPECT_FALSE(list.contains(key("192.0.2.11")));
}

}  // namespace
}  // namespace arp
