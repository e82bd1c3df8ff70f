#include "core/claim_tracker.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include "tests/unit/fake_clock.h"
#include "tests/unit/snapshot_at.h"

namespace arp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");  // server A (Intel)
const auto kRogueMac = *MacAddress::parse("00:50:56:0b:00:0b");  // forgotten machine R
const auto kPeerMac = *MacAddress::parse("02:00:00:00:00:14");
const auto kNewNicMac = *MacAddress::parse("3c:fd:fe:00:00:0a");
const auto kSwitchMac = *MacAddress::parse("00:1e:bd:00:00:01");
const auto kServerIp = *Ipv4Address::parse("192.0.2.10");
const auto kPeerIp = *Ipv4Address::parse("192.0.2.20");

using testing::FakeClock;

ResolutionFrame reply(MacAddress from, Ipv4Address ip, Vlan vlan = {}) {
  ResolutionFrame frame;
  frame.kind = FrameKind::reply;
  frame.ethernet_source = frame.sender_mac = from;
  frame.sender_ip = ip;
  frame.target_mac = kPeerMac;
  frame.target_ip = kPeerIp;
  frame.vlan = vlan;
  return frame;
}

ResolutionFrame request(MacAddress from, Ipv4Address sender_ip, Ipv4Address target_ip) {
  ResolutionFrame frame;
  frame.kind = FrameKind::request;
  frame.ethernet_source = frame.sender_mac = from;
  frame.sender_ip = sender_ip;
  frame.target_ip = target_ip;
  return frame;
}

ResolutionFrame probe(MacAddress from, Ipv4Address target_ip) {
  ResolutionFrame frame = request(from, Ipv4Address(), target_ip);
  frame.kind = FrameKind::probe;
  return frame;
}

class ClaimTrackerTest : public ::testing::Test {
 protected:
  ClaimTrackerConfig config{.window = seconds(300), .max_addresses = 1000};
  ClaimTracker tracker{config};
  FakeClock clock;
  InterfaceIndex eth0 = tracker.add_interface("eth0");

  ClaimEvent see(const ResolutionFrame& frame, Duration after = seconds(1)) {
    clock.advance(after);
    return tracker.observe(eth0, frame, clock.now());
  }

  std::optional<AddressReport> report_for(Ipv4Address ip, Vlan vlan = {}) {
    for (auto& address : testing::snapshot_at(tracker, clock.now()).addresses) {
      if (address.key.ip == ip && address.key.vlan == vlan) return address;
    }
    return std::nullopt;
  }

  InterfaceReport interface_report() {
    return testing::snapshot_at(tracker, clock.now()).interfaces.at(eth0);
  }
};

TEST_F(ClaimTrackerTest, OneMacIsStableAndNotReported) {
  EXPECT_EQ(see(reply(kOwnerMac, kServerIp)), ClaimEvent::new_address);
  EXPECT_EQ(see(request(kOwnerMac, kServerIp, kPeerIp)), ClaimEvent::refreshed);
  EXPECT_FALSE(report_for(kServerIp));
  const auto claimants = tracker.claimants({kServerIp, {}, eth0}, clock.now());
  ASSERT_EQ(claimants.size(), 1U);
  EXPECT_EQ(claimants[0].frames, 2U);
  EXPECT_EQ(interface_report().tracked, 1U);
  EXPECT_EQ(interface_report().contested, 0U);
}

// The incident: A and the forgotten machine R both answer for 192.0.2.10, interleaved.
TEST_F(ClaimTrackerTest, TheIncidentTimelineIsContested) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kOwnerMac, kServerIp), seconds(20));
  EXPECT_EQ(see(reply(kRogueMac, kServerIp), seconds(3)), ClaimEvent::new_claimant);
  EXPECT_EQ(see(reply(kOwnerMac, kServerIp), std::chrono::milliseconds(2)),
            ClaimEvent::returning_claimant);
  see(request(kRogueMac, kServerIp, kPeerIp), seconds(30));
  see(reply(kOwnerMac, kServerIp), seconds(5));

  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::contested);
  ASSERT_EQ(report->claimants.size(), 2U);
  EXPECT_EQ(report->claimants[0].mac, kOwnerMac);  // oldest first
  EXPECT_EQ(report->claimants[0].frames, 4U);
  EXPECT_EQ(report->claimants[1].mac, kRogueMac);
  EXPECT_EQ(report->claimants[1].frames, 2U);
  const auto counters = interface_report();
  EXPECT_EQ(counters.contested, 1U);
  EXPECT_EQ(counters.mac_changes, 4U);
  EXPECT_EQ(counters.moves, 1U);
  EXPECT_EQ(counters.flaps, 3U);
}

