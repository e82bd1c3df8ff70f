#include "core/mac_address.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

TEST(MacAddressTest, ParsesTheCommonTextForms) {
  const auto expected = MacAddress({0x02, 0x00, 0x00, 0x00, 0x00, 0x0a});
  EXPECT_EQ(MacAddress::parse("02:00:00:00:00:0a"), expected);
  EXPECT_EQ(MacAddress::parse("02-00-00-00-00-0A"), expected);
  EXPECT_EQ(MacAddress::parse("0200.0000.000a"), expected);
}

TEST(MacAddressTest, RejectsMalformedText) {
  for (const auto* text :
       {"", "02:00:00:00:00", "02:00:00:00:00:0a:", "02:00:00:00:00:0g", "02:00-00:00:00:0a",
        "0200.0000.000", "020000000000a", "02:00:00:00:00:0a ", " 2:00:00:00:00:0a"}) {
    EXPECT_FALSE(MacAddress::parse(text)) << text;
  }
}

TEST(MacAddressTest, PrintsLowercaseColonHex) {
  EXPECT_EQ(MacAddress::parse("00-1B-21-AA-BB-CC")->to_string(), "00:1b:21:aa:bb:cc");
  EXPECT_EQ(MacAddress().to_string(), "00:00:00:00:00:00");
}

TEST(MacAddressTest, ClassifiesSpecialAddresses) {
  const auto broadcast = *MacAddress::parse("ff:ff:ff:ff:ff:ff");
  EXPECT_TRUE(broadcast.is_broadcast());
  EXPECT_TRUE(broadcast.is_multicast());
  EXPECT_TRUE(MacAddress().is_zero());
  EXPECT_TRUE(MacAddress::parse("01:00:5e:00:00:01")->is_multicast());
  EXPECT_TRUE(MacAddress::parse("33:33:00:00:00:01")->is_multicast());
  const auto vm = *MacAddress::parse("02:42:ac:11:00:02");
  EXPECT_TRUE(vm.is_locally_administered());
  EXPECT_FALSE(vm.is_multicast());
  const auto intel = *MacAddress::parse("00:1b:21:00:00:01");
  EXPECT_FALSE(intel.is_locally_administered());
  EXPECT_FALSE(intel.is_multicast());
  EXPECT_EQ(intel.to_u64(), 0x001b21000001ULL);
}

}  // namespace
}  // namespace arp
