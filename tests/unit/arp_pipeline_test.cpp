#include "core/arp_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/arp_probe.h"
#include "tests/unit/arp_frame_builder.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/frame_corpus.h"
#include "tests/unit/snapshot_at.h"

namespace arp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ArpPipelineTest, DecodesCountsFiltersAndTracks) {
  const auto frames = testing::load_frames();
  ClaimFilter filter;
  ASSERT_TRUE(filter.add_rule("00:50:56:0b:00:0b"));
  ArpPipeline pipeline({}, filter);
  const auto eth0 = pipeline.add_interface("eth0");
  const Timestamp now{std::chrono::hours(24 * 365 * 50)};

  EXPECT_EQ(pipeline.process(eth0, frames.at("reply"), now).event, ClaimEvent::new_address);
  const auto rogue = pipeline.process(eth0, frames.at("reply_from_rogue"), now);
  EXPECT_EQ(rogue.event, ClaimEvent::not_a_claim);  // ignored by the filter
  ASSERT_NE(rogue.frame, nullptr);
  EXPECT_EQ(rogue.frame->sender_mac.to_string(), "00:50:56:0b:00:0b");
  EXPECT_EQ(pipeline.process(eth0, frames.at("plen_0"), now).frame, nullptr);

  const auto snapshot = testing::snapshot_at(pipeline, now);
  ASSERT_EQ(snapshot.counters.size(), 1U);
  EXPECT_EQ(snapshot.counters[0].frames.frames(FrameKind::reply), 2U);
  EXPECT_EQ(snapshot.counters[0].frames.rejected(RejectReason::bad_protocol_length), 1U);
  EXPECT_EQ(snapshot.counters[0].ignored, 1U);
  EXPECT_EQ(snapshot.tracker.interfaces[0].tracked, 1U);
  EXPECT_TRUE(snapshot.tracker.addresses.empty());
}

// --- Active verification: the situations that look alike on the wire ---

const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");    // server A
const auto kRogueMac = *MacAddress::parse("00:50:56:0b:00:0b");    // forgotten machine R
const auto kNewNicMac = *MacAddress::parse("3c:fd:fe:00:00:0a");   // A's replacement NIC
const auto kVirtualMac = *MacAddress::parse("00:00:5e:00:01:01");  // VRRP virtual MAC
const auto kBackupMac = *MacAddress::parse("00:1b:21:0c:00:0c");   // VRRP backup's real MAC
const auto kHostMac = *MacAddress::parse("52:54:00:00:00:01");     // this host, eth0
const auto kHostMac1 = *MacAddress::parse("52:54:00:00:00:02");    // this host, eth1
const auto kPeerMac = *MacAddress::parse("02:00:00:00:00:14");
const auto kServerIp = *Ipv4Address::parse("192.0.2.10");
const auto kHostIp = *Ipv4Address::parse("192.0.2.50");
const auto kPeerIp = *Ipv4Address::parse("192.0.2.20");

using testing::FakeClock;

const MacAddress kBroadcast({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});

// "ip is-at mac", unicast to a peer that asked.
std::vector<std::byte> claim(MacAddress mac, Ipv4Address ip) {
  return testing::build_arp_frame(2, mac, ip, kPeerMac, kPeerIp, kPeerMac);
}
// A gratuitous announcement, as at link-up or VRRP takeover.
std::vector<std::byte> announcement(MacAddress mac, Ipv4Address ip) {
  return testing::build_arp_frame(1, mac, ip, MacAddress{}, ip, kBroadcast);
}
// The answer to an RFC 5227 probe from `prober`.
std::vector<std::byte> probe_answer(MacAddress mac, Ipv4Address ip, MacAddress prober = kHostMac) {
  return testing::build_arp_frame(2, mac, ip, prober, Ipv4Address(), prober);
}

std::vector<std::byte> bytes_of(const ProbeFrame& frame) {
  return {frame.view().begin(), frame.view().end()};
}

struct VerdictChange {
  IpAddress ip;
  AddressState state;
  AddressState previous;
};