// A scrape reads; only refresh() (the exporter's verifier, a few times a second) lets time
// change a verdict. Otherwise when an address settled would depend on when somebody looked.
TEST_F(ClaimTrackerTest, SnapshotReadsAndOnlyRefreshLetsTimeChangeAVerdict) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp));
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp));
  tracker.refresh(clock.now());
  ASSERT_EQ(tracker.snapshot().addresses.size(), 1U);
  EXPECT_EQ(tracker.snapshot().addresses[0].state, AddressState::contested);

  // Both fall silent and their claims leave the window.
  clock.advance(config.window + seconds(1));
  const auto unrefreshed = tracker.snapshot();
  ASSERT_EQ(unrefreshed.addresses.size(), 1U);
  EXPECT_EQ(unrefreshed.addresses[0].state, AddressState::contested);
  EXPECT_EQ(unrefreshed.interfaces.at(eth0).tracked, 1U);
  EXPECT_EQ(tracker.snapshot().addresses.size(), 1U);  // reading twice changed nothing

  tracker.refresh(clock.now());
  EXPECT_TRUE(tracker.snapshot().addresses.empty());
  EXPECT_EQ(tracker.snapshot().interfaces.at(eth0).contested, 0U);
  EXPECT_EQ(tracker.tracked(), 0U);
}

TEST_F(ClaimTrackerTest, ConflictEndsWhenTheRogueIsSilentForAWindow) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp));
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp));
  ASSERT_EQ(report_for(kServerIp)->state, AddressState::contested);
  for (int i = 0; i < 40; ++i) see(reply(kOwnerMac, kServerIp), seconds(10));  // 400 s of A only
  EXPECT_FALSE(report_for(kServerIp));
  EXPECT_EQ(interface_report().contested, 0U);
  EXPECT_EQ(tracker.claimants({kServerIp, {}, eth0}, clock.now()).size(), 1U);
}

TEST_F(ClaimTrackerTest, ANicReplacementIsAMoveNeverAConflict) {
  for (int i = 0; i < 10; ++i) see(reply(kOwnerMac, kServerIp), seconds(10));
  EXPECT_EQ(see(request(kNewNicMac, kServerIp, kPeerIp), seconds(120)), ClaimEvent::new_claimant);
  for (int i = 0; i < 10; ++i) {
    see(reply(kNewNicMac, kServerIp), seconds(10));
    const auto report = report_for(kServerIp);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->state, AddressState::moved);
  }
  EXPECT_EQ(interface_report().moves, 1U);
  EXPECT_EQ(interface_report().flaps, 0U);
  // Once the change is older than the window the address is simply stable again.
  for (int i = 0; i < 40; ++i) see(reply(kNewNicMac, kServerIp), seconds(10));
  EXPECT_FALSE(report_for(kServerIp));
  EXPECT_EQ(interface_report().moved, 0U);
}

TEST_F(ClaimTrackerTest, ProbesNeverMakeAnAddressContestedNorTrackZero) {
  see(reply(kOwnerMac, kServerIp));
  // A DHCP client checking a lease, and a switch's IP device tracking, again and again.
  EXPECT_EQ(see(probe(kPeerMac, kServerIp)), ClaimEvent::probe_for_claimed);
  for (int i = 0; i < 100; ++i) see(probe(kSwitchMac, kServerIp), seconds(2));
  EXPECT_EQ(see(probe(kOwnerMac, kServerIp)), ClaimEvent::probe);  // the owner re-checking
  EXPECT_EQ(see(probe(kPeerMac, *Ipv4Address::parse("192.0.2.99"))), ClaimEvent::probe);
  see(reply(kOwnerMac, kServerIp));

  EXPECT_FALSE(report_for(kServerIp));
  EXPECT_TRUE(tracker.claimants({Ipv4Address(), {}, eth0}, clock.now()).empty());
  const auto counters = interface_report();
  EXPECT_EQ(counters.tracked, 1U);
  EXPECT_EQ(counters.probes, 103U);
  EXPECT_EQ(counters.probes_for_claimed, 101U);
  EXPECT_EQ(counters.mac_changes, 0U);
}

