#include "core/host_identity.h"

#include <gtest/gtest.h>

#include "tests/unit/fake_clock.h"

namespace arp {
namespace {

using std::chrono::seconds;

const auto kEth0Mac = *MacAddress::parse("52:54:00:00:00:01");  // this host
const auto kEth1Mac = *MacAddress::parse("52:54:00:00:00:02");  // this host, second NIC
const auto kOldMasterMac = *MacAddress::parse("52:54:00:00:00:77");
const auto kThiefMac = *MacAddress::parse("00:50:56:0b:00:0b");
const auto kPeerMac = *MacAddress::parse("02:00:00:00:00:14");
const auto kVip = *Ipv4Address::parse("192.0.2.100");
const auto kPeerIp = *Ipv4Address::parse("192.0.2.20");

using testing::FakeClock;

ResolutionFrame announcement(MacAddress from, Ipv4Address ip) {
  ResolutionFrame frame;
  frame.kind = FrameKind::announcement;
  frame.ethernet_source = frame.sender_mac = from;
  frame.sender_ip = frame.target_ip = ip;
  return frame;
}

ResolutionFrame reply(MacAddress from, Ipv4Address ip) {
  ResolutionFrame frame;
  frame.kind = FrameKind::reply;
  frame.ethernet_source = frame.sender_mac = from;
  frame.sender_ip = ip;
  frame.target_mac = kPeerMac;
  frame.target_ip = kPeerIp;
  return frame;
}

class HostIdentityTest : public ::testing::Test {
 protected:
  FakeClock clock;
  ClaimTracker tracker{ClaimTrackerConfig{.window = seconds(300)}};
  InterfaceIndex eth0 = tracker.add_interface("eth0");
  InterfaceIndex eth1 = tracker.add_interface("eth1");
  HostIdentity host;