// Keeps the changes of verdict (the observer also hears claimant changes with an unchanged one).
class VerdictRecorder : public VerdictObserver {
 public:
  void verdict_changed(const AddressReport& address, AddressState previous,
                       Timestamp /*now*/) override {
    if (address.state != previous) changes.push_back({address.key.ip, address.state, previous});
  }
  bool ever(AddressState state) const {
    return std::any_of(changes.begin(), changes.end(),
                       [&](const VerdictChange& c) { return c.state == state; });
  }
  std::vector<VerdictChange> changes;
};

class ArpPipelineVerificationTest : public ::testing::Test {
 protected:
  ArpPipelineVerificationTest() { pipeline.set_observer(&recorder); }

  FakeClock clock;
  ArpPipeline pipeline{ClaimTrackerConfig{.window = seconds(300)}, ClaimFilter{},
                       ProbePlannerConfig{}};
  InterfaceIndex eth0 = pipeline.add_interface("eth0");
  VerdictRecorder recorder;
  std::uint64_t probes_sent = 0;

  PipelineOutcome see(const std::vector<std::byte>& frame, Duration after = milliseconds(1)) {
    clock.advance(after);
    return pipeline.process(eth0, frame, clock.now());
  }

  // Runs the verifier for `total`: every probe for an address is answered, a few ms later, by
  // the MACs in `answering` (the hosts that really hold it).
  void run(Duration total, const std::vector<MacAddress>& answering,
           Duration step = milliseconds(50)) {
    for (Duration elapsed{}; elapsed < total; elapsed += step) {
      clock.advance(step);
      const auto probes = pipeline.advance(clock.now());
      probes_sent += probes.size();
      for (const auto& probe : probes) {
        for (const auto& mac : answering) see(probe_answer(mac, probe.key.ip.ipv4()));
      }
    }
  }

  std::optional<AddressReport> report_for(Ipv4Address ip) {
    for (auto& address : testing::snapshot_at(pipeline, clock.now()).tracker.addresses) {
      if (address.key.ip == ip) return address;
    }
    return std::nullopt;
  }
  AddressState state_of(Ipv4Address ip) {
    const auto report = report_for(ip);
    return report ? report->state : AddressState::stable;
  }
  ProbeCounters probe_counters() {
    return testing::snapshot_at(pipeline, clock.now()).probes.at(eth0);
  }
};

std::uint64_t rounds(const ProbeCounters& counters, RoundOutcome outcome) {
  return counters.rounds[static_cast<std::size_t>(outcome)];
}
std::uint64_t sent(const ProbeCounters& counters, ProbeReason reason) {
  return counters.sent[static_cast<std::size_t>(reason)];
}

// The old NIC is gone: only the new MAC answers. A move, never a page.
TEST_F(ArpPipelineVerificationTest, NicSwapOnlyTheNewMacAnswersIsMovedNeverContested) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kNewNicMac, kServerIp), seconds(60));
  run(seconds(2), {kNewNicMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::moved);
  EXPECT_TRUE(report->verified);
  EXPECT_EQ(sent(probe_counters(), ProbeReason::change), 2U);
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::one_mac), 1U);
  run(seconds(60), {kNewNicMac});
  EXPECT_EQ(state_of(kServerIp), AddressState::moved);
  EXPECT_FALSE(recorder.ever(AddressState::contested));
}