// A holder that had said nothing in the window answers a probe for its address (RFC 5227
// defence, or the advertisement that makes a DAD probe fail): a probe for a claimed address
// all the same, seen the other way round.
TEST_F(ClaimTrackerTest, AProbeAnsweredByAHolderUnknownBeforeCountsAsAProbeForAClaimedAddress) {
  const auto other_ip = *Ipv4Address::parse("192.0.2.99");
  EXPECT_EQ(see(probe(kPeerMac, kServerIp)), ClaimEvent::probe);
  EXPECT_EQ(see(reply(kOwnerMac, kServerIp)), ClaimEvent::probe_answered);
  EXPECT_EQ(interface_report().probes_for_claimed, 1U);
  EXPECT_EQ(see(reply(kOwnerMac, kServerIp)), ClaimEvent::refreshed);  // one probe counts once

  // The prober announcing the address it found free is no answer; neither is a holder that
  // speaks up long after the probe.
  see(probe(kPeerMac, other_ip));
  EXPECT_EQ(see(reply(kPeerMac, other_ip)), ClaimEvent::new_address);
  const auto late_ip = *Ipv4Address::parse("192.0.2.98");
  see(probe(kPeerMac, late_ip));
  EXPECT_EQ(see(reply(kOwnerMac, late_ip), seconds(10)), ClaimEvent::new_address);
  EXPECT_EQ(interface_report().probes_for_claimed, 1U);
  EXPECT_FALSE(report_for(kServerIp));
}

TEST_F(ClaimTrackerTest, SenderThatCannotOwnAnAddressIsNotAClaim) {
  auto forged = reply(*MacAddress::parse("ff:ff:ff:ff:ff:ff"), kServerIp);
  forged.sender_mac_invalid = true;
  EXPECT_EQ(see(forged), ClaimEvent::not_a_claim);
  auto zero_sender_reply = reply(kOwnerMac, Ipv4Address());
  EXPECT_EQ(see(zero_sender_reply), ClaimEvent::not_a_claim);
  EXPECT_EQ(tracker.tracked(), 0U);
}

TEST_F(ClaimTrackerTest, TheSameIpInTwoVlansIsTwoAddresses) {
  const Vlan red{.outer = 0, .inner = 100};
  const Vlan blue{.outer = 0, .inner = 200};
  for (int i = 0; i < 5; ++i) {
    see(reply(kOwnerMac, kServerIp, red));
    see(reply(kRogueMac, kServerIp, blue));
  }
  EXPECT_FALSE(report_for(kServerIp, red));
  EXPECT_FALSE(report_for(kServerIp, blue));
  EXPECT_EQ(tracker.tracked(), 2U);
  EXPECT_EQ(interface_report().mac_changes, 0U);
}

TEST_F(ClaimTrackerTest, TheSameIpOnTwoInterfacesIsTwoAddresses) {
  const auto eth1 = tracker.add_interface("eth1");
  EXPECT_EQ(tracker.add_interface("eth0"), eth0);
  EXPECT_EQ(tracker.interface_name(eth1), "eth1");
  for (int i = 0; i < 5; ++i) {
    see(reply(kOwnerMac, kServerIp));
    tracker.observe(eth1, reply(kRogueMac, kServerIp), clock.now());
  }
  const auto snapshot = testing::snapshot_at(tracker, clock.now());
  EXPECT_TRUE(snapshot.addresses.empty());
  EXPECT_EQ(snapshot.interfaces.at(eth1).tracked, 1U);
}

TEST_F(ClaimTrackerTest, ClaimsExpireAfterTheWindow) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kPeerMac, kPeerIp), seconds(200));
  clock.advance(seconds(101));  // the server's claim is now 301 s old, the peer's 101 s
  EXPECT_TRUE(tracker.claimants({kServerIp, {}, eth0}, clock.now()).empty());
  const auto counters = interface_report();
  EXPECT_EQ(counters.tracked, 1U);
  EXPECT_EQ(counters.expirations, 1U);
  EXPECT_EQ(tracker.tracked(), 1U);
}

