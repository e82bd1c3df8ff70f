// Verdicts for IPv6 addresses (issue 12): the same pipeline, tracker and prober as for IPv4,
// fed Neighbor Discovery frames. The situations that look alike on the wire, as in
// arp_pipeline_test.cpp: a NIC swap and a failover are moves, two machines answering one round
// of DAD probes is the conflict, and a joining host's DAD probe claims nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/arp_pipeline.h"
#include "core/nd_probe.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/nd_frame_builder.h"
#include "tests/unit/snapshot_at.h"

namespace arp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::build_nd_frame;
using testing::FakeClock;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
MacAddress mac(const char* text) { return *MacAddress::parse(text); }

const MacAddress kOwnerMac = mac("00:1b:21:0a:00:0a");    // server A
const MacAddress kRogueMac = mac("00:50:56:0b:00:0b");    // cloned VM B
const MacAddress kNewNicMac = mac("3c:fd:fe:00:00:0a");   // A's replacement NIC
const MacAddress kVirtualMac = mac("00:00:5e:00:02:01");  // VRRPv3 IPv6 virtual MAC
const MacAddress kBackupMac = mac("00:1b:21:0c:00:0c");   // the backup router's own MAC
const MacAddress kHostMac = mac("52:54:00:00:00:01");     // this host
const MacAddress kPeerMac = mac("02:00:00:00:00:14");
const MacAddress kJoinerMac = mac("02:00:00:00:00:30");
const IpAddress kServerIp = ip("2001:db8::10");
const IpAddress kHostIp = ip("2001:db8::50");
const IpAddress kPeerIp = ip("2001:db8::14");
const IpAddress kLinkLocal = ip("fe80::10");

std::vector<std::byte> claim(MacAddress from, IpAddress address) {
  return build_nd_frame(testing::solicited_advertisement(from, address, kPeerMac, kPeerIp));
}
std::vector<std::byte> announcement(MacAddress from, IpAddress address) {
  return build_nd_frame(testing::unsolicited_advertisement(from, address));
}
std::vector<std::byte> dad_probe(MacAddress from, IpAddress address) {
  return build_nd_frame(testing::dad_solicitation(from, address));
}

class NdPipelineTest : public ::testing::Test {
 protected:
  FakeClock clock;
  ArpPipeline pipeline{ClaimTrackerConfig{.window = seconds(300)}, ClaimFilter{},
                       ProbePlannerConfig{}};
  InterfaceIndex eth0 = pipeline.add_interface("eth0");
  std::vector<ProbeFrame> probes_sent;

  PipelineOutcome see(const std::vector<std::byte>& frame, Duration after = milliseconds(1),
                      InterfaceIndex interface = 0) {
    clock.advance(after);
    return pipeline.process(interface, frame, clock.now());
  }

  // Runs the verifier for `total`: every probe is sent as the edges would send it, and the MACs
  // in `answering` (the machines that hold the address) defend it a few ms later.
  void run(Duration total, const std::vector<MacAddress>& answering) {
    const auto step = milliseconds(50);
    for (Duration elapsed{}; elapsed < total; elapsed += step) {
      clock.advance(step);
      for (const auto& probe : pipeline.advance(clock.now())) {
        probes_sent.push_back(build_probe(kHostMac, probe.key.vlan, probe.key.ip));
        for (const auto& holder : answering) see(announcement(holder, probe.key.ip));
      }
    }
  }

  std::optional<AddressReport> report_for(const IpAddress& address) {
    for (auto& report : testing::snapshot_at(pipeline, clock.now()).tracker.addresses) {
      if (report.key.ip == address) return report;
    }
    return std::nullopt;
  }
  AddressState state_of(const IpAddress& address) {
    const auto report = report_for(address);
    return report ? report->state : AddressState::stable;
  }
  ProbeCounters probe_counters() {
    return testing::snapshot_at(pipeline, clock.now()).probes.at(eth0);
  }
};

std::uint64_t rounds(const ProbeCounters& counters, RoundOutcome outcome) {
  return counters.rounds[static_cast<std::size_t>(outcome)];
}

// The incident over IPv6: A holds the address, the clone B took it too with DAD off and says
// nothing until asked. Passively B's one advertisement is a move; asked, both defend it.
TEST_F(NdPipelineTest, OwnerAndCloneBothDefendingOneRoundIsContested) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  EXPECT_EQ(state_of(kServerIp), AddressState::moved);
  run(seconds(2), {kOwnerMac, kRogueMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::contested);
  EXPECT_TRUE(report->verified);
  EXPECT_EQ(report->key.ip.family(), IpFamily::ipv6);
  ASSERT_EQ(report->claimants.size(), 2U);
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::several_macs), 1U);

  // What went out are DAD solicitations to the address's solicited-node group, not ARP.
  ASSERT_FALSE(probes_sent.empty());
  const auto decoded = decode_frame(probes_sent.front().view());
  ASSERT_TRUE(decoded) << to_string(decoded.error());
  EXPECT_EQ(decoded->protocol, ResolutionProtocol::nd);
  EXPECT_EQ(decoded->kind, FrameKind::probe);
  EXPECT_EQ(decoded->target_ip, kServerIp);
  EXPECT_EQ(decoded->ethernet_destination, ipv6_multicast_mac(solicited_node_group(kServerIp)));
}

