// What the decoders make of one Ethernet frame: an address-resolution message (ARP, or IPv6
// Neighbor Discovery), classified in one vocabulary so the tracker and the verifier treat both
// families alike; or why not.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/ip_address.h"
#include "core/mac_address.h"
#include "core/vlan.h"

namespace arp {

enum class ResolutionProtocol : std::uint8_t {
  arp,  // RFC 826, IPv4
  nd,   // RFC 4861 Neighbor Solicitation / Advertisement, IPv6
};
// The family a protocol resolves: the `family` label of the frame counters.
constexpr IpFamily family_of(ResolutionProtocol protocol) {
  return protocol == ResolutionProtocol::arp ? IpFamily::ipv4 : IpFamily::ipv6;
}

// RFC 826 operation plus the RFC 5227 reading of its addresses. Neighbor Discovery maps onto
// the same kinds: a solicitation from a unicast source is a request, one from :: a probe (DAD,
// RFC 4862 5.4), a solicited advertisement a reply, an unsolicited one a gratuitous reply.
enum class FrameKind : std::uint8_t {
  request,           // who-has target_ip, tell sender_ip
  reply,             // sender_ip is-at sender_mac
  probe,             // request with sender_ip 0.0.0.0: "is target_ip free?" (RFC 5227 2.1)
  announcement,      // request with sender_ip == target_ip: gratuitous / RFC 5227 announcement
  gratuitous_reply,  // reply with sender_ip == target_ip
};
inline constexpr std::array kAllFrameKinds = {FrameKind::request, FrameKind::reply,
                                              FrameKind::probe, FrameKind::announcement,
                                              FrameKind::gratuitous_reply};
std::string_view to_string(FrameKind kind);

// Why a frame was refused. The ARP reasons first, then Neighbor Discovery's (RFC 4861 7.1.1 and
// 7.1.2: what a node must drop, because the message cannot be trusted or cannot be read).
enum class RejectReason : std::uint8_t {
  truncated,                  // shorter than the headers it announces
  unsupported_ethertype,      // neither ARP nor IPv6, or more than two VLAN tags
  unsupported_hardware_type,  // ARP htype != 1 (Ethernet)
  unsupported_protocol_type,  // ARP ptype != 0x0800 (IPv4)
  bad_hardware_length,        // ARP hlen != 6
  bad_protocol_length,        // ARP plen != 4
  unknown_opcode,             // ARP operation not 1 (request) or 2 (reply)
  not_neighbor_discovery,     // IPv6, but not an ICMPv6 solicitation or advertisement
  bad_hop_limit,              // ND hop limit != 255: sent from off the link, or forged
  bad_icmp_code,              // ND ICMPv6 code != 0
  bad_checksum,               // ND ICMPv6 checksum wrong
  bad_target,                 // ND target multicast, unspecified or IPv4-mapped
  bad_option,                 // ND option of length 0, past the message, or an LLA not 8 bytes
  bad_addressing,             // ND from :: not to a solicited-node group or with a source LLA;
                              // solicited advertisement to a group; multicast IPv6 source
};
inline constexpr std::array kAllRejectReasons = {RejectReason::truncated,
                                                 RejectReason::unsupported_ethertype,
                                                 RejectReason::unsupported_hardware_type,
                                                 RejectReason::unsupported_protocol_type,
                                                 RejectReason::bad_hardware_length,
                                                 RejectReason::bad_protocol_length,
                                                 RejectReason::unknown_opcode,
                                                 RejectReason::not_neighbor_discovery,
                                                 RejectReason::bad_hop_limit,
                                                 RejectReason::bad_icmp_code,
                                                 RejectReason::bad_checksum,
                                                 RejectReason::bad_target,
                                                 RejectReason::bad_option,
                                                 RejectReason::bad_addressing};
std::string_view to_string(RejectReason reason);

struct ResolutionFrame {
  ResolutionProtocol protocol = ResolutionProtocol::arp;
  MacAddress ethernet_source;
  MacAddress ethernet_destination;
  Vlan vlan;
  FrameKind kind = FrameKind::request;
  // ND: the advertised target and its target link-layer address for an advertisement; the
  // IPv6 source and its source link-layer address for a solicitation.
  MacAddress sender_mac;
  IpAddress sender_ip;
  // ND: the IPv6 destination and the Ethernet destination of an advertisement; the target
  // being solicited (and no MAC) for a solicitation.
  MacAddress target_mac;
  IpAddress target_ip;
  // Proxy ARP and some bridges do this legitimately; spoofing tools do it too.
  bool ethernet_source_mismatch = false;
  // A group or all-zero sender hardware address can never own an IP: such a frame is forged
  // or broken, and is never counted as a claim.
  bool sender_mac_invalid = false;
  // ND only: the message carried no link-layer address option (allowed for unicast
  // solicitations and for advertisements answering one), so it says nothing about who owns
  // the address.
  bool no_link_layer_address = false;

  // Whether the frame asserts that sender_mac owns sender_ip.
  bool claims_address() const {
    return kind != FrameKind::probe && !sender_mac_invalid && !no_link_layer_address &&
           !sender_ip.is_unspecified();
  }

  bool is_request() const {
    return kind == FrameKind::request || kind == FrameKind::probe ||
           kind == FrameKind::announcement;
  }

  friend bool operator==(const ResolutionFrame&, const ResolutionFrame&) = default;
};

}  // namespace arp