TEST_F(ClaimTrackerTest, AClaimantThatLeftTheWindowIsNewAgainWhenItReturns) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kNewNicMac, kServerIp), seconds(10));
  for (int i = 0; i < 40; ++i) see(reply(kNewNicMac, kServerIp), seconds(10));
  // The old NIC comes back 400 s later (the card went into another server's slot, say):
  // another move, not a flap.
  EXPECT_EQ(see(reply(kOwnerMac, kServerIp)), ClaimEvent::new_claimant);
  EXPECT_EQ(report_for(kServerIp)->state, AddressState::moved);
  EXPECT_EQ(interface_report().flaps, 0U);
}

TEST_F(ClaimTrackerTest, ClaimantsPerAddressAreCapped) {
  ClaimTracker small({.window = seconds(300), .max_addresses = 10, .max_claimants_per_address = 4});
  const auto eth = small.add_interface("eth0");
  for (std::uint8_t i = 0; i < 50; ++i) {
    clock.advance(seconds(1));
    small.observe(eth, reply(MacAddress({0x02, 0, 0, 0, 1, i}), kServerIp), clock.now());
  }
  const auto snapshot = testing::snapshot_at(small, clock.now());
  ASSERT_EQ(snapshot.addresses.size(), 1U);
  EXPECT_EQ(snapshot.addresses[0].claimants.size(), 4U);
  EXPECT_EQ(snapshot.addresses[0].claimants.back().mac, MacAddress({0x02, 0, 0, 0, 1, 49}));
  EXPECT_EQ(snapshot.interfaces[eth].claimant_evictions, 46U);
}

TEST_F(ClaimTrackerTest, OldestAddressIsEvictedAtTheCap) {
  ClaimTracker small({.window = seconds(300), .max_addresses = 3});
  const auto eth = small.add_interface("eth0");
  for (std::uint32_t i = 1; i <= 4; ++i) {
    clock.advance(seconds(1));
    small.observe(eth, reply(kOwnerMac, Ipv4Address(0xc0000200 + i)), clock.now());
    // Address 1 keeps claiming, so address 2 is the least recently seen when 4 arrives.
    if (i == 3) small.observe(eth, reply(kOwnerMac, Ipv4Address(0xc0000201)), clock.now());
  }
  EXPECT_EQ(small.tracked(), 3U);
  EXPECT_FALSE(small.claimants({Ipv4Address(0xc0000201), {}, eth}, clock.now()).empty());
  EXPECT_TRUE(small.claimants({Ipv4Address(0xc0000202), {}, eth}, clock.now()).empty());
  EXPECT_EQ(testing::snapshot_at(small, clock.now()).interfaces[eth].evictions, 1U);
}

TEST_F(ClaimTrackerTest, AFloodOfNewAddressesDoesNotEvictAContestedOne) {
  ClaimTracker small({.window = seconds(300), .max_addresses = 3});
  const auto eth = small.add_interface("eth0");
  for (const auto& mac : {kOwnerMac, kRogueMac, kOwnerMac, kRogueMac}) {
    clock.advance(seconds(1));
    small.observe(eth, reply(mac, kServerIp), clock.now());
  }
  // Then a scan: many addresses nobody disputes, each newer than the conflict's last claim.
  for (std::uint32_t i = 1; i <= 50; ++i) {
    clock.advance(milliseconds(10));
    small.observe(eth, reply(kRogueMac, Ipv4Address(0xcb007100 + i)), clock.now());
  }
  EXPECT_EQ(small.tracked(), 3U);
  const auto snapshot = testing::snapshot_at(small, clock.now());
  ASSERT_EQ(snapshot.addresses.size(), 1U);
  EXPECT_EQ(snapshot.addresses[0].key.ip, kServerIp);
  EXPECT_EQ(snapshot.addresses[0].state, AddressState::contested);
  EXPECT_EQ(snapshot.interfaces[eth].evictions, 48U);
}

