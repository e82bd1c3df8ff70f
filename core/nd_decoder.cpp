#include "core/nd_decoder.h"

#include <cstdint>

#include "core/ethernet_header.h"
#include "core/header_block.h"

namespace arp {
namespace {

constexpr std::uint8_t kIpVersion6 = 6;
constexpr std::uint8_t kNextHeaderIcmpv6 = 58;
// RFC 4861 7.1: a router forwarding the message would have decremented it, so anything else
// came from off the link.
constexpr std::uint8_t kNdHopLimit = 255;
constexpr std::uint8_t kTypeNeighborSolicitation = 135;
constexpr std::uint8_t kTypeNeighborAdvertisement = 136;
constexpr std::uint8_t kFlagSolicited = 0x40;  // NA flags: Router 0x80, Solicited, Override 0x20
constexpr std::uint8_t kOptionSourceLinkLayer = 1;
constexpr std::uint8_t kOptionTargetLinkLayer = 2;
constexpr std::size_t kOptionUnitBytes = 8;
// RFC 2464 8: type, length, and the 6-byte MAC fill exactly one unit on Ethernet.
constexpr std::size_t kEthernetLinkLayerOptionUnits = 1;
constexpr std::size_t kIpv6HeaderBytes = 40;
constexpr std::size_t kIpv6SourceAt = 8;
constexpr std::size_t kIpv6DestinationAt = 24;
constexpr std::size_t kIcmpHeaderBytes = 4;  // type, code, checksum
constexpr std::size_t kNdFixedBytes = 24;    // ICMP header, flags and reserved, target
constexpr std::size_t kNdTargetAt = 8;

// RFC 4443 2.3: the one's complement sum of the pseudo-header (RFC 8200 8.1: source,
// destination, upper-layer length, next header) and the message, checksum included, is all ones.
bool checksum_ok(Block ip, std::span<const std::byte> message) {
  std::uint64_t sum = 0;
  for (std::size_t at = kIpv6SourceAt; at < kIpv6HeaderBytes; at += 2) sum += be16_at(ip, at);
  sum += (message.size() >> 16U) + (message.size() & 0xffffU) + kNextHeaderIcmpv6;
  std::size_t at = 0;
  for (; at + 1 < message.size(); at += 2) {
    sum += (unsigned{u8_at(message, at)} << 8U) | u8_at(message, at + 1);
  }
  if (at < message.size()) sum += unsigned{u8_at(message, at)} << 8U;
  while ((sum >> 16U) != 0) sum = (sum & 0xffffU) + (sum >> 16U);
  return sum == 0xffffU;
}

// ff02::1:ff00:0/104 (RFC 4291 2.7.1), where a DAD probe must go.
bool is_solicited_node(const IpAddress& address) {
  const auto& b = address.bytes();
  if (b[0] != 0xff || b[1] != 0x02 || b[11] != 0x01 || b[12] != 0xff) return false;
  for (std::size_t i = 2; i < 11; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

struct LinkLayerOptions {
  MacAddress source;
  MacAddress target;
  bool has_source = false;
  bool has_target = false;
};

// Walks the options after the fixed part. Every option must have a length and fit in the
// message (RFC 4861 7.1.1: a length of 0 is invalid, and a walk could not go on past it); a
// link-layer address option must be one unit, as Ethernet's is. Unknown options are skipped;
// of two options of one type the first counts, as Linux keeps it.
std::optional<RejectReason> read_options(std::span<const std::byte> options,
                                         LinkLayerOptions& found) {
  while (!options.empty()) {
    if (options.size() < 2) return RejectReason::bad_option;
    const auto type = u8_at(options, 0);
    const std::size_t units = u8_at(options, 1);
    if (units == 0 || units * kOptionUnitBytes > options.size()) return RejectReason::bad_option;
    if (type == kOptionSourceLinkLayer || type == kOptionTargetLinkLayer) {
      if (units != kEthernetLinkLayerOptionUnits) return RejectReason::bad_option;
      const auto mac = mac_at(options, 2);  // after type and length; the unit holds it
      if (type == kOptionSourceLinkLayer && !found.has_source) {
        found.source = mac;
        found.has_source = true;
      } else if (type == kOptionTargetLinkLayer && !found.has_target) {
        found.target = mac;
        found.has_target = true;
      }
    }
    options = options.subspan(units * kOptionUnitBytes);
  }
  return std::nullopt;
}

// The sender's MAC: the link-layer address option when there is one, the Ethernet source when
// there is none (and then the frame claims nothing).
void set_sender_mac(ResolutionFrame& decoded, bool has_option, const MacAddress& option) {
  decoded.no_link_layer_address = !has_option;
  decoded.sender_mac = has_option ? option : decoded.ethernet_source;
  const auto sender_bits = mac_bits(decoded.sender_mac);
  decoded.ethernet_source_mismatch = mac_bits(decoded.ethernet_source) != sender_bits;
  decoded.sender_mac_invalid = sender_bits == 0 || decoded.sender_mac.is_multicast();
}

}  // namespace

std::optional<RejectReason> decode_nd_message(ByteReader& reader,
                                              ResolutionFrame& decoded) noexcept {
  decoded.protocol = ResolutionProtocol::nd;
  const auto ip = reader.take(kIpv6HeaderBytes);
  if (ip.empty()) return RejectReason::truncated;
  // Neighbor Discovery never carries extension headers: ICMPv6 must follow directly.
  if ((u8_at(ip, 0) >> 4U) != kIpVersion6 || u8_at(ip, 6) != kNextHeaderIcmpv6) {
    return RejectReason::not_neighbor_discovery;
  }
  const std::size_t payload_length = be16_at(ip, 4);
  // The payload length says where the message ends; what follows is padding or an FCS.
  if (!reader.has(payload_length)) return RejectReason::truncated;
  const auto message = reader.take(payload_length);
  if (message.size() < kIcmpHeaderBytes) return RejectReason::truncated;
  const auto type = u8_at(message, 0);
  if (type != kTypeNeighborSolicitation && type != kTypeNeighborAdvertisement) {
    return RejectReason::not_neighbor_discovery;
  }
  if (u8_at(ip, 7) != kNdHopLimit) return RejectReason::bad_hop_limit;
  if (u8_at(message, 1) != 0) return RejectReason::bad_icmp_code;
  if (message.size() < kNdFixedBytes) return RejectReason::truncated;
  if (!checksum_ok(ip, message)) return RejectReason::bad_checksum;

  const auto fixed = message.first(kNdFixedBytes);
  const auto target = ipv6_at(fixed, kNdTargetAt);
  // An IPv4-mapped target would alias the IPv4 address in the tracker's key.
  if (target.is_ipv6_multicast() || target.is_unspecified() || target.is_ipv4()) {
    return RejectReason::bad_target;
  }
  LinkLayerOptions options;
  if (const auto bad = read_options(message.subspan(kNdFixedBytes), options)) return bad;

  const auto source = ipv6_at(ip, kIpv6SourceAt);
  const auto destination = ipv6_at(ip, kIpv6DestinationAt);
  // A group never sends; and a source the tracker would read as IPv4 is no IPv6 sender.
  if (source.is_ipv6_multicast() || source.is_ipv4()) return RejectReason::bad_addressing;

  if (type == kTypeNeighborSolicitation) {
    decoded.target_ip = target;
    decoded.target_mac = MacAddress();
    if (source.is_unspecified()) {
      // RFC 4861 7.1.1: DAD goes to the solicited-node group and has no address to tell.
      if (!is_solicited_node(destination) || options.has_source) {
        return RejectReason::bad_addressing;
      }
      decoded.kind = FrameKind::probe;
      decoded.sender_ip = source;
      set_sender_mac(decoded, true, decoded.ethernet_source);
      return std::nullopt;
    }
    decoded.kind = FrameKind::request;
    decoded.sender_ip = source;
    set_sender_mac(decoded, options.has_source, options.source);
    return std::nullopt;
  }

  const bool solicited = (u8_at(fixed, 4) & kFlagSolicited) != 0;
  // RFC 4861 7.1.2: a solicited advertisement answers one node, never a group.
  if (solicited && destination.is_ipv6_multicast()) return RejectReason::bad_addressing;
  decoded.kind = solicited ? FrameKind::reply : FrameKind::gratuitous_reply;
  decoded.sender_ip = target;
  decoded.target_ip = destination;
  decoded.target_mac = decoded.ethernet_destination;
  set_sender_mac(decoded, options.has_target, options.target);
  return std::nullopt;
}

DecodeResult decode_nd_frame(std::span<const std::byte> frame) noexcept {
  DecodeResult result(std::in_place);
  ByteReader reader(frame);
  std::uint16_t ether_type = 0;
  auto rejected = read_ethernet_header(reader, result.value(), ether_type);
  if (!rejected && ether_type != kEtherTypeIpv6) rejected = RejectReason::unsupported_ethertype;
  if (!rejected) rejected = decode_nd_message(reader, result.value());
  if (rejected) result = Failure{*rejected};
  return result;
}

}  // namespace arp
