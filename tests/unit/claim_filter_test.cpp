#include "core/claim_filter.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

ResolutionFrame claim(const char* mac, const char* ip, FrameKind kind = FrameKind::reply) {
  ResolutionFrame frame;
  frame.kind = kind;
  frame.sender_mac = *MacAddress::parse(mac);
  frame.sender_ip = *Ipv4Address::parse(ip);
  frame.target_ip = *Ipv4Address::parse("192.0.2.77");
  return frame;
}

TEST(ClaimFilterTest, IgnoresListedMacsAddressesAndNetworks) {
  ClaimFilter filter;
  EXPECT_TRUE(filter.empty());
  ASSERT_TRUE(filter.add_rule("00:00:5e:00:01:01"));  // VRRP virtual MAC for VRID 1
  ASSERT_TRUE(filter.add_rule("198.51.100.0/24"));
  ASSERT_TRUE(filter.add_rule("192.0.2.1"));
  EXPECT_TRUE(filter.ignores(claim("00:00:5e:00:01:01", "192.0.2.5")));
  EXPECT_TRUE(filter.ignores(claim("02:00:00:00:00:01", "198.51.100.9")));
  EXPECT_TRUE(filter.ignores(claim("02:00:00:00:00:01", "192.0.2.1")));
  EXPECT_FALSE(filter.ignores(claim("02:00:00:00:00:01", "192.0.2.2")));
}

TEST(ClaimFilterTest, AProbeIsJudgedByTheAddressItAsksFor) {
  ClaimFilter filter;
  ASSERT_TRUE(filter.add_rule("192.0.2.77"));
  EXPECT_TRUE(filter.ignores(claim("02:00:00:00:00:01", "0.0.0.0", FrameKind::probe)));
}

TEST(ClaimFilterTest, SaysWhyARuleIsBad) {
  ClaimFilter filter;
  const auto result = filter.add_rule("192.0.2.300");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find("192.0.2.300"), std::string::npos);
  EXPECT_FALSE(filter.add_rule("192.0.2.10/24"));
  EXPECT_TRUE(filter.empty());
}

}  // namespace
}  // namespace arp
