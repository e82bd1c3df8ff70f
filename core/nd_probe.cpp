#include "core/nd_probe.h"

#include <cstdint>

#include "core/frame_writer.h"

namespace arp {
namespace {

constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint8_t kNextHeaderIcmpv6 = 58;
// RFC 4861 7.1.1: a receiver drops Neighbor Discovery that a router may have forwarded.
constexpr std::uint8_t kHopLimit = 255;
constexpr std::uint8_t kNeighborSolicitation = 135;
// Type, code, checksum, reserved and the target address; no options.
constexpr std::uint16_t kSolicitationLength = 24;

// The ICMPv6 checksum (RFC 4443 2.3): the one's complement sum over the pseudo-header (RFC 8200
// 8.1) and the message, whose checksum field is still zero.
std::uint16_t icmpv6_checksum(const IpAddress& source, const IpAddress& destination,
                              std::span<const std::byte> message) {
  std::uint32_t sum = 0;
  const auto add_bytes = [&](std::span<const std::byte> bytes) {
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
      const auto high = std::to_integer<std::uint32_t>(bytes[i]) << 8U;
      const auto low = i + 1 < bytes.size() ? std::to_integer<std::uint32_t>(bytes[i + 1]) : 0U;
      sum += high | low;
    }
  };
  add_bytes(std::as_bytes(std::span(source.bytes())));
  add_bytes(std::as_bytes(std::span(destination.bytes())));
  sum += static_cast<std::uint32_t>(message.size());  // upper-layer packet length, 32 bits
  sum += kNextHeaderIcmpv6;                           // three zero bytes, then next header
  add_bytes(message);
  while ((sum >> 16U) != 0) sum = (sum & 0xffffU) + (sum >> 16U);
  return static_cast<std::uint16_t>(~sum & 0xffffU);
}

}  // namespace

IpAddress solicited_node_group(const IpAddress& address) {
  IpAddress::Bytes group{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0};
  for (std::size_t i = 13; i < 16; ++i) group.at(i) = address.bytes().at(i);
  return IpAddress::from_bytes(group);
}

MacAddress ipv6_multicast_mac(const IpAddress& group) {
  const auto& bytes = group.bytes();
  return MacAddress({0x33, 0x33, bytes[12], bytes[13], bytes[14], bytes[15]});
}

ProbeFrame build_nd_probe(const MacAddress& source, Vlan vlan, const IpAddress& target) {
  const IpAddress unspecified = IpAddress::from_bytes(IpAddress::Bytes{});
  const auto group = solicited_node_group(target);
  ProbeFrame frame;
  FrameWriter out(frame);
  out.ethernet(ipv6_multicast_mac(group), source, vlan, kEtherTypeIpv6);
  out.be32(0x6000'0000U);  // version 6, traffic class 0, flow label 0
  out.be16(kSolicitationLength);
  out.u8(kNextHeaderIcmpv6);
  out.u8(kHopLimit);
  out.ip(unspecified);
  out.ip(group);
  const auto message = out.size();
  out.u8(kNeighborSolicitation);
  out.u8(0);    // code
  out.be16(0);  // checksum, filled in below
  out.be32(0);  // reserved
  out.ip(target);
  out.be16_at(message + 2, icmpv6_checksum(unspecified, group, frame.view().subspan(message)));
  // 78 bytes untagged: above the Ethernet minimum, nothing to pad.
  return frame;
}

}  // namespace arp