// The old NIC is gone: only the new MAC answers. A move, never a page.
TEST_F(NdPipelineTest, NicSwapOnlyTheNewMacAnswersIsMovedNeverContested) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kNewNicMac, kServerIp), seconds(60));
  run(seconds(2), {kNewNicMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::moved);
  EXPECT_TRUE(report->verified);
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::one_mac), 1U);
  run(seconds(60), {kNewNicMac});
  EXPECT_NE(state_of(kServerIp), AddressState::contested);
}

// VRRPv3 for IPv6: the backup's own MAC advertises the virtual address once during a takeover,
// then the virtual MAC again; only the virtual MAC answers the round.
TEST_F(NdPipelineTest, FailoverAnnouncementFromTheBackupIsFlappedNotContested) {
  see(announcement(kVirtualMac, kServerIp));
  see(claim(kVirtualMac, kServerIp), seconds(30));
  see(announcement(kBackupMac, kServerIp), seconds(30));
  see(announcement(kVirtualMac, kServerIp), milliseconds(20));
  run(seconds(2), {kVirtualMac});
  EXPECT_EQ(state_of(kServerIp), AddressState::flapped);
  run(seconds(60), {kVirtualMac});
  EXPECT_NE(state_of(kServerIp), AddressState::contested);
}

// A host joining the link probes for its new address from ::. A probe claims nothing, however
// many there are: no tracked address, nothing contested.
TEST_F(NdPipelineTest, DadProbesAloneClaimNothing) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(see(dad_probe(kJoinerMac, kServerIp), seconds(1)).event, ClaimEvent::probe);
  }
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_EQ(snapshot.tracker.interfaces.at(eth0).tracked, 0U);
  EXPECT_TRUE(snapshot.tracker.addresses.empty());
}

// RFC 4862's conflict itself: a host probes for an address and a holder defends it, so the
// joining host's DAD fails. Whether the holder was heard before or only by its defence, the
// probe is counted as one for a claimed address.
TEST_F(NdPipelineTest, AnAdvertisementAnsweringSomeonesDadProbeIsAProbeForAClaimedAddress) {
  see(dad_probe(kJoinerMac, kServerIp), seconds(10));
  EXPECT_EQ(see(announcement(kOwnerMac, kServerIp), milliseconds(5)).event,
            ClaimEvent::probe_answered);
  EXPECT_EQ(see(dad_probe(kJoinerMac, kServerIp), seconds(1)).event, ClaimEvent::probe_for_claimed);
  EXPECT_EQ(
      testing::snapshot_at(pipeline, clock.now()).tracker.interfaces.at(eth0).probes_for_claimed,
      2U);
  EXPECT_NE(state_of(kServerIp), AddressState::contested);  // one holder: the joiner backs off
}

// fe80::/64 is on every link: one link-local address with two MACs on one link is a conflict,
// the same address on two links is two addresses.
TEST_F(NdPipelineTest, LinkLocalAddressesAreKeptPerLink) {
  const auto eth1 = pipeline.add_interface("eth1");
  see(claim(kOwnerMac, kLinkLocal), milliseconds(1), eth0);
  see(claim(kRogueMac, kLinkLocal), milliseconds(1), eth1);
  see(claim(kOwnerMac, kLinkLocal), seconds(1), eth0);
  see(claim(kRogueMac, kLinkLocal), milliseconds(1), eth1);
  EXPECT_TRUE(testing::snapshot_at(pipeline, clock.now()).tracker.addresses.empty());

  see(claim(kNewNicMac, kLinkLocal), seconds(1), eth0);
  see(claim(kOwnerMac, kLinkLocal), milliseconds(1), eth0);
  const auto report = report_for(kLinkLocal);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->key.interface, eth0);
  EXPECT_EQ(report->claimants.size(), 2U);
}

// This host's own IPv6 address, answered for by another machine when this host asks.
TEST_F(NdPipelineTest, ACloneAnsweringAnOwnIpv6AddressIsAnOwnAddressClaim) {
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac}, {}, clock.now());
  see(announcement(kHostMac, kHostIp));
  run(seconds(2), {kRogueMac});
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  ASSERT_EQ(snapshot.own_claims.size(), 1U);
  EXPECT_EQ(snapshot.own_claims[0].key, (AddressKey{kHostIp, Vlan{}, eth0}));
  EXPECT_EQ(snapshot.own_claims[0].claimant.mac, kRogueMac);
  EXPECT_EQ(state_of(kHostIp), AddressState::contested);
}

}  // namespace
}  // namespace arp