// A flood of a million distinct IPs and MACs (a scan, or a hostile host) stays within the cap.
TEST_F(ClaimTrackerTest, AMillionDistinctClaimsStayWithinTheCap) {
  constexpr std::size_t kCap = 10'000;
  ClaimTracker bounded({.window = seconds(300), .max_addresses = kCap});
  const auto eth = bounded.add_interface("eth0");
  const auto heap_in_use = [] { return mallinfo2().uordblks; };
  std::size_t heap_at_cap = 0;
  for (std::uint32_t i = 0; i < 1'000'000; ++i) {
    const MacAddress mac({0x02, 0, static_cast<std::uint8_t>(i >> 24U),
                          static_cast<std::uint8_t>(i >> 16U), static_cast<std::uint8_t>(i >> 8U),
                          static_cast<std::uint8_t>(i)});
    bounded.observe(eth, reply(mac, Ipv4Address(0x0a000000 + i)), clock.now());
    if (i == 2 * kCap) heap_at_cap = heap_in_use();
  }
  EXPECT_EQ(bounded.tracked(), kCap);
  const auto snapshot = testing::snapshot_at(bounded, clock.now());
  EXPECT_EQ(snapshot.interfaces[eth].tracked, kCap);
  EXPECT_EQ(snapshot.interfaces[eth].evictions, 1'000'000 - kCap);
  // Memory does not grow with the flood once the cap is reached (allow allocator slack).
  EXPECT_LT(heap_in_use(), heap_at_cap + heap_at_cap / 10);
}

// --- Passive rules and verification rounds ---

const auto kVirtualMac = *MacAddress::parse("00:00:5e:00:01:01");  // VRRP virtual MAC
const auto kBackupMac = *MacAddress::parse("00:1b:21:0c:00:0c");   // VRRP backup's real MAC

struct VerdictChange {
  AddressState state;
  AddressState previous;
  bool operator==(const VerdictChange&) const = default;
};

// Keeps the changes of verdict (the observer also hears claimant changes with an unchanged one).
class VerdictRecorder : public VerdictObserver {
 public:
  void verdict_changed(const AddressReport& address, AddressState previous,
                       Timestamp /*now*/) override {
    if (address.state != previous) changes.push_back({address.state, previous});
  }
  std::vector<VerdictChange> changes;
};

class ClaimTrackerVerificationTest : public ClaimTrackerTest {
 protected:
  ClaimTrackerVerificationTest() { tracker.set_observer(&recorder); }

  const AddressKey server{kServerIp, {}, 0};
  VerdictRecorder recorder;

  void round_heard(std::vector<MacAddress> answers, Duration after = seconds(1)) {
    clock.advance(after);
    tracker.verified(server, VerificationResult{.answers = std::move(answers), .started = {}},
                     clock.now());
  }
  AddressState state() {
    const auto report = report_for(kServerIp);
    return report ? report->state : AddressState::stable;
  }
};

TEST_F(ClaimTrackerVerificationTest, PassiveSingleReturnIsFlappedNotContested) {
  see(reply(kVirtualMac, kServerIp));
  see(request(kBackupMac, kServerIp, kServerIp));
  see(reply(kVirtualMac, kServerIp), milliseconds(20));
  EXPECT_EQ(state(), AddressState::flapped);
  for (int i = 0; i < 20; ++i) see(reply(kVirtualMac, kServerIp), seconds(10));
  EXPECT_EQ(state(), AddressState::flapped);
  EXPECT_EQ(interface_report().flapped, 1U);
  EXPECT_EQ(interface_report().contested, 0U);
}

TEST_F(ClaimTrackerVerificationTest, PassiveTwoMacsEachReturningIsContested) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp));
  see(reply(kOwnerMac, kServerIp));
  EXPECT_EQ(state(), AddressState::flapped);
  see(reply(kRogueMac, kServerIp));
  EXPECT_EQ(state(), AddressState::contested);
}

