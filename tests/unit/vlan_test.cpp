#include "core/vlan.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

TEST(VlanTest, LabelIsEmptyForUntaggedTheIdForOneTagAndOuterDotInnerForQinQ) {
  EXPECT_EQ(Vlan{}.to_string(), "");
  EXPECT_FALSE(Vlan{}.tagged());
  EXPECT_EQ((Vlan{.outer = 0, .inner = 100}.to_string()), "100");
  EXPECT_EQ((Vlan{.outer = 200, .inner = 100}.to_string()), "200.100");
}

TEST(VlanTest, DistinctTagStacksHaveDistinctKeys) {
  EXPECT_NE((Vlan{.outer = 0, .inner = 100}.to_u32()), (Vlan{.outer = 100, .inner = 0}.to_u32()));
  EXPECT_NE((Vlan{.outer = 1, .inner = 4095}.to_u32()), (Vlan{.outer = 2, .inner = 0}.to_u32()));
}

}  // namespace
}  // namespace arp