// A VRRP backup announces the virtual IP once from its real MAC, then the virtual MAC again.
TEST_F(ArpPipelineVerificationTest, VrrpBackupsSingleAnnouncementIsFlappedNotContested) {
  see(announcement(kVirtualMac, kServerIp));
  see(claim(kVirtualMac, kServerIp), seconds(30));
  see(announcement(kBackupMac, kServerIp), seconds(30));
  see(announcement(kVirtualMac, kServerIp), milliseconds(20));
  run(seconds(2), {kVirtualMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::flapped);
  EXPECT_TRUE(report->verified);
  run(seconds(60), {kVirtualMac});
  EXPECT_EQ(state_of(kServerIp), AddressState::flapped);
  EXPECT_FALSE(recorder.ever(AddressState::contested));
}

// The incident: a quiet owner, a forgotten machine that announces once and then only answers.
// Passively that is a move; asked, both machines answer.
TEST_F(ArpPipelineVerificationTest, QuietOwnerAndRogueBothAnsweringIsContestedWithinTheRound) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  const auto rogue_seen = clock.now();
  EXPECT_EQ(state_of(kServerIp), AddressState::moved);  // all a passive observer can tell
  Duration contested_after{};
  for (int i = 0; i < 40 && state_of(kServerIp) != AddressState::contested; ++i) {
    run(milliseconds(50), {kOwnerMac, kRogueMac});
    contested_after = clock.now() - rogue_seen;
  }
  ASSERT_EQ(state_of(kServerIp), AddressState::contested);
  EXPECT_LE(contested_after, seconds(1) + milliseconds(100));
  run(seconds(1), {kOwnerMac, kRogueMac});  // the round ends
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::contested);
  EXPECT_TRUE(report->verified);
  ASSERT_EQ(report->claimants.size(), 2U);
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::several_macs), 1U);
  EXPECT_EQ(probe_counters().answers, 4U);  // two probes, two machines
}

// The page's story of the incident, fed by the pipeline itself: both claims, the round both
// machines answered (stamped when it was sent), the verdicts, and this host's entry.
TEST_F(ArpPipelineVerificationTest, TimelineTellsTheIncidentWithTheRoundBothAnswered) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  const auto rogue_seen = clock.now();
  pipeline.note_neighbor("eth0", kServerIp, {.mac = kRogueMac, .state = NudState::reachable},
                         clock.now());
  run(seconds(2), {kOwnerMac, kRogueMac});
  pipeline.note_neighbor("eth1", kServerIp, {.mac = kOwnerMac, .state = NudState::stale},
                         clock.now());  // not a captured interface: no one's timeline

  const auto timelines = pipeline.timelines(clock.now());
  ASSERT_EQ(timelines.size(), 1U);
  const auto& story = timelines.front();
  EXPECT_EQ(story.key.ip, kServerIp);
  EXPECT_EQ(story.verdict, AddressState::contested);
  ASSERT_EQ(story.claimants.size(), 2U);
  std::vector<MacAddress> claims;
  std::vector<AddressState> verdicts;
  std::vector<const RoundMark*> rounds_seen;
  std::vector<NeighborMark> entries;
  for (const auto& event : story.events) {
    if (const auto* mark = std::get_if<ClaimMark>(&event.what)) claims.push_back(mark->mac);
    if (const auto* mark = std::get_if<VerdictMark>(&event.what)) verdicts.push_back(mark->verdict);
    if (const auto* mark = std::get_if<RoundMark>(&event.what)) {
      rounds_seen.push_back(mark);
      EXPECT_GE(event.at, rogue_seen);
      EXPECT_LT(event.at, mark->finished);
    }
    if (const auto* mark = std::get_if<NeighborMark>(&event.what)) entries.push_back(*mark);
  }
  // The answers are claims too: the address changes hands with each of them.
  ASSERT_GE(claims.size(), 2U);
  EXPECT_EQ(claims[0], kOwnerMac);
  EXPECT_EQ(claims[1], kRogueMac);
  ASSERT_GE(verdicts.size(), 2U);
  EXPECT_EQ(verdicts.front(), AddressState::moved);
  EXPECT_EQ(verdicts.back(), AddressState::contested);
  ASSERT_EQ(rounds_seen.size(), 1U);
  EXPECT_EQ(rounds_seen[0]->answers.size(), 2U);
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].mac, kRogueMac);
}

