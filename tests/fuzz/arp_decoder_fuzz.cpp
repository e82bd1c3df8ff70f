// libFuzzer target: any bytes a capture can hand us go through the decoder, and what it
// accepts goes through a ClaimTracker, under ASan and UBSan. A broken invariant aborts, so
// libFuzzer keeps the input that broke it.
//
// The input is one Ethernet frame, ARP or IPv6 Neighbor Discovery, decoded as the exporter
// decodes it (decode_frame, by EtherType), so the seeds are the frames of
// tests/data/arp_frames.hex and tests/data/nd_frames.hex.
// One frame alone would leave most of the tracker unvisited (caps, evictions, flaps, expiry),
// so each accepted frame is replayed as a burst of variants of itself: the sender IP and MAC
// walk through a few values, and the clock moves in a sawtooth whose step may be negative:
// capture files are not always in order, and the wall clock can be stepped back. The input's
// last bytes choose the shape of the burst, so the fuzzer steers it; a fresh tracker per input
// keeps every crash reproducible from its file.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "core/claim_tracker.h"
#include "core/frame_counters.h"
#include "core/frame_decoder.h"

namespace arp {
namespace {

constexpr std::size_t kMaxAddresses = 64;
constexpr std::size_t kMaxClaimants = 4;
constexpr Duration kWindow = std::chrono::seconds(30);
// More variants than the address cap, so that eviction at the cap runs.
constexpr std::uint32_t kVariants = 160;
constexpr std::uint16_t kMaxVlanId = 4095;
constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kVlanTag = 4;
constexpr std::size_t kArpPacket = 28;
constexpr std::size_t kNdPacket = 40 + 24;  // IPv6 header, the smallest NS or NA

// abort() rather than assert(): the fuzz build may define NDEBUG, and the check must stay.
void require(bool condition) {
  if (!condition) std::abort();
}

// How the burst is shaped, read from the input's tail. Bytes past the ARP packet are padding
// or FCS to the decoder, so this rarely changes what a frame decodes to.
struct Burst {
  Timestamp start;
  Duration step{};
  std::uint32_t period = 1;  // the clock goes back to `start` every `period` frames
  std::uint32_t ip_spread = 1;
  std::uint32_t mac_spread = 1;
  std::uint32_t interfaces = 1;

