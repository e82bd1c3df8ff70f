// What the decoder makes of one Ethernet frame: a classified ARP packet, or why not.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/ip_address.h"
#include "core/mac_address.h"
#include "core/vlan.h"

namespace arp {

// RFC 826 operation plus the RFC 5227 reading of its addresses.
enum class ArpKind : std::uint8_t {
  request,           // who-has target_ip, tell sender_ip
  reply,             // sender_ip is-at sender_mac
  probe,             // request with sender_ip 0.0.0.0: "is target_ip free?" (RFC 5227 2.1)
  announcement,      // request with sender_ip == target_ip: gratuitous / RFC 5227 announcement
  gratuitous_reply,  // reply with sender_ip == target_ip
};
inline constexpr std::array kAllArpKinds = {ArpKind::request, ArpKind::reply, ArpKind::probe,
                                            ArpKind::announcement, ArpKind::gratuitous_reply};
std::string_view to_string(ArpKind kind);

enum class RejectReason : std::uint8_t {
  truncated,                  // shorter than the headers it announces
  not_arp,                    // another EtherType, or more than two VLAN tags
  unsupported_hardware_type,  // htype != 1 (Ethernet)
  unsupported_protocol_type,  // ptype != 0x0800 (IPv4)
  bad_hardware_length,        // hlen != 6
  bad_protocol_length,        // plen != 4
  unknown_opcode,             // not 1 (request) or 2 (reply)
};
inline constexpr std::array kAllRejectReasons = {RejectReason::truncated,
                                                 RejectReason::not_arp,
                                                 RejectReason::unsupported_hardware_type,
                                                 RejectReason::unsupported_protocol_type,
                                                 RejectReason::bad_hardware_length,
                                                 RejectReason::bad_protocol_length,
                                                 RejectReason::unknown_opcode};
std::string_view to_string(RejectReason reason);

struct ArpFrame {
  MacAddress ethernet_source;
  MacAddress ethernet_destination;
  Vlan vlan;
  ArpKind kind = ArpKind::request;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
  // Proxy ARP and some bridges do this legitimately; spoofing tools do it too.
  bool ethernet_source_mismatch = false;
  // A group or all-zero sender hardware address can never own an IP: such a frame is forged
  // or broken, and is never counted as a claim.
  bool sender_mac_invalid = false;

  bool is_request() const {
    return kind == ArpKind::request || kind == ArpKind::probe || kind == ArpKind::announcement;
  }
};

}  // namespace arp