TEST_F(ClaimTrackerVerificationTest, TwoAnswersAreContestedWithoutAnyAlternation) {
  see(reply(kOwnerMac, kServerIp));
  see(request(kRogueMac, kServerIp, kServerIp), seconds(60));
  ASSERT_EQ(state(), AddressState::moved);
  round_heard({kOwnerMac, kRogueMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::contested);
  EXPECT_TRUE(report->verified);
  EXPECT_EQ(recorder.changes.back(), (VerdictChange{AddressState::contested, AddressState::moved}));
}

TEST_F(ClaimTrackerVerificationTest, AVerifiedConflictStaysUntilALaterAnsweredRoundSaysOtherwise) {
  see(reply(kOwnerMac, kServerIp));
  see(request(kRogueMac, kServerIp, kServerIp), seconds(60));
  round_heard({kOwnerMac, kRogueMac});
  see(reply(kRogueMac, kServerIp), seconds(20));
  EXPECT_EQ(state(), AddressState::contested);
  round_heard({}, seconds(10));  // nobody answered: no news
  EXPECT_EQ(state(), AddressState::contested);
  round_heard({kRogueMac}, seconds(10));  // only the newest answers now: it moved
  EXPECT_EQ(state(), AddressState::moved);
}

TEST_F(ClaimTrackerVerificationTest, OneAnswerFromTheNewestClaimantIsMoved) {
  see(reply(kOwnerMac, kServerIp));
  see(request(kNewNicMac, kServerIp, kServerIp), seconds(60));
  round_heard({kNewNicMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::moved);
  EXPECT_TRUE(report->verified);
}

TEST_F(ClaimTrackerVerificationTest, OneAnswerFromAnOlderClaimantIsFlapped) {
  see(reply(kOwnerMac, kServerIp));
  see(request(kRogueMac, kServerIp, kServerIp), seconds(60));
  round_heard({kOwnerMac});
  EXPECT_EQ(state(), AddressState::flapped);
}

// A round answered before the latest change cannot vouch for what came after it.
TEST_F(ClaimTrackerVerificationTest, AnAnswerOlderThanTheLatestChangeLeavesThePassiveVerdict) {
  see(reply(kOwnerMac, kServerIp));
  see(request(kRogueMac, kServerIp, kServerIp), seconds(60));
  round_heard({kRogueMac});
  ASSERT_EQ(state(), AddressState::moved);
  see(reply(kOwnerMac, kServerIp), seconds(5));
  EXPECT_EQ(state(), AddressState::flapped);
  see(reply(kRogueMac, kServerIp), seconds(5));
  EXPECT_EQ(state(), AddressState::contested);
}

// A keepalived pair failing over R1 -> R2 -> R1 -> R2 faster than rounds may follow each other.
// Passive evidence alone says contested; with verification on (a round grace) the verdict
// waits for the round asked once the address interval has passed, answered by R2, the holder,
// alone: it moved. Never contested on the way.
TEST_F(ClaimTrackerVerificationTest, AQuickDoubleFailoverAnsweredByTheHolderAloneIsMoved) {
  tracker.set_round_grace(seconds(16));
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp), seconds(60));
  round_heard({kRogueMac});
  ASSERT_EQ(state(), AddressState::moved);
  see(reply(kOwnerMac, kServerIp), seconds(2));
  see(reply(kRogueMac, kServerIp), seconds(2));
  EXPECT_EQ(state(), AddressState::flapped);  // held: a round is due
  clock.advance(seconds(6));
  tracker.verified(server, VerificationResult{.answers = {kRogueMac}, .started = clock.now()},
                   clock.now() + seconds(1));
  clock.advance(seconds(1));
  EXPECT_EQ(state(), AddressState::moved);
  for (const auto& change : recorder.changes) EXPECT_NE(change.state, AddressState::contested);
}

// Without verification (no grace) the same frames are contested at once, and with it, when
// the round that was due never comes (or nobody answers it), once the grace is over.
TEST_F(ClaimTrackerVerificationTest, AQuickDoubleFailoverNobodyAsksAboutIsContested) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp), seconds(60));
  round_heard({kRogueMac});
  see(reply(kOwnerMac, kServerIp), seconds(2));
  see(reply(kRogueMac, kServerIp), seconds(2));
  EXPECT_EQ(state(), AddressState::contested);

  tracker.set_round_grace(seconds(16));
  see(reply(kOwnerMac, kServerIp), seconds(60));
  see(reply(kRogueMac, kServerIp), seconds(1));
  round_heard({kRogueMac});  // answered by the holder alone: moved, and the grace starts anew
  see(reply(kOwnerMac, kServerIp), seconds(2));
  see(reply(kRogueMac, kServerIp), seconds(2));
  EXPECT_EQ(state(), AddressState::flapped);
  round_heard({}, seconds(8));  // nobody answered the round that was due
  EXPECT_EQ(state(), AddressState::flapped);
  clock.advance(seconds(7));  // 17 s after the first change since the answered round
  EXPECT_EQ(state(), AddressState::contested);
}

