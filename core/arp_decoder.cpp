#include "core/arp_decoder.h"

#include <array>
#include <cstring>
#include <optional>

#include "core/byte_reader.h"

namespace arp {
namespace {

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;        // 802.1Q C-tag
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;        // 802.1ad S-tag
constexpr std::uint16_t kEtherTypeQinQLegacy = 0x9100;  // pre-standard S-tag, still in the field
constexpr std::uint16_t kHardwareEthernet = 1;
constexpr std::uint16_t kProtocolIpv4 = 0x0800;
constexpr std::uint8_t kEthernetAddressLength = 6;
constexpr std::uint8_t kIpv4AddressLength = 4;
constexpr std::uint16_t kOpRequest = 1;
constexpr std::uint16_t kOpReply = 2;
constexpr std::uint16_t kVlanIdMask = 0x0fff;
constexpr std::size_t kMaxVlanTags = 2;
constexpr std::size_t kEthernetHeaderBytes = 14;  // destination, source, EtherType
constexpr std::size_t kVlanTagBytes = 4;
constexpr std::size_t kArpFixedHeaderBytes = 8;
constexpr std::size_t kArpAddressesBytes = 2 * 6 + 2 * 4;

bool is_vlan_tpid(std::uint16_t ether_type) {
  return ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ ||
         ether_type == kEtherTypeQinQLegacy;
}

// Each header is read through the cursor as one block and taken apart at fixed offsets: one
// bounds check a header instead of one a field. Read field by field (an optional returned for
// each of 17 fields), decoding cost about 230 instructions a frame, the largest share of
// `analyze`'s time. The helpers return plain values: std::optional<MacAddress> or
// std::optional<std::uint32_t> pack value and flag into a register through the stack, and the
// CPU stalls on each (store forwarding fails on mixed-width stores and loads).
template <std::size_t N>
using Block = std::array<std::uint8_t, N>;

template <std::size_t N>
std::uint16_t be16_at(const Block<N>& block, std::size_t at) {
  return static_cast<std::uint16_t>((unsigned{block[at]} << 8U) | block[at + 1]);
}

template <std::size_t N>
MacAddress mac_at(const Block<N>& block, std::size_t at) {
  MacAddress::Bytes bytes{};
  std::memcpy(bytes.data(), block.data() + at, bytes.size());
  return MacAddress(bytes);
}

template <std::size_t N>
Ipv4Address ipv4_at(const Block<N>& block, std::size_t at) {
  return Ipv4Address((std::uint32_t{block[at]} << 24U) | (std::uint32_t{block[at + 1]} << 16U) |
                     (std::uint32_t{block[at + 2]} << 8U) | block[at + 3]);
}

// MacAddress's comparisons go through memcmp and its predicates through an out-of-line
// to_u64(); the decoder asks three of them per frame, so it compares the raw 48 bits instead.
std::uint64_t mac_bits(const MacAddress& mac) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, mac.bytes().data(), mac.bytes().size());
  return bits;
}

FrameKind classify(std::uint16_t operation, Ipv4Address sender_ip, Ipv4Address target_ip) {
  if (operation == kOpRequest) {
    if (sender_ip.is_unspecified()) return FrameKind::probe;
    return sender_ip == target_ip ? FrameKind::announcement : FrameKind::request;
  }
  return sender_ip == target_ip && !sender_ip.is_unspecified() ? FrameKind::gratuitous_reply
                                                               : FrameKind::reply;
}

// Fills `decoded`, or says why the frame is not an ARP packet we can use.
std::optional<RejectReason> decode_into(std::span<const std::byte> frame, ResolutionFrame& decoded) {
  ByteReader reader(frame);
  Block<kEthernetHeaderBytes> ethernet{};
  if (!reader.copy(ethernet)) return RejectReason::truncated;
  decoded.ethernet_destination = mac_at(ethernet, 0);
  decoded.ethernet_source = mac_at(ethernet, 6);
  auto ether_type = be16_at(ethernet, 12);

  // Outermost tag first: with one tag it is the only (inner) one; with two, it is the S-tag.
  std::array<std::uint16_t, kMaxVlanTags> vlan_ids{};
  std::size_t tags = 0;
  while (is_vlan_tpid(ether_type)) {
    if (tags == kMaxVlanTags) return RejectReason::not_arp;
    Block<kVlanTagBytes> tag{};  // the TCI, then the EtherType it tags
    if (!reader.copy(tag)) return RejectReason::truncated;
    vlan_ids[tags++] = static_cast<std::uint16_t>(be16_at(tag, 0) & kVlanIdMask);
    ether_type = be16_at(tag, 2);
  }
  if (ether_type != kEtherTypeArp) return RejectReason::not_arp;
  if (tags == 1) decoded.vlan = Vlan{.outer = 0, .inner = vlan_ids[0]};
  if (tags == 2) decoded.vlan = Vlan{.outer = vlan_ids[0], .inner = vlan_ids[1]};

  // hardware type, protocol type, hardware length, protocol length, operation
  Block<kArpFixedHeaderBytes> fixed{};
  if (!reader.copy(fixed)) return RejectReason::truncated;
  // The fixed header is checked before the variable part: a frame that lies about its
  // lengths is rejected for the lie, not read with them.
  if (be16_at(fixed, 0) != kHardwareEthernet) return RejectReason::unsupported_hardware_type;
  if (be16_at(fixed, 2) != kProtocolIpv4) return RejectReason::unsupported_protocol_type;
  if (fixed[4] != kEthernetAddressLength) return RejectReason::bad_hardware_length;
  if (fixed[5] != kIpv4AddressLength) return RejectReason::bad_protocol_length;
  const auto operation = be16_at(fixed, 6);
  if (operation != kOpRequest && operation != kOpReply) return RejectReason::unknown_opcode;

  // sender MAC, sender IP, target MAC, target IP
  Block<kArpAddressesBytes> addresses{};
  if (!reader.copy(addresses)) return RejectReason::truncated;
  decoded.sender_mac = mac_at(addresses, 0);
  const auto sender_ip = ipv4_at(addresses, 6);
  const auto target_ip = ipv4_at(addresses, 16);
  decoded.sender_ip = sender_ip;
  decoded.target_mac = mac_at(addresses, 10);
  decoded.target_ip = target_ip;

  decoded.kind = classify(operation, sender_ip, target_ip);
  const auto sender_bits = mac_bits(decoded.sender_mac);
  decoded.ethernet_source_mismatch = mac_bits(decoded.ethernet_source) != sender_bits;
  decoded.sender_mac_invalid = sender_bits == 0 || decoded.sender_mac.is_multicast();
  return std::nullopt;
}

}  // namespace

DecodeResult decode_arp_frame(std::span<const std::byte> frame) noexcept {
  // Decoded in place and returned by NRVO: building a local ResolutionFrame and returning it copied
  // the finished frame into the result (a rep movs), which cost a quarter of the decoding.
  DecodeResult result = ResolutionFrame{};
  if (const auto rejected = decode_into(frame, result.value())) result = Failure{*rejected};
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
    case RejectReason::not_arp:
      return "not_arp";
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
  }
  return "unknown";
}

}  // namespace arp