// The capture hands frames over in batches, each under one time: an owner and a rogue taking
// turns inside one batch still change hands on the timeline at every turn, in frame order.
TEST_F(ArpPipelineVerificationTest, TimelineFollowsTurnsInsideOneBatchInFrameOrder) {
  see(claim(kOwnerMac, kServerIp));
  std::vector<DecodeResult> batch;
  for (int turn = 0; turn < 3; ++turn) {
    batch.push_back(decode_frame(claim(kRogueMac, kServerIp)));
    batch.push_back(decode_frame(claim(kOwnerMac, kServerIp)));
  }
  batch.push_back(decode_frame(claim(kRogueMac, kServerIp)));
  std::vector<ClaimEvent> events(batch.size());
  clock.advance(seconds(1));
  pipeline.process_batch(eth0, batch, clock.now(), events);

  const auto timelines = pipeline.timelines(clock.now());
  ASSERT_EQ(timelines.size(), 1U);
  std::vector<MacAddress> claims;
  for (const auto& event : timelines.front().events) {
    if (const auto* mark = std::get_if<ClaimMark>(&event.what)) claims.push_back(mark->mac);
  }
  // The owner's first claim, then the seven turns: the rogue holds it last.
  ASSERT_EQ(claims.size(), 8U);
  for (std::size_t i = 0; i < claims.size(); ++i) {
    EXPECT_EQ(claims[i], i % 2 == 0 ? kOwnerMac : kRogueMac) << "mark " << i;
  }
}

// The same frames, with probing off: still only a move (the blind spot verification closes).
TEST(ArpPipelinePassiveTest, QuietOwnerAndRogueLookLikeAMoveWithoutProbing) {
  FakeClock clock;
  ArpPipeline pipeline({.window = seconds(300)}, ClaimFilter{});
  const auto eth0 = pipeline.add_interface("eth0");
  pipeline.process(eth0, claim(kOwnerMac, kServerIp), clock.now());
  clock.advance(seconds(60));
  pipeline.process(eth0, announcement(kRogueMac, kServerIp), clock.now());
  EXPECT_TRUE(pipeline.advance(clock.now()).empty());
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_FALSE(snapshot.probing);
  ASSERT_EQ(snapshot.tracker.addresses.size(), 1U);
  EXPECT_EQ(snapshot.tracker.addresses[0].state, AddressState::moved);
}

// The rogue announced once and left: only the owner answers. A transient change, no page.
TEST_F(ArpPipelineVerificationTest, RogueGoneOnlyTheOldMacAnswersIsFlapped) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  run(seconds(2), {kOwnerMac});
  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::flapped);
  EXPECT_TRUE(report->verified);
  EXPECT_FALSE(recorder.ever(AddressState::contested));
}

TEST_F(ArpPipelineVerificationTest, UnansweredRoundLeavesThePassiveVerdict) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kNewNicMac, kServerIp), seconds(60));
  run(seconds(2), {});
  auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::moved);
  EXPECT_FALSE(report->verified);
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::unanswered), 1U);
  // A single return stays a flap when nobody answers either.
  see(announcement(kOwnerMac, kServerIp), seconds(20));
  run(seconds(2), {});
  EXPECT_EQ(state_of(kServerIp), AddressState::flapped);
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::unanswered), 2U);
}

// The conflict ended (the rogue was unplugged): the next recheck hears only the owner, and the
// observer is told the page is over.
TEST_F(ArpPipelineVerificationTest, RecheckClearsAVerifiedConflictWhenOnlyOneAnswersLater) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  run(seconds(2), {kOwnerMac, kRogueMac});
  ASSERT_EQ(state_of(kServerIp), AddressState::contested);
  // Within recheck_interval nothing is asked again.
  const auto before = probes_sent;
  run(seconds(27), {kOwnerMac});
  EXPECT_EQ(probes_sent, before);
  EXPECT_EQ(state_of(kServerIp), AddressState::contested);
  run(seconds(3), {kOwnerMac});  // the recheck round
  EXPECT_EQ(sent(probe_counters(), ProbeReason::recheck), 2U);
  EXPECT_NE(state_of(kServerIp), AddressState::contested);
  ASSERT_GE(recorder.changes.size(), 2U);
  const auto contested =
      std::find_if(recorder.changes.begin(), recorder.changes.end(),
                   [](const auto& c) { return c.state == AddressState::contested; });
  ASSERT_NE(contested, recorder.changes.end());
  const auto& last = recorder.changes.back();
  EXPECT_EQ(last.ip, kServerIp);
  EXPECT_EQ(last.previous, AddressState::contested);
  EXPECT_NE(last.state, AddressState::contested);
  // And no more rechecks once it is no longer contested.
  const auto after = probes_sent;
  run(seconds(60), {kOwnerMac});
  EXPECT_EQ(probes_sent, after);
}

