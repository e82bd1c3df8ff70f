// The one probe the exporter sends, and how to recognise an answer to it.
//
// Probes take the RFC 5227 form: sender IP 0.0.0.0, target MAC zero, broadcast. No host
// updates its ARP cache from a frame whose sender IP is unspecified, so asking never changes
// where anyone sends traffic, and it works on interfaces where this host has no address in the
// subnet (a monitoring port). The price: Linux answers such a request unicast to the prober
// with target IP 0.0.0.0, so only the prober sees the answers — which is all it needs.
// IPv6 addresses are asked the same way, over Neighbor Discovery (core/nd_probe.h).
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "core/resolution_frame.h"

namespace arp {

// Ethernet header, up to two 802.1Q tags and the larger of the 28-byte ARP packet (padded to
// the 60-byte Ethernet minimum, without FCS) and the 64 bytes of an IPv6 header with a Neighbor
// Solicitation: 14 + 8 + 64.
inline constexpr std::size_t kMaxProbeFrame = 86;

struct ProbeFrame {
  std::array<std::byte, kMaxProbeFrame> bytes{};
  std::size_t size = 0;
  std::span<const std::byte> view() const { return {bytes.data(), size}; }
};

// An RFC 5227 probe from `source` for `target`, tagged as `vlan` says (outer 0x88a8 for QinQ).
ProbeFrame build_arp_probe(const MacAddress& source, Vlan vlan, Ipv4Address target);

// The probe for `target` in its family: an RFC 5227 ARP probe for IPv4, an RFC 4862 DAD
// Neighbor Solicitation for IPv6. What the edges send.
ProbeFrame build_probe(const MacAddress& source, Vlan vlan, const IpAddress& target);

// An answer to a probe (ours or anyone's): its sender answers for sender_ip, in the form a
// host uses when it was asked from the unspecified address: an ARP reply to 0.0.0.0, or an
// advertisement to all nodes with the Solicited flag clear (RFC 4861 7.2.4; a new owner's
// unsolicited advertisement looks the same, and during a round it is an answer too).
inline bool answers_probe(const ResolutionFrame& frame) {
  if (!frame.claims_address()) return false;
  if (frame.protocol == ResolutionProtocol::nd) return frame.kind == FrameKind::gratuitous_reply;
  return frame.kind == FrameKind::reply && frame.target_ip.is_unspecified();
}

}  // namespace arp
