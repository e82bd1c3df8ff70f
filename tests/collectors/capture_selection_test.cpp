#include <gtest/gtest.h>

#include "collectors/capture_manager.h"

namespace arp {
namespace {

HostInterface ethernet(const char* name, bool with_address = true) {
  HostInterface interface {
    .name = name, .up = true, .loopback = false, .ethernet = true, .mac = {}, .addresses = {},
    .networks = {}, .unusable = {}
  };
  if (with_address) interface.addresses.push_back(*Ipv4Address::parse("192.0.2.1"));
  return interface;
}

TEST(CaptureSelectionTest, DefaultIsUpEthernetNonLoopbackWithIpv4) {
  const InterfaceSelection all;
  EXPECT_TRUE(is_selected(ethernet("eth0"), all));
  EXPECT_FALSE(is_selected(ethernet("span0", false), all));
  auto down = ethernet("eth1");
  down.up = false;
  EXPECT_FALSE(is_selected(down, all));
  auto loopback = ethernet("lo");
  loopback.loopback = true;
  EXPECT_FALSE(is_selected(loopback, all));
  auto tunnel = ethernet("wg0");
  tunnel.ethernet = false;
  EXPECT_FALSE(is_selected(tunnel, all));
}

HostInterface with_ipv6(const char* name, const char* ip, bool usable = true) {
  auto interface = ethernet(name, false);
  (usable ? interface.addresses : interface.unusable).push_back(*IpAddress::parse(ip));
  return interface;
}

TEST(CaptureSelectionTest, Ipv6OnlyInterfaceIsCapturedUnlessLinkLocalOnly) {
  const InterfaceSelection all;
  EXPECT_TRUE(is_selected(with_ipv6("eth0", "2001:db8::10"), all));
  // Every up interface has one: a node's many container veths are not captured for it.
  EXPECT_FALSE(is_selected(with_ipv6("veth0", "fe80::10"), all));
  auto dual = with_ipv6("eth1", "fe80::10");
  dual.addresses.push_back(*Ipv4Address::parse("192.0.2.1"));
  EXPECT_TRUE(is_selected(dual, all));
  auto both = with_ipv6("eth2", "fe80::10");
  both.addresses.push_back(*IpAddress::parse("2001:db8::12"));
  EXPECT_TRUE(is_selected(both, all));
}

TEST(CaptureSelectionTest, TentativeOrDadFailedAddressCounts) {
  const InterfaceSelection all;
  // Its DAD failed because someone else holds it: exactly the conflict to watch.
  EXPECT_TRUE(is_selected(with_ipv6("eth0", "2001:db8::10", false), all));
  EXPECT_FALSE(is_selected(with_ipv6("eth0", "fe80::10", false), all));
}

TEST(CaptureSelectionTest, IncludeSelectsLinkLocalOnly) {
  const InterfaceSelection selection{.include = std::regex("veth.*"), .exclude = std::nullopt};
  EXPECT_TRUE(is_selected(with_ipv6("veth0", "fe80::10"), selection));
}

TEST(CaptureSelectionTest, IncludeNeedsNoAddressAndExcludeAlwaysWins) {
  InterfaceSelection selection{.include = std::regex("span.*|eth0"), .exclude = std::regex("eth0")};
  EXPECT_TRUE(is_selected(ethernet("span0", false), selection));
  EXPECT_FALSE(is_selected(ethernet("eth0"), selection));
  EXPECT_FALSE(is_selected(ethernet("eth1"), selection));
  EXPECT_FALSE(is_selected(ethernet("xspan0"), selection));  // whole-name match
}

}  // namespace
}  // namespace arp