// Whichever machine is left after a conflict, the recheck ends it as a move, never as a flap
// (a warning about a failover that never happened). If the other one comes back, its claim is
// a change, asked about at once: contested again.
TEST_F(ArpPipelineVerificationTest, AConflictThatEndedIsAMoveWhicheverMachineIsLeft) {
  for (const auto& survivor : {kOwnerMac, kRogueMac}) {
    const auto ip = survivor == kOwnerMac ? kServerIp : kPeerIp;
    const auto gone = survivor == kOwnerMac ? kRogueMac : kOwnerMac;
    see(claim(kOwnerMac, ip));
    see(announcement(kRogueMac, ip), seconds(60));
    run(seconds(2), {kOwnerMac, kRogueMac});
    ASSERT_EQ(state_of(ip), AddressState::contested);
    recorder.changes.clear();
    run(seconds(30), {survivor});  // the recheck
    EXPECT_EQ(state_of(ip), AddressState::moved) << survivor.to_string();
    EXPECT_EQ(recorder.changes.back().previous, AddressState::contested);
    run(seconds(60), {survivor});
    EXPECT_EQ(state_of(ip), AddressState::moved) << survivor.to_string();
    EXPECT_FALSE(recorder.ever(AddressState::flapped)) << survivor.to_string();

    see(claim(gone, ip), seconds(5));
    run(seconds(2), {kOwnerMac, kRogueMac});
    EXPECT_EQ(state_of(ip), AddressState::contested) << survivor.to_string();
  }
}

TEST_F(ArpPipelineVerificationTest, AVerifiedConflictIsRecheckedAndStaysContestedWhileBothAnswer) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  run(seconds(95), {kOwnerMac, kRogueMac});
  EXPECT_EQ(state_of(kServerIp), AddressState::contested);
  EXPECT_EQ(sent(probe_counters(), ProbeReason::recheck), 6U);  // at 30, 60 and 90 s
}

// Through a flood of MAC changes on 1000 addresses within 1 s, what advance() returns stays
// within burst + rate * elapsed at every moment.
TEST_F(ArpPipelineVerificationTest, AFloodOfChangesNeverYieldsMoreProbesThanTheCap) {
  const auto& config = ProbePlannerConfig{};
  for (std::uint32_t i = 0; i < 1000; ++i) see(claim(kOwnerMac, Ipv4Address(0x0a000000 + i)));
  clock.advance(seconds(10));
  const auto start = clock.now();
  std::uint64_t probes = 0;
  const auto check = [&] {
    probes += pipeline.advance(clock.now()).size();
    const double elapsed = std::chrono::duration<double>(clock.now() - start).count();
    ASSERT_LE(static_cast<double>(probes), config.burst + config.probes_per_second * elapsed);
  };
  for (std::uint32_t i = 0; i < 1000; ++i) {
    pipeline.process(eth0, claim(kRogueMac, Ipv4Address(0x0a000000 + i)), clock.now());
    check();
    clock.advance(milliseconds(1));
  }
  for (int i = 0; i < 3000; ++i) {
    clock.advance(milliseconds(10));
    check();
  }
  EXPECT_GT(probes, static_cast<std::uint64_t>(config.burst));
  EXPECT_EQ(sent(probe_counters(), ProbeReason::change), probes);
  EXPECT_GT(probe_counters().suppressed[static_cast<std::size_t>(ProbeLimit::rate)], 0U);
}

TEST(ArpPipelinePassiveTest, WithProbingOffThePipelineNeverReturnsAProbe) {
  FakeClock clock;
  ArpPipeline pipeline({.window = seconds(300)}, ClaimFilter{});
  const auto eth0 = pipeline.add_interface("eth0");
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac}, {{kServerIp, Vlan{}, eth0}}, clock.now());
  std::size_t probes = 0;
  for (int i = 0; i < 600; ++i) {
    const auto mac = i % 2 == 0 ? kOwnerMac : kRogueMac;
    pipeline.process(eth0, claim(mac, kServerIp), clock.now());
    pipeline.process(eth0, claim(mac, Ipv4Address(0x0a000000 + static_cast<std::uint32_t>(i))),
                     clock.now());
    probes += pipeline.advance(clock.now()).size();
    clock.advance(milliseconds(500));
  }
  EXPECT_EQ(probes, 0U);
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_FALSE(snapshot.probing);
  EXPECT_TRUE(snapshot.probes.empty());
}

