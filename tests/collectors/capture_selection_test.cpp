#include <gtest/gtest.h>

#include "collectors/capture_manager.h"

namespace arp {
namespace {

HostInterface ethernet(const char* name, bool with_address = true) {
  HostInterface interface {
    .name = name, .up = true, .loopback = false, .ethernet = true, .mac = {}, .addresses = {},
    .networks = {}
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

TEST(CaptureSelectionTest, IncludeNeedsNoAddressAndExcludeAlwaysWins) {
  InterfaceSelection selection{.include = std::regex("span.*|eth0"), .exclude = std::regex("eth0")};
  EXPECT_TRUE(is_selected(ethernet("span0", false), selection));
  EXPECT_FALSE(is_selected(ethernet("eth0"), selection));
  EXPECT_FALSE(is_selected(ethernet("eth1"), selection));
  EXPECT_FALSE(is_selected(ethernet("xspan0"), selection));  // whole-name match
}

}  // namespace
}  // namespace arp