  Timestamp time_of(std::uint32_t frame) const {
    return start + step * static_cast<int>(frame % period);
  }
};

Burst burst_from_tail(std::span<const std::byte> input) {
  Burst burst;
  if (input.size() < 9) return burst;
  const auto tail = input.last(9);
  const auto byte = [&](std::size_t i) { return std::to_integer<std::uint32_t>(tail[i]); };
  // A pcap timestamp: seconds since the epoch in 32 bits.
  const std::uint32_t seconds = (byte(0) << 24U) | (byte(1) << 16U) | (byte(2) << 8U) | byte(3);
  burst.start = Timestamp{} + std::chrono::seconds(seconds);
  // -128..127 quarter seconds: steps can cross the window and run backwards.
  burst.step = std::chrono::milliseconds(250) * (static_cast<int>(byte(4)) - 128);
  burst.ip_spread = 1 + byte(5) % 96;
  burst.mac_spread = 1 + byte(6) % 8;
  burst.interfaces = 1 + byte(7) % 3;
  // Often past kVariants: a clock that only ever moves one way.
  burst.period = 1 + byte(8);
  return burst;
}

void check_decoded(const ResolutionFrame& frame, std::size_t size) {
  require(frame.vlan.outer <= kMaxVlanId && frame.vlan.inner <= kMaxVlanId);
  // An S-tag is only ever read in front of a C-tag.
  const std::size_t tags = frame.vlan.outer != 0 ? 2 : (frame.vlan.inner != 0 ? 1 : 0);
  const bool nd = frame.protocol == ResolutionProtocol::nd;
  require(size >= kEthernetHeader + tags * kVlanTag + (nd ? kNdPacket : kArpPacket));
  require(frame.sender_mac_invalid ==
          (frame.sender_mac.is_zero() || frame.sender_mac.is_multicast()));
  require(frame.ethernet_source_mismatch == (frame.ethernet_source != frame.sender_mac));
  if (frame.kind == FrameKind::probe) require(frame.sender_ip.is_unspecified());
  // Each family's addresses only: an IPv4-mapped IPv6 address would alias an IPv4 one.
  require(frame.sender_ip.is_ipv4() != nd || frame.sender_ip.is_unspecified());
  if (nd) {
    require(frame.kind != FrameKind::announcement);
  } else if (frame.kind == FrameKind::announcement || frame.kind == FrameKind::gratuitous_reply) {
    require(frame.sender_ip == frame.target_ip);
  }
}

// `address` moved on by `offset` in its last bytes, in its own family; the unspecified address
// stays unspecified, so a probe remains a probe.
IpAddress shifted(const IpAddress& address, std::uint32_t offset) {
  if (address.is_unspecified()) return address;
  if (address.is_ipv4()) return Ipv4Address(address.ipv4().to_u32() + offset);
  auto bytes = address.bytes();
  bytes[15] = static_cast<std::uint8_t>(bytes[15] + offset);
  bytes[14] = static_cast<std::uint8_t>(bytes[14] + (offset >> 8U));
  const auto moved = IpAddress::from_bytes(bytes);
  return moved.is_unspecified() ? address : moved;
}

void check_event(const ClaimTracker& tracker, InterfaceIndex interface,
                 const ResolutionFrame& frame, ClaimEvent event, Timestamp now) {
  const bool can_claim = frame.claims_address();
  if (frame.kind == FrameKind::probe) {
    require(event == ClaimEvent::probe || event == ClaimEvent::probe_for_claimed);
    return;
  }
  require((event == ClaimEvent::not_a_claim) == !can_claim);
  if (!can_claim) return;
  // A MAC that has just claimed an address is one of its claimants, whatever the clock did.
  const auto live = tracker.claimants(AddressKey{frame.sender_ip, frame.vlan, interface}, now);
  require(std::any_of(live.begin(), live.end(),
                      [&](const Claimant& claimant) { return claimant.mac == frame.sender_mac; }));
}

void check_snapshot(ClaimTracker& tracker, Timestamp now, std::size_t interfaces) {
  require(tracker.tracked() <= kMaxAddresses);
  tracker.refresh(now);
  const auto snapshot = tracker.snapshot();
  require(snapshot.interfaces.size() == interfaces);
  std::uint64_t tracked = 0;
  std::uint64_t troubled = 0;
  for (const auto& report : snapshot.interfaces) {
    tracked += report.tracked;
    troubled += report.contested + report.moved + report.flapped;
  }
  require(tracked == tracker.tracked());
  require(troubled == snapshot.addresses.size());
  for (std::size_t i = 0; i < snapshot.addresses.size(); ++i) {
    const auto& address = snapshot.addresses[i];
    require(address.state != AddressState::stable);
    require(address.key.interface < interfaces);
    require(!address.claimants.empty() && address.claimants.size() <= kMaxClaimants);
    require(std::is_sorted(
        address.claimants.begin(), address.claimants.end(),
        [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; }));
    require(!tracker.claimants(address.key, now).empty());
    if (i > 0) require(!(snapshot.addresses[i - 1].key == address.key));
  }
}

void fuzz_one(std::span<const std::byte> input) {
  const auto result = decode_frame(input);
  FrameCounters counters;
  counters.count(result);
  require(counters.total_frames() + counters.total_rejected() == 1);
  if (!result) return;
  const ResolutionFrame& decoded = *result;
  check_decoded(decoded, input.size());

  const auto burst = burst_from_tail(input);
  ClaimTracker tracker({.window = kWindow,
                        .max_addresses = kMaxAddresses,
                        .max_claimants_per_address = kMaxClaimants});
  for (std::uint32_t i = 0; i < burst.interfaces; ++i) {
    tracker.add_interface("eth" + std::to_string(i));
  }

  for (std::uint32_t i = 0; i < kVariants; ++i) {
    const auto now = burst.time_of(i);
    ResolutionFrame frame = decoded;
    const auto ip_offset = i % burst.ip_spread;
    frame.sender_ip = shifted(frame.sender_ip, ip_offset);
    frame.target_ip = shifted(frame.target_ip, ip_offset);
    auto mac = frame.sender_mac.bytes();
    mac[5] = static_cast<std::uint8_t>(mac[5] + i % burst.mac_spread);
    frame.sender_mac = MacAddress(mac);
    const auto interface = static_cast<InterfaceIndex>(i % burst.interfaces);

    check_event(tracker, interface, frame, tracker.observe(interface, frame, now), now);
    require(tracker.tracked() <= kMaxAddresses);
    if (i % 32 == 31) check_snapshot(tracker, now, burst.interfaces);
  }
  check_snapshot(tracker, burst.time_of(kVariants), burst.interfaces);
}

}  // namespace
}  // namespace arp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arp::fuzz_one(std::as_bytes(std::span(data, size)));
  return 0;
}