TEST_F(ArpPipelineVerificationTest, OwnProbeFramesSeenAgainAreNotProbesForAClaimedAddress) {
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac}, {}, clock.now());
  see(claim(kOwnerMac, kServerIp));
  const auto own = see(bytes_of(build_arp_probe(kHostMac, Vlan{}, kServerIp)));
  EXPECT_EQ(own.event, ClaimEvent::not_a_claim);
  ASSERT_NE(own.frame, nullptr);
  EXPECT_EQ(own.frame->kind, FrameKind::probe);
  const auto foreign = see(bytes_of(build_arp_probe(kPeerMac, Vlan{}, kServerIp)));
  EXPECT_EQ(foreign.event, ClaimEvent::probe_for_claimed);
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_EQ(snapshot.counters.at(eth0).own_probes, 1U);
  EXPECT_EQ(snapshot.tracker.interfaces.at(eth0).probes, 1U);
  EXPECT_EQ(snapshot.tracker.interfaces.at(eth0).probes_for_claimed, 1U);
}

TEST(ArpPipelineIgnoreTest, IgnoredAddressesAreNeverProbed) {
  FakeClock clock;
  ClaimFilter filter;
  ASSERT_TRUE(filter.add_rule("192.0.2.0/28"));  // kServerIp and a VIP that legitimately moves
  ArpPipeline pipeline({.window = seconds(300)}, filter, ProbePlannerConfig{});
  const auto eth0 = pipeline.add_interface("eth0");
  const auto vip = *Ipv4Address::parse("192.0.2.5");
  pipeline.set_host({{eth0, vip}, {eth0, kHostIp}}, {kHostMac},
                    {{kServerIp, Vlan{}, eth0}, {kPeerIp, Vlan{}, eth0}}, clock.now());
  std::vector<Probe> probes;
  for (int i = 0; i < 1200; ++i) {  // 10 minutes: more than every interval
    const auto mac = i % 2 == 0 ? kOwnerMac : kRogueMac;
    pipeline.process(eth0, announcement(mac, kServerIp), clock.now());
    for (const auto& probe : pipeline.advance(clock.now())) probes.push_back(probe);
    clock.advance(milliseconds(500));
  }
  for (const auto& probe : probes) {
    EXPECT_NE(probe.key.ip, kServerIp);
    EXPECT_NE(probe.key.ip, vip);
  }
  // The addresses not ignored were probed, so the loop did run the schedules.
  const auto count = [&](Ipv4Address ip) {
    return std::count_if(probes.begin(), probes.end(),
                         [&](const Probe& p) { return p.key.ip == ip; });
  };
  EXPECT_GT(count(kHostIp), 0);
  EXPECT_GT(count(kPeerIp), 0);
}

