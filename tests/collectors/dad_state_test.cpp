#include "collectors/dad_state.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

namespace arp {
namespace {

OwnAddressKey key(int ifindex, const char* text, unsigned prefix_length = 0) {
  OwnAddressKey key{.ifindex = ifindex};
  if (inet_pton(AF_INET6, text, key.bytes.data()) == 1) {
    key.family = AF_INET6;
  } else {
    EXPECT_EQ(inet_pton(AF_INET, text, key.bytes.data()), 1) << text;
    key.family = AF_INET;
    key.prefix_length = prefix_length;
  }
  return key;
}

TEST(DadStateTest, FlagsGiveOneState) {
  EXPECT_EQ(dad_state_of(0), DadState::usable);
  EXPECT_EQ(dad_state_of(IFA_F_PERMANENT), DadState::usable);
  EXPECT_EQ(dad_state_of(IFA_F_TENTATIVE), DadState::tentative);
  EXPECT_EQ(dad_state_of(IFA_F_TENTATIVE | IFA_F_OPTIMISTIC), DadState::tentative);
  // What `ip address` shows as "dadfailed tentative": failure wins.
  EXPECT_EQ(dad_state_of(IFA_F_DADFAILED | IFA_F_TENTATIVE | IFA_F_PERMANENT), DadState::failed);
  EXPECT_EQ(dad_state_of(IFA_F_DADFAILED), DadState::failed);
  // Flags above the low 8 bits (IFA_FLAGS only) change nothing.
  EXPECT_EQ(dad_state_of(IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR), DadState::usable);
}

TEST(DadStateTest, AddressTextIsInetNtop) {
  EXPECT_EQ(address_text(key(2, "2001:db8::10")), "2001:db8::10");
  EXPECT_EQ(address_text(key(2, "fe80::200:ff:fe00:10")), "fe80::200:ff:fe00:10");
  EXPECT_EQ(address_text(key(2, "192.0.2.1", 24)), "192.0.2.1");
}

TEST(DadStateTest, FollowsAnAddressThroughDad) {
  DadTable table(16);
  const auto address = key(2, "2001:db8::10");
  table.apply(address, IFA_F_TENTATIVE | IFA_F_PERMANENT, false);
  ASSERT_EQ(table.entries().size(), 1U);
  EXPECT_EQ(table.entries()[0].state, DadState::tentative);
  // DAD succeeded: the kernel sends RTM_NEWADDR without the flag, and it leaves the table.
  table.apply(address, IFA_F_PERMANENT, false);
  EXPECT_TRUE(table.entries().empty());
}

TEST(DadStateTest, AFailedAddressStaysUntilDeleted) {
  DadTable table(16);
  const auto address = key(3, "2001:db8::10");
  table.apply(address, IFA_F_TENTATIVE, false);
  table.apply(address, IFA_F_TENTATIVE | IFA_F_DADFAILED, false);
  ASSERT_EQ(table.entries().size(), 1U);
  EXPECT_EQ(table.entries()[0].state, DadState::failed);
  EXPECT_EQ(table.entries()[0].key, address);
  // RTM_DELADDR carries the flags the address had: deletion wins.
  table.apply(address, IFA_F_TENTATIVE | IFA_F_DADFAILED, true);
  EXPECT_TRUE(table.entries().empty());
}

TEST(DadStateTest, OneAddressOnTwoInterfacesIsTwoEntries) {
  DadTable table(16);
  table.apply(key(2, "fe80::1"), IFA_F_DADFAILED, false);
  table.apply(key(3, "fe80::1"), IFA_F_TENTATIVE, false);
  const auto entries = table.entries();
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].key.ifindex, 2);
  EXPECT_EQ(entries[0].state, DadState::failed);
  EXPECT_EQ(entries[1].key.ifindex, 3);
  EXPECT_EQ(entries[1].state, DadState::tentative);
}

TEST(DadStateTest, IPv4PrefixLengthIsPartOfTheKey) {
  DadTable table(16);
  table.apply(key(2, "192.0.2.1", 24), IFA_F_DADFAILED, false);
  table.apply(key(2, "192.0.2.1", 25), IFA_F_DADFAILED, false);
  EXPECT_EQ(table.entries().size(), 2U);
  table.apply(key(2, "192.0.2.1", 25), 0, true);
  ASSERT_EQ(table.entries().size(), 1U);
  EXPECT_EQ(table.entries()[0].key.prefix_length, 24U);
}

TEST(DadStateTest, UsableAddressesTakeNoRoomAndAFullTableCountsWhatItRefuses) {
  DadTable table(2);
  for (int i = 0; i < 100; ++i) table.apply(key(2 + i, "2001:db8::1"), IFA_F_PERMANENT, false);
  EXPECT_TRUE(table.entries().empty());
  table.apply(key(2, "2001:db8::1"), IFA_F_TENTATIVE, false);
  table.apply(key(2, "2001:db8::2"), IFA_F_TENTATIVE, false);
  table.apply(key(2, "2001:db8::3"), IFA_F_TENTATIVE, false);  // no room
  EXPECT_EQ(table.entries().size(), 2U);
  EXPECT_EQ(table.overflows(), 1U);
  // A followed address still changes state when the table is full.
  table.apply(key(2, "2001:db8::2"), IFA_F_DADFAILED, false);
  EXPECT_EQ(table.entries()[1].state, DadState::failed);
  EXPECT_EQ(table.overflows(), 1U);
  // Once there is room, the refused address's next message is applied: nothing stays wrong.
  table.apply(key(2, "2001:db8::1"), 0, false);
  table.apply(key(2, "2001:db8::3"), IFA_F_DADFAILED, false);
  ASSERT_EQ(table.entries().size(), 2U);
  EXPECT_EQ(address_text(table.entries()[1].key), "2001:db8::3");
  EXPECT_EQ(table.entries()[1].state, DadState::failed);
}

TEST(DadStateTest, ADumpReplacesTheEntriesAndAddsItsOverflows) {
  DadTable table(1);
  table.apply(key(2, "2001:db8::1"), IFA_F_TENTATIVE, false);
  table.apply(key(2, "2001:db8::2"), IFA_F_TENTATIVE, false);  // refused
  DadTable dumped(1);
  dumped.apply(key(2, "2001:db8::5"), IFA_F_DADFAILED, false);
  dumped.apply(key(2, "2001:db8::6"), IFA_F_DADFAILED, false);  // refused
  table.adopt(std::move(dumped));
  ASSERT_EQ(table.entries().size(), 1U);
  EXPECT_EQ(address_text(table.entries()[0].key), "2001:db8::5");
  EXPECT_EQ(table.overflows(), 2U);
}

}  // namespace
}  // namespace arp