// The look-alike of that failover: two MACs taking an address in turn, and when asked, the
// one that took it last keeps quiet while the other answers (its answer, a claim, takes the
// address back during the round). Not a failover: the alternation stands, and later claims
// by the quiet one keep it contested (the grace holds an address once, never one contested).
TEST_F(ClaimTrackerVerificationTest, AnAlternationWhoseLatestClaimantIgnoresProbesStaysContested) {
  tracker.set_round_grace(seconds(16));
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp), seconds(60));
  round_heard({kOwnerMac});
  ASSERT_EQ(state(), AddressState::flapped);
  see(reply(kOwnerMac, kServerIp), seconds(2));
  see(reply(kRogueMac, kServerIp), seconds(2));
  ASSERT_EQ(state(), AddressState::flapped);  // held: a round is due
  clock.advance(seconds(6));
  const auto started = clock.now();
  see(reply(kOwnerMac, kServerIp), milliseconds(10));  // the owner's answer
  tracker.verified(server, VerificationResult{.answers = {kOwnerMac}, .started = started},
                   clock.now() + seconds(1));
  clock.advance(seconds(1));
  EXPECT_EQ(state(), AddressState::contested);
  see(reply(kRogueMac, kServerIp), seconds(3));
  EXPECT_EQ(state(), AddressState::contested);
  see(reply(kOwnerMac, kServerIp), seconds(3));
  EXPECT_EQ(state(), AddressState::contested);
}

TEST_F(ClaimTrackerVerificationTest, AnUnansweredRoundLeavesThePassiveVerdict) {
  see(reply(kOwnerMac, kServerIp));
  see(reply(kRogueMac, kServerIp));
  see(reply(kOwnerMac, kServerIp));
  round_heard({});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::flapped);
  EXPECT_FALSE(report->verified);
}

TEST_F(ClaimTrackerVerificationTest, TheSoleClaimantAnsweringAloneStaysStable) {
  see(reply(kOwnerMac, kServerIp));
  round_heard({kOwnerMac});
  EXPECT_FALSE(report_for(kServerIp));
  EXPECT_TRUE(recorder.changes.empty());
}

// Time alone ends it: the round that found both left the window, the rogue never claimed again.
TEST_F(ClaimTrackerVerificationTest, ObserverSeesAVerifiedConflictThenItsEndOnRefresh) {
  see(reply(kOwnerMac, kServerIp));
  see(request(kRogueMac, kServerIp, kServerIp), seconds(60));
  round_heard({kOwnerMac, kRogueMac});
  for (int i = 0; i < 40; ++i) see(reply(kOwnerMac, kServerIp), seconds(10));
  tracker.refresh(clock.now());
  EXPECT_EQ(state(), AddressState::stable);
  EXPECT_EQ(recorder.changes,
            (std::vector<VerdictChange>{{AddressState::moved, AddressState::stable},
                                        {AddressState::contested, AddressState::moved},
                                        {AddressState::stable, AddressState::contested}}));
}

TEST_F(ClaimTrackerVerificationTest, AContestedAddressEvictedIsToldStable) {
  ClaimTracker small({.window = seconds(300), .max_addresses = 1});
  const auto eth = small.add_interface("eth0");
  small.set_observer(&recorder);
  for (const auto& mac : {kOwnerMac, kRogueMac, kOwnerMac, kRogueMac}) {
    clock.advance(seconds(1));
    small.observe(eth, reply(mac, kServerIp), clock.now());
  }
  ASSERT_FALSE(recorder.changes.empty());
  ASSERT_EQ(recorder.changes.back().state, AddressState::contested);
  small.observe(eth, reply(kPeerMac, kPeerIp), clock.now());
  EXPECT_EQ(recorder.changes.back(),
            (VerdictChange{AddressState::stable, AddressState::contested}));
}

TEST_F(ClaimTrackerVerificationTest, AContestedAddressExpiredIsToldStable) {
  for (const auto& mac : {kOwnerMac, kRogueMac, kOwnerMac, kRogueMac}) see(reply(mac, kServerIp));
  ASSERT_EQ(recorder.changes.back().state, AddressState::contested);
  clock.advance(seconds(301));
  tracker.refresh(clock.now());
  EXPECT_TRUE(tracker.claimants(server, clock.now()).empty());
  EXPECT_EQ(recorder.changes.back(),
            (VerdictChange{AddressState::stable, AddressState::contested}));
}

}  // namespace
}  // namespace arp