// A reload with a new ignore rule: what is tracked stays, the rule applies to what comes next.
TEST_F(ArpPipelineVerificationTest, ANewIgnoreRuleKeepsAConflictAndAppliesToNewFrames) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  see(claim(kPeerMac, kPeerIp));
  run(seconds(2), {kOwnerMac, kRogueMac});
  ASSERT_EQ(state_of(kServerIp), AddressState::contested);
  const auto before = testing::snapshot_at(pipeline, clock.now());

  ClaimFilter filter;
  ASSERT_TRUE(filter.add_rule(kPeerIp.to_string()));
  ASSERT_TRUE(filter.add_rule("02:00:00:00:00:99"));
  pipeline.set_filter(filter);
  EXPECT_EQ(pipeline.filter(), filter);

  const auto report = report_for(kServerIp);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, AddressState::contested);
  EXPECT_EQ(report->claimants.size(), 2U);
  // kPeerIp's new claimant and the newly ignored MAC's claim are ignored, not tracked.
  EXPECT_EQ(see(claim(kRogueMac, kPeerIp)).event, ClaimEvent::not_a_claim);
  const auto ignored_mac = *MacAddress::parse("02:00:00:00:00:99");
  EXPECT_EQ(see(claim(ignored_mac, kServerIp)).event, ClaimEvent::not_a_claim);
  const auto after = testing::snapshot_at(pipeline, clock.now());
  EXPECT_EQ(after.counters.at(eth0).ignored, before.counters.at(eth0).ignored + 2);
  EXPECT_EQ(after.tracker.interfaces.at(eth0).tracked, before.tracker.interfaces.at(eth0).tracked);
  EXPECT_EQ(report_for(kServerIp)->claimants.size(), 2U);
  // The conflict is still rechecked and stays while both answer.
  const auto rechecks = sent(probe_counters(), ProbeReason::recheck);
  run(seconds(35), {kOwnerMac, kRogueMac});
  EXPECT_GT(sent(probe_counters(), ProbeReason::recheck), rechecks);
  EXPECT_EQ(state_of(kServerIp), AddressState::contested);
}

TEST_F(ArpPipelineVerificationTest, AContestedAddressIgnoredByAReloadIsNoLongerRechecked) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  run(seconds(2), {kOwnerMac, kRogueMac});
  ASSERT_EQ(state_of(kServerIp), AddressState::contested);
  ClaimFilter filter;
  ASSERT_TRUE(filter.add_rule("192.0.2.0/28"));
  pipeline.set_filter(filter);
  const auto probes = probes_sent;
  run(seconds(100), {kOwnerMac, kRogueMac});
  EXPECT_EQ(probes_sent, probes);
}

TEST_F(ArpPipelineVerificationTest, NewProbeSettingsApplyAndKeepTheCounters) {
  see(claim(kOwnerMac, kServerIp));
  see(announcement(kRogueMac, kServerIp), seconds(60));
  run(seconds(2), {kOwnerMac, kRogueMac});
  const auto rounds_before = rounds(probe_counters(), RoundOutcome::several_macs);
  ASSERT_EQ(rounds_before, 1U);
  // Rechecks of the conflict are every 30 s either way; a 1 s address interval lets a change
  // right after a round through, which the 10 s default refuses.
  pipeline.reconfigure_probing({.address_interval = seconds(1)}, clock.now());
  EXPECT_EQ(rounds(probe_counters(), RoundOutcome::several_macs), rounds_before);
  see(claim(kOwnerMac, kServerIp), seconds(1));
  const auto sent_before = sent(probe_counters(), ProbeReason::change);
  run(seconds(2), {kOwnerMac, kRogueMac});
  EXPECT_EQ(sent(probe_counters(), ProbeReason::change), sent_before + 2);
}

// keepalived without a virtual MAC: the old master refreshed its gratuitous ARPs until the VIP
// moved here. The new holder must not page about the previous one.
TEST_F(ArpPipelineVerificationTest, VipMovedToThisHostIsNoOwnAddressClaim) {
  const auto old_master = *MacAddress::parse("52:54:00:00:00:77");
  for (int i = 0; i < 5; ++i) see(announcement(old_master, kHostIp), seconds(10));
  clock.advance(milliseconds(100));
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac}, {}, clock.now());
  see(announcement(kHostMac, kHostIp));
  run(seconds(65), {});  // this host's own probes: Linux does not answer its own
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_GE(sent(snapshot.probes.at(eth0), ProbeReason::own_address), 3U);
  EXPECT_TRUE(snapshot.own_claims.empty());
}

// A rogue that never sends anything unsolicited: only the owner asking finds it.
TEST_F(ArpPipelineVerificationTest, ThiefAnsweringAfterHeldSinceIsAnOwnAddressClaim) {
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac}, {}, clock.now());
  see(announcement(kHostMac, kHostIp));
  run(seconds(1), {kRogueMac});
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_GE(sent(snapshot.probes.at(eth0), ProbeReason::own_address), 1U);
  ASSERT_EQ(snapshot.own_claims.size(), 1U);
  EXPECT_EQ(snapshot.own_claims[0].key, (AddressKey{kHostIp, Vlan{}, eth0}));
  EXPECT_EQ(snapshot.own_claims[0].claimant.mac, kRogueMac);
}

