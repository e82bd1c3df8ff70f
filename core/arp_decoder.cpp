#include "core/arp_decoder.h"

#include <cstring>

#include "core/ethernet_header.h"
#include "core/header_block.h"

namespace arp {
namespace {

constexpr std::uint16_t kHardwareEthernet = 1;
constexpr std::uint16_t kProtocolIpv4 = 0x0800;
constexpr std::uint8_t kEthernetAddressLength = 6;
constexpr std::uint8_t kIpv4AddressLength = 4;
constexpr std::uint16_t kOpRequest = 1;
constexpr std::uint16_t kOpReply = 2;
constexpr std::size_t kArpFixedHeaderBytes = 8;
constexpr std::size_t kArpAddressesBytes = 2 * 6 + 2 * 4;

// The addresses as the packet carries them: only compared, with each other and with 0.0.0.0.
FrameKind classify(std::uint16_t operation, std::uint32_t sender_ip, std::uint32_t target_ip) {
  if (operation == kOpRequest) {
    if (sender_ip == 0) return FrameKind::probe;
    return sender_ip == target_ip ? FrameKind::announcement : FrameKind::request;
  }
  return sender_ip == target_ip && sender_ip != 0 ? FrameKind::gratuitous_reply : FrameKind::reply;
}

std::uint32_t raw32_at(Block block, std::size_t at) {
  std::uint32_t raw = 0;
  std::memcpy(&raw, block.data() + at, sizeof raw);
  return raw;
}

}  // namespace

std::optional<RejectReason> decode_arp_message(ByteReader& reader,
                                               ResolutionFrame& decoded) noexcept {
  // hardware type, protocol type, hardware length, protocol length, operation
  const auto fixed = reader.take(kArpFixedHeaderBytes);
  if (fixed.empty()) return RejectReason::truncated;
  // The fixed header is checked before the variable part: a frame that lies about its
  // lengths is rejected for the lie, not read with them.
  if (be16_at(fixed, 0) != kHardwareEthernet) return RejectReason::unsupported_hardware_type;
  if (be16_at(fixed, 2) != kProtocolIpv4) return RejectReason::unsupported_protocol_type;
  if (u8_at(fixed, 4) != kEthernetAddressLength) return RejectReason::bad_hardware_length;
  if (u8_at(fixed, 5) != kIpv4AddressLength) return RejectReason::bad_protocol_length;
  const auto operation = be16_at(fixed, 6);
  if (operation != kOpRequest && operation != kOpReply) return RejectReason::unknown_opcode;

  // sender MAC, sender IP, target MAC, target IP
  const auto addresses = reader.take(kArpAddressesBytes);
  if (addresses.empty()) return RejectReason::truncated;
  decoded.sender_mac = mac_at(addresses, 0);
  decoded.sender_ip = ipv4_at(addresses, 6);
  decoded.target_mac = mac_at(addresses, 10);
  decoded.target_ip = ipv4_at(addresses, 16);
  decoded.kind = classify(operation, raw32_at(addresses, 6), raw32_at(addresses, 16));
  const auto sender_bits = mac_bits(decoded.sender_mac);
  decoded.ethernet_source_mismatch = mac_bits(decoded.ethernet_source) != sender_bits;
  decoded.sender_mac_invalid = sender_bits == 0 || decoded.sender_mac.is_multicast();
  return std::nullopt;
}

DecodeResult decode_arp_frame(std::span<const std::byte> frame) noexcept {
  // Decoded in place and returned by NRVO: building a local ResolutionFrame and returning it copied
  // the finished frame into the result (a rep movs), which cost a quarter of the decoding.
  DecodeResult result(std::in_place);
  ByteReader reader(frame);
  std::uint16_t ether_type = 0;
  auto rejected = read_ethernet_header(reader, result.value(), ether_type);
  if (!rejected && ether_type != kEtherTypeArp) rejected = RejectReason::unsupported_ethertype;
  if (!rejected) rejected = decode_arp_message(reader, result.value());
  if (rejected) result = Failure{*rejected};
  return result;
}

std::string_view to_string(FrameKind kind) {
  switch (kind) {
    case FrameKind::request:
      return "request";
    case FrameKind::reply:
      return "reply";
    case FrameKind::probe:
      return "probe";
    case FrameKind::announcement:
      return "announcement";
    case FrameKind::gratuitous_reply:
      return "gratuitous_reply";
  }
  return "unknown";
}

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::truncated:
      return "truncated";
    case RejectReason::unsupported_ethertype:
      return "unsupported_ethertype";
    case RejectReason::unsupported_hardware_type:
      return "unsupported_hardware_type";
    case RejectReason::unsupported_protocol_type:
      return "unsupported_protocol_type";
    case RejectReason::bad_hardware_length:
      return "bad_hardware_length";
    case RejectReason::bad_protocol_length:
      return "bad_protocol_length";
    case RejectReason::unknown_opcode:
      return "unknown_opcode";
    case RejectReason::not_neighbor_discovery:
      return "not_neighbor_discovery";
    case RejectReason::bad_hop_limit:
      return "bad_hop_limit";
    case RejectReason::bad_icmp_code:
      return "bad_icmp_code";
    case RejectReason::bad_checksum:
      return "bad_checksum";
    case RejectReason::bad_target:
      return "bad_target";
    case RejectReason::bad_option:
      return "bad_option";
    case RejectReason::bad_addressing:
      return "bad_addressing";
  }
  return "unknown";
}

}  // namespace arp