  void see(InterfaceIndex interface, const ResolutionFrame& frame, Duration after = seconds(1)) {
    clock.advance(after);
    tracker.observe(interface, frame, clock.now());
  }
};

TEST_F(HostIdentityTest, AnAddressKeepsItsHeldSinceAcrossUpdates) {
  const auto start = clock.now();
  host.update({{eth0, kVip}}, {kEth1Mac, kEth0Mac, kEth0Mac}, clock.now());
  clock.advance(seconds(60));
  host.update({{eth0, kPeerIp}, {eth0, kVip}}, {kEth0Mac}, clock.now());
  ASSERT_EQ(host.addresses().size(), 2U);
  EXPECT_EQ(host.addresses()[0].address, (HostAddress{eth0, kPeerIp}));
  EXPECT_EQ(host.addresses()[0].held_since, clock.now());
  EXPECT_EQ(host.addresses()[1].address, (HostAddress{eth0, kVip}));
  EXPECT_EQ(host.addresses()[1].held_since, start);
  EXPECT_TRUE(host.is_own(kEth0Mac));
  EXPECT_FALSE(host.is_own(kEth1Mac));  // the MAC list is replaced, not merged
}

TEST_F(HostIdentityTest, AnAddressDroppedAndAddedAgainIsHeldAnew) {
  host.update({{eth0, kVip}}, {kEth0Mac}, clock.now());
  clock.advance(seconds(10));
  host.update({}, {kEth0Mac}, clock.now());
  clock.advance(seconds(10));
  host.update({{eth0, kVip}}, {kEth0Mac}, clock.now());
  EXPECT_EQ(host.addresses().at(0).held_since, clock.now());
}

// keepalived without a virtual MAC: the old master announced the VIP until it failed over,
// then this host took it. The previous holder is no thief.
TEST_F(HostIdentityTest, TheVipsPreviousHolderIsNotAnOwnAddressClaim) {
  for (int i = 0; i < 5; ++i) see(eth0, announcement(kOldMasterMac, kVip), seconds(10));
  clock.advance(seconds(1));
  host.update({{eth0, kVip}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth0, announcement(kEth0Mac, kVip));
  see(eth0, reply(kEth0Mac, kVip), seconds(5));
  ASSERT_EQ(tracker.claimants({kVip, {}, eth0}, clock.now()).size(), 2U);
  EXPECT_TRUE(find_own_address_claims(host, tracker, clock.now()).empty());
}

TEST_F(HostIdentityTest, AMacClaimingTheAddressAfterThisHostHeldItIsAnOwnAddressClaim) {
  host.update({{eth0, kVip}}, {kEth0Mac}, clock.now());
  see(eth0, reply(kEth0Mac, kVip));
  see(eth0, announcement(kThiefMac, kVip), seconds(20));
  const auto claims = find_own_address_claims(host, tracker, clock.now());
  ASSERT_EQ(claims.size(), 1U);
  EXPECT_EQ(claims[0].key, (AddressKey{kVip, Vlan{}, eth0}));
  EXPECT_EQ(claims[0].claimant.mac, kThiefMac);
}

TEST_F(HostIdentityTest, ThePreviousHolderClaimingAgainAfterTheMoveIsAnOwnAddressClaim) {
  see(eth0, announcement(kOldMasterMac, kVip));
  host.update({{eth0, kVip}}, {kEth0Mac}, clock.now() + seconds(1));
  see(eth0, announcement(kEth0Mac, kVip), seconds(2));
  see(eth0, reply(kOldMasterMac, kVip), seconds(2));  // split brain: both think they own it
  const auto claims = find_own_address_claims(host, tracker, clock.now());
  ASSERT_EQ(claims.size(), 1U);
  EXPECT_EQ(claims[0].claimant.mac, kOldMasterMac);
}

TEST_F(HostIdentityTest, AClaimOnAnotherInterfaceIsNotAClaimOnTheHeldAddress) {
  host.update({{eth0, kVip}}, {kEth0Mac}, clock.now());
  see(eth1, reply(kThiefMac, kVip));  // another segment: another address
  EXPECT_TRUE(find_own_address_claims(host, tracker, clock.now()).empty());
}

// ARP flux: Linux with arp_ignore=0 answers for the address from both NICs on one segment.
TEST_F(HostIdentityTest, TwoOwnMacsAnsweringOnTwoInterfacesAreReported) {
  host.update({{eth0, kVip}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth0, reply(kEth0Mac, kVip));
  see(eth1, reply(kEth1Mac, kVip));
  see(eth1, reply(kEth1Mac, kVip));
  const auto macs = find_own_address_macs(host, tracker, tracker.interface_count(), clock.now());
  ASSERT_EQ(macs.size(), 1U);
  EXPECT_EQ(macs[0].ip, kVip);
  EXPECT_EQ(macs[0].answering, (std::vector<std::pair<InterfaceIndex, MacAddress>>{
                                   {eth0, kEth0Mac}, {eth1, kEth1Mac}}));
  EXPECT_TRUE(find_own_address_claims(host, tracker, clock.now()).empty());
}

TEST_F(HostIdentityTest, OneOwnMacOrAForeignSecondMacIsNotSeveralOwnMacs) {
  host.update({{eth0, kVip}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth0, reply(kEth0Mac, kVip));
  see(eth1, reply(kEth0Mac, kVip));  // the same MAC heard on both: one MAC
  see(eth1, reply(kThiefMac, kVip));
  EXPECT_TRUE(find_own_address_macs(host, tracker, tracker.interface_count(), clock.now()).empty());
}

TEST_F(HostIdentityTest, OwnMacsThatLeftTheWindowAreNotReported) {
  host.update({{eth0, kVip}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth1, reply(kEth1Mac, kVip));
  for (int i = 0; i < 40; ++i) see(eth0, reply(kEth0Mac, kVip), seconds(10));
  EXPECT_TRUE(find_own_address_macs(host, tracker, tracker.interface_count(), clock.now()).empty());
}

// --- IPv6: the same defence over Neighbor Discovery ---

const auto kHostIpv6 = *IpAddress::parse("2001:db8::50");
const auto kLinkLocal = *IpAddress::parse("fe80::1");
const auto kAllNodes = *IpAddress::parse("ff02::1");

// An unsolicited advertisement to all nodes: a DAD defence, or a node announcing its address.
ResolutionFrame advertisement(MacAddress from, IpAddress ip) {
  ResolutionFrame frame;
  frame.protocol = ResolutionProtocol::nd;
  frame.kind = FrameKind::gratuitous_reply;
  frame.ethernet_source = frame.sender_mac = from;
  frame.sender_ip = ip;
  frame.target_ip = kAllNodes;
  frame.ethernet_destination = frame.target_mac = *MacAddress::parse("33:33:00:00:00:01");
  return frame;
}

TEST_F(HostIdentityTest, AnotherMacAdvertisingThisHostsIpv6AddressIsAnOwnAddressClaim) {
  host.update({{eth0, kHostIpv6}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth0, advertisement(kEth0Mac, kHostIpv6));
  see(eth0, advertisement(kThiefMac, kHostIpv6), seconds(20));
  const auto claims = find_own_address_claims(host, tracker, clock.now());
  ASSERT_EQ(claims.size(), 1U);
  EXPECT_EQ(claims[0].key, (AddressKey{kHostIpv6, Vlan{}, eth0}));
  EXPECT_EQ(claims[0].claimant.mac, kThiefMac);
}

// fe80::1 configured on two links is two addresses, each answered by its own NIC: neither a
// claim nor "several own MACs".
TEST_F(HostIdentityTest, OneLinkLocalAddressOnTwoLinksIsNeitherAClaimNorSeveralOwnMacs) {
  host.update({{eth0, kLinkLocal}, {eth1, kLinkLocal}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth0, advertisement(kEth0Mac, kLinkLocal));
  see(eth1, advertisement(kEth1Mac, kLinkLocal));
  EXPECT_TRUE(find_own_address_claims(host, tracker, clock.now()).empty());
  EXPECT_TRUE(find_own_address_macs(host, tracker, tracker.interface_count(), clock.now()).empty());
  // A stranger on one of the links is a claim on that link only.
  see(eth1, advertisement(kThiefMac, kLinkLocal));
  const auto claims = find_own_address_claims(host, tracker, clock.now());
  ASSERT_EQ(claims.size(), 1U);
  EXPECT_EQ(claims[0].key, (AddressKey{kLinkLocal, Vlan{}, eth1}));
}

// Two of this host's MACs on the link of an IPv6 address (balance-alb bonding) is still noted.
TEST_F(HostIdentityTest, TwoOwnMacsOnTheLinkOfAnIpv6AddressAreReported) {
  host.update({{eth0, kHostIpv6}}, {kEth0Mac, kEth1Mac}, clock.now());
  see(eth0, advertisement(kEth0Mac, kHostIpv6));
  see(eth0, advertisement(kEth1Mac, kHostIpv6));
  const auto macs = find_own_address_macs(host, tracker, tracker.interface_count(), clock.now());
  ASSERT_EQ(macs.size(), 1U);
  EXPECT_EQ(macs[0].ip, kHostIpv6);
  EXPECT_EQ(macs[0].answering.size(), 2U);
}

}  // namespace
}  // namespace arp