// This host never answers its own probes, so a round for one of its addresses that hears one
// foreign MAC has heard two machines holding it: this host and the thief. That is the
// conflict, not a move of the address away from a host that still holds it.
TEST_F(ArpPipelineVerificationTest, ThiefAnsweringAnOwnAddressRoundIsContestedNotMoved) {
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac}, {}, clock.now());
  see(announcement(kHostMac, kHostIp));
  see(claim(kHostMac, kHostIp), seconds(5));
  run(seconds(2), {kRogueMac});
  EXPECT_EQ(state_of(kHostIp), AddressState::contested);
  ASSERT_EQ(testing::snapshot_at(pipeline, clock.now()).own_claims.size(), 1U);
}

TEST_F(ArpPipelineVerificationTest, TwoOwnMacsAnsweringOnTwoInterfacesAreOwnMacsNotAClaim) {
  const auto eth1 = pipeline.add_interface("eth1");
  pipeline.set_host({{eth0, kHostIp}}, {kHostMac, kHostMac1}, {}, clock.now());
  clock.advance(seconds(1));
  pipeline.process(eth0, claim(kHostMac, kHostIp), clock.now());
  pipeline.process(eth1, claim(kHostMac1, kHostIp), clock.now());
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  ASSERT_EQ(snapshot.own_macs.size(), 1U);
  EXPECT_EQ(snapshot.own_macs[0].ip, kHostIp);
  EXPECT_EQ(snapshot.own_macs[0].answering.size(), 2U);
  EXPECT_TRUE(snapshot.own_claims.empty());
}

// A container's veth comes and goes: once forgotten, nothing of it is left for a scrape, no
// verdict is announced for it, and the next new interface takes its slot with clean counters.
TEST_F(ArpPipelineVerificationTest, ForgottenInterfaceLeavesNothingAndItsSlotIsReusedClean) {
  const auto veth = pipeline.add_interface("veth1");
  clock.advance(milliseconds(1));
  pipeline.process(veth, claim(kOwnerMac, kServerIp), clock.now());
  clock.advance(milliseconds(1));
  pipeline.process(veth, claim(kRogueMac, kServerIp), clock.now());
  pipeline.process(veth, claim(kOwnerMac, kServerIp), clock.now());
  pipeline.process(veth, claim(kRogueMac, kServerIp), clock.now());
  see(claim(kOwnerMac, kPeerIp));  // on eth0: stays
  ASSERT_EQ(state_of(kServerIp), AddressState::contested);
  const auto changes_before = recorder.changes.size();

  EXPECT_TRUE(pipeline.forget_interface("veth1"));
  EXPECT_FALSE(pipeline.forget_interface("veth1"));
  EXPECT_EQ(recorder.changes.size(), changes_before);  // gone is not "conflict over"
  EXPECT_FALSE(pipeline.tracker().find_interface("veth1"));
  const auto snapshot = testing::snapshot_at(pipeline, clock.now());
  EXPECT_TRUE(snapshot.tracker.addresses.empty());
  EXPECT_EQ(snapshot.tracker.interfaces.at(veth).name, "");
  EXPECT_EQ(snapshot.tracker.interfaces.at(veth).tracked, 0U);
  EXPECT_EQ(snapshot.counters.at(veth).frames.frames(FrameKind::reply), 0U);
  EXPECT_EQ(snapshot.tracker.interfaces.at(eth0).tracked, 1U);
  EXPECT_TRUE(pipeline.timelines(clock.now()).empty());
  for (const auto& probe : pipeline.advance(clock.now() + seconds(1)))
    EXPECT_NE(probe.key.interface, veth);

  const auto next = pipeline.add_interface("veth2");
  EXPECT_EQ(next, veth);
  EXPECT_EQ(pipeline.add_interface("veth1"), veth + 1);  // a new name, a new slot
  EXPECT_EQ(testing::snapshot_at(pipeline, clock.now()).tracker.interfaces.at(next).name, "veth2");
}

}  // namespace
}  // namespace arp
