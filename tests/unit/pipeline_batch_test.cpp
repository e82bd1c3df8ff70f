// ArpPipeline::process_batch, the capture's path, against process() one frame at a time: the
// batch only decodes ahead and prefetches the tracker's memory, so every event, verdict change,
// probe, counter and the final snapshot must be the same. The frames are a few thousand of a
// busy, troubled segment on two interfaces, ARP and Neighbor Discovery mixed: owners refreshing,
// moves, conflicts (two MACs in turn), RFC 5227 and DAD probes (this host's own among them),
// announcements, VLAN-tagged claims, an ignored MAC, malformed frames; more addresses than the
// tracker holds (evictions) and pauses longer than its window (expirations), with the planner
// on and the probed owners (and sometimes a rogue) answering.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/arp_pipeline.h"
#include "core/nd_probe.h"
#include "tests/unit/arp_frame_builder.h"
#include "tests/unit/nd_frame_builder.h"
#include "tests/unit/snapshot_at.h"

namespace arp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Frame = std::vector<std::byte>;

const MacAddress kHostMac = *MacAddress::parse("52:54:00:00:00:01");
const MacAddress kIgnoredMac = *MacAddress::parse("00:50:56:0b:00:0b");
const MacAddress kPeerMac = *MacAddress::parse("02:00:00:00:00:14");
const MacAddress kBroadcast({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
const IpAddress kPeerIp6 = *IpAddress::parse("2001:db8::ff14");
const IpAddress kAllNodes = *IpAddress::parse("ff02::1");
const Ipv4Address kPeerIp4 = *Ipv4Address::parse("192.0.2.254");

Frame nd_advertisement(MacAddress from, const IpAddress& address, bool solicited) {
  return testing::build_nd_frame(
      {.ethernet_destination = solicited ? kPeerMac : ipv6_multicast_mac(kAllNodes),
       .ethernet_source = from,
       .source = address,
       .destination = solicited ? kPeerIp6 : kAllNodes,
       .type = 136,
       .flags = static_cast<std::uint8_t>(solicited ? 0x60 : 0x20),
       .target = address,
       .options = {testing::link_layer_option(2, from)}});
}

Frame nd_dad_probe(MacAddress from, const IpAddress& address) {
  const auto group = solicited_node_group(address);
  return testing::build_nd_frame({.ethernet_destination = ipv6_multicast_mac(group),
                                  .ethernet_source = from,
                                  .source = IpAddress::from_bytes({}),
                                  .destination = group,
                                  .type = 135,
                                  .target = address,
                                  .options = {}});
}

// One 802.1Q tag after the MACs.
Frame tagged(Frame frame, std::uint16_t vid) {
  const std::array tag{std::byte{0x81}, std::byte{0x00}, static_cast<std::byte>(vid >> 8U),
                       static_cast<std::byte>(vid & 0xffU)};
  frame.insert(frame.begin() + 12, tag.begin(), tag.end());
  return frame;
}

// A segment: addresses (IPv4 and IPv6 twins), each with an owner that sometimes changes, and
// MACs that now and then claim someone else's address.
class Segment {
 public:
  static constexpr std::uint32_t kAddresses = 60;  // of each family; the tracker holds 64

  explicit Segment(unsigned seed) : rng_(seed) {
    for (std::uint32_t i = 0; i < kAddresses; ++i) owners_.push_back(mac_of(i));
  }

  Frame next() {
    const auto address = below(kAddresses);
    const bool nd = below(2) == 0;
    const auto v4 = Ipv4Address(0xc0000200U + 1U + address);  // 192.0.2.x
    std::array<std::uint8_t, 16> v6_bytes{0x20, 0x01, 0x0d, 0xb8};
    v6_bytes[15] = static_cast<std::uint8_t>(1 + address);
    const auto v6 = IpAddress::from_bytes(v6_bytes);
    auto& owner = owners_[address];
    const auto roll = below(100);
    MacAddress from = owner;
    if (roll < 8) {
      from = mac_of(kAddresses + below(6));  // a rogue: a conflict while the owner goes on
    } else if (roll < 11) {
      owner = mac_of(200 + below(100));  // a move: a new NIC from now on
      from = owner;
    } else if (roll < 13) {
      from = kIgnoredMac;
    }
    if (roll >= 13 && roll < 21) {  // a probe: someone (sometimes this host) wants the address
      const auto prober = below(4) == 0 ? kHostMac : mac_of(400 + below(20));
      return nd ? nd_dad_probe(prober, v6)
                : testing::build_arp_frame(1, prober, Ipv4Address(), MacAddress{}, v4, kBroadcast);
    }
    if (roll >= 21 && roll < 26) {  // malformed: cut short
      auto frame = nd ? nd_advertisement(from, v6, true)
                      : testing::build_arp_frame(2, from, v4, kPeerMac, kPeerIp4, kPeerMac);
      frame.resize(14 + below(20));
      return frame;
    }
    Frame frame;
    if (roll >= 26 && roll < 34) {  // an announcement
      frame = nd ? nd_advertisement(from, v6, false)
                 : testing::build_arp_frame(1, from, v4, MacAddress{}, v4, kBroadcast);
    } else if (roll >= 34 && roll < 44 && !nd) {  // who-has: the sender claims its address
      frame = testing::build_arp_frame(1, from, v4, MacAddress{}, kPeerIp4, kBroadcast);
    } else {
      frame = nd ? nd_advertisement(from, v6, true)
                 : testing::build_arp_frame(2, from, v4, kPeerMac, kPeerIp4, kPeerMac);
    }
    if (below(10) == 0) frame = tagged(std::move(frame), static_cast<std::uint16_t>(10 + below(2)));
    return frame;
  }

  // What the holders of a probed address say: the owner, and sometimes a rogue too.
  std::vector<Frame> answers(const Probe& probe) {
    std::vector<Frame> frames;
    const auto& ip = probe.key.ip;
    const auto index = static_cast<std::uint32_t>(ip.bytes()[15]) - 1U;
    if (index >= kAddresses || probe.key.vlan.tagged()) return frames;
    std::vector<MacAddress> holders{owners_[index]};
    if (below(3) == 0) holders.push_back(mac_of(kAddresses + below(6)));
    for (const auto& holder : holders) {
      frames.push_back(ip.is_ipv4() ? testing::build_arp_frame(2, holder, ip.ipv4(), kHostMac,
                                                               Ipv4Address(), kHostMac)
                                    : nd_advertisement(holder, ip, false));
    }
    return frames;
  }

  std::uint32_t below(std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
  }

 private:
  static MacAddress mac_of(std::uint32_t i) {
    return MacAddress({0x02, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(i >> 8U),
                       static_cast<std::uint8_t>(i & 0xffU)});
  }
  std::mt19937 rng_;
  std::vector<MacAddress> owners_;
};

std::string describe(const AddressReport& report) {
  std::ostringstream out;
  out << report.key.interface << ' ' << report.key.vlan.to_string() << ' '
      << report.key.ip.to_string() << ' ' << to_string(report.state) << " changed "
      << report.last_change.time_since_epoch().count() << " verified " << report.verified;
  for (const auto& c : report.claimants) {
    out << " [" << c.mac.to_string() << ' ' << c.frames << ' '
        << c.first_seen.time_since_epoch().count() << ' ' << c.last_seen.time_since_epoch().count()
        << ']';
  }
  return out.str();
}

std::string describe(const PipelineSnapshot& snapshot) {
  std::ostringstream out;
  for (const auto& counters : snapshot.counters) {
    out << "counters";
    for (const auto family : kAllIpFamilies) {
      for (const auto kind : kAllFrameKinds) out << ' ' << counters.frames.frames(family, kind);
    }
    for (const auto reason : kAllRejectReasons) out << ' ' << counters.frames.rejected(reason);
    out << ' ' << counters.frames.invalid_sender() << ' ' << counters.frames.source_mismatch()
        << " ignored " << counters.ignored << " own " << counters.own_probes << '\n';
  }
  for (const auto& i : snapshot.tracker.interfaces) {
    out << i.name << ' ' << i.tracked << ' ' << i.contested << ' ' << i.moved << ' ' << i.flapped
        << ' ' << i.mac_changes << ' ' << i.moves << ' ' << i.flaps << ' ' << i.probes << ' '
        << i.probes_for_claimed << ' ' << i.evictions << ' ' << i.claimant_evictions << ' '
        << i.expirations << '\n';
  }
  for (const auto& address : snapshot.tracker.addresses) out << describe(address) << '\n';
  for (const auto& probes : snapshot.probes) {
    out << "probes";
    for (const auto n : probes.sent) out << ' ' << n;
    for (const auto n : probes.suppressed) out << ' ' << n;
    for (const auto n : probes.rounds) out << ' ' << n;
    out << ' ' << probes.answers << '\n';
  }
  return out.str();
}

class VerdictLog : public VerdictObserver {
 public:
  void verdict_changed(const AddressReport& address, AddressState previous,
                       Timestamp now) override {
    lines.push_back(describe(address) + " from " + std::string(to_string(previous)) + " at " +
                    std::to_string(now.time_since_epoch().count()));
  }
  std::vector<std::string> lines;
};

// Two identical pipelines: one fed frame by frame, one in batches.
struct Twin {
  Twin()
      : pipeline(
            ClaimTrackerConfig{
                .window = seconds(2), .max_addresses = 64, .max_claimants_per_address = 4},
            filter(), ProbePlannerConfig{}) {
    pipeline.set_observer(&log);
    pipeline.add_interface("eth0");
    pipeline.add_interface("eth1");
  }
  static ClaimFilter filter() {
    ClaimFilter f;
    EXPECT_TRUE(f.add_rule(kIgnoredMac.to_string()));
    return f;
  }
  VerdictLog log;
  ArpPipeline pipeline;
};

TEST(PipelineBatchTest, BatchesGiveTheSameEventsVerdictsCountersAndSnapshotAsSingleFrames) {
  Segment segment(11);
  Twin single;
  Twin batched;
  Timestamp now{std::chrono::hours(24 * 365 * 50)};
  for (auto* twin : {&single, &batched}) twin->pipeline.set_host({}, {kHostMac}, {}, now);

  std::vector<Frame> answers;  // to the probes of the last step, sent in the next batch
  std::size_t frames_seen = 0;
  std::size_t claims_changed = 0;
  std::size_t probes_sent = 0;
  for (int batch_number = 0; batch_number < 200; ++batch_number) {
    // Mostly short gaps, sometimes one longer than the window.
    now += segment.below(20) == 0 ? seconds(3) : milliseconds(segment.below(40));
    const auto interface = static_cast<InterfaceIndex>(segment.below(2));
    std::vector<Frame> frames = std::move(answers);
    answers.clear();
    const auto size = segment.below(8) == 0 ? 1 + segment.below(3) : 1 + segment.below(120);
    for (std::uint32_t i = 0; i < size; ++i) frames.push_back(segment.next());

    std::vector<ClaimEvent> one_by_one;
    for (const auto& frame : frames) {
      one_by_one.push_back(single.pipeline.process(interface, frame, now).event);
    }
    std::vector<DecodeResult> decoded;
    for (const auto& frame : frames) decoded.push_back(decode_frame(frame));
    std::vector<ClaimEvent> events(decoded.size());
    batched.pipeline.process_batch(interface, decoded, now, events);
    ASSERT_EQ(events, one_by_one) << "batch " << batch_number;
    ASSERT_EQ(batched.log.lines, single.log.lines) << "batch " << batch_number;
    frames_seen += frames.size();
    claims_changed +=
        static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [](ClaimEvent e) {
          return e == ClaimEvent::new_claimant || e == ClaimEvent::returning_claimant;
        }));

    now += milliseconds(1 + segment.below(60));
    const auto probes = single.pipeline.advance(now);
    const auto batched_probes = batched.pipeline.advance(now);
    ASSERT_EQ(batched_probes.size(), probes.size()) << "batch " << batch_number;
    for (std::size_t i = 0; i < probes.size(); ++i) {
      EXPECT_EQ(batched_probes[i].key, probes[i].key);
      EXPECT_EQ(batched_probes[i].reason, probes[i].reason);
      for (auto& answer : segment.answers(probes[i])) answers.push_back(std::move(answer));
    }
    probes_sent += probes.size();
    if (batch_number % 25 == 0) {
      ASSERT_EQ(describe(testing::snapshot_at(batched.pipeline, now)),
                describe(testing::snapshot_at(single.pipeline, now)))
          << "batch " << batch_number;
    }
  }
  EXPECT_EQ(batched.log.lines, single.log.lines);
  const auto expected = describe(testing::snapshot_at(single.pipeline, now));
  EXPECT_EQ(describe(testing::snapshot_at(batched.pipeline, now)), expected);

  // The mix did what it is here for: the comparison covers every path, not only refreshes.
  EXPECT_GT(frames_seen, 5000U);
  EXPECT_GT(claims_changed, 200U);
  EXPECT_GT(probes_sent, 20U);
  EXPECT_GT(single.log.lines.size(), 100U);
  const auto snapshot = testing::snapshot_at(single.pipeline, now);
  const auto& eth0 = snapshot.tracker.interfaces.at(0);
  EXPECT_GT(eth0.evictions + snapshot.tracker.interfaces.at(1).evictions, 0U);
  EXPECT_GT(eth0.expirations, 0U);
  EXPECT_GT(eth0.probes_for_claimed, 0U);
  EXPECT_GT(snapshot.counters.at(0).ignored, 0U);
  EXPECT_GT(snapshot.counters.at(0).own_probes, 0U);
  EXPECT_GT(snapshot.counters.at(0).frames.total_rejected(), 0U);
  EXPECT_GT(snapshot.counters.at(0).frames.frames(IpFamily::ipv6, FrameKind::probe), 0U);
}

}  // namespace
}  // namespace arp
