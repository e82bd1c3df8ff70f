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

bool is_vlan_tpid(std::uint16_t ether_type) {
  return ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ ||
         ether_type == kEtherTypeQinQLegacy;
}

// The helpers write straight into the decoded frame. Returning std::optional<MacAddress> or
// std::optional<std::uint32_t> instead packs value and flag into a register through the stack,
// and the CPU stalls on each of those (store forwarding fails on mixed-width stores and loads):
// six stalls a frame cost more than the rest of the decoding.
bool read_mac(ByteReader& reader, MacAddress& out) {
  MacAddress::Bytes bytes{};
  if (!reader.copy(bytes)) return false;
  out = MacAddress(bytes);
  return true;
}

bool read_ipv4(ByteReader& reader, Ipv4Address& out) {
  std::array<std::uint8_t, 4> bytes{};
  if (!reader.copy(bytes)) return false;
  out = Ipv4Address((std::uint32_t{bytes[0]} << 24U) | (std::uint32_t{bytes[1]} << 16U) |
                    (std::uint32_t{bytes[2]} << 8U) | bytes[3]);
  return true;
}

// MacAddress's comparisons go through memcmp and its predicates through an out-of-line
// to_u64(); the decoder asks three of them per frame, so it compares the raw 48 bits instead.
std::uint64_t mac_bits(const MacAddress& mac) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, mac.bytes().data(), mac.bytes().size());
  return bits;
}

ArpKind classify(std::uint16_t operation, Ipv4Address sender_ip, Ipv4Address target_ip) {
  if (operation == kOpRequest) {
    if (sender_ip.is_unspecified()) return ArpKind::probe;
    return sender_ip == target_ip ? ArpKind::announcement : ArpKind::request;
  }
  return sender_ip == target_ip && !sender_ip.is_unspecified() ? ArpKind::gratuitous_reply
                                                               : ArpKind::reply;
}

// Fills `decoded`, or says why the frame is not an ARP packet we can use.
std::optional<RejectReason> decode_into(std::span<const std::byte> frame, ArpFrame& decoded) {
  ByteReader reader(frame);
  if (!read_mac(reader, decoded.ethernet_destination) ||
      !read_mac(reader, decoded.ethernet_source)) {
    return RejectReason::truncated;
  }
  auto ether_type = reader.be16();
  if (!ether_type) return RejectReason::truncated;

  // Outermost tag first: with one tag it is the only (inner) one; with two, it is the S-tag.
  std::array<std::uint16_t, kMaxVlanTags> vlan_ids{};
  std::size_t tags = 0;
  while (is_vlan_tpid(*ether_type)) {
    if (tags == kMaxVlanTags) return RejectReason::not_arp;
    const auto tci = reader.be16();
    ether_type = reader.be16();
    if (!tci || !ether_type) return RejectReason::truncated;
    vlan_ids[tags++] = static_cast<std::uint16_t>(*tci & kVlanIdMask);
  }
  if (*ether_type != kEtherTypeArp) return RejectReason::not_arp;
  if (tags == 1) decoded.vlan = Vlan{.outer = 0, .inner = vlan_ids[0]};
  if (tags == 2) decoded.vlan = Vlan{.outer = vlan_ids[0], .inner = vlan_ids[1]};

  const auto hardware_type = reader.be16();
  const auto protocol_type = reader.be16();
  const auto hardware_length = reader.u8();
  const auto protocol_length = reader.u8();
  const auto operation = reader.be16();
  if (!hardware_type || !protocol_type || !hardware_length || !protocol_length || !operation) {
    return RejectReason::truncated;
  }
  // The fixed header is checked before the variable part: a frame that lies about its
  // lengths is rejected for the lie, not read with them.
  if (*hardware_type != kHardwareEthernet) return RejectReason::unsupported_hardware_type;
  if (*protocol_type != kProtocolIpv4) return RejectReason::unsupported_protocol_type;
  if (*hardware_length != kEthernetAddressLength) return RejectReason::bad_hardware_length;
  if (*protocol_length != kIpv4AddressLength) return RejectReason::bad_protocol_length;
  if (*operation != kOpRequest && *operation != kOpReply) return RejectReason::unknown_opcode;

  if (!read_mac(reader, decoded.sender_mac) || !read_ipv4(reader, decoded.sender_ip) ||
      !read_mac(reader, decoded.target_mac) || !read_ipv4(reader, decoded.target_ip)) {
    return RejectReason::truncated;
  }

  decoded.kind = classify(*operation, decoded.sender_ip, decoded.target_ip);
  const auto sender_bits = mac_bits(decoded.sender_mac);
  decoded.ethernet_source_mismatch = mac_bits(decoded.ethernet_source) != sender_bits;
  decoded.sender_mac_invalid = sender_bits == 0 || decoded.sender_mac.is_multicast();
  return std::nullopt;
}

}  // namespace

DecodeResult decode_arp_frame(std::span<const std::byte> frame) noexcept {
  // Decoded in place and returned by NRVO: building a local ArpFrame and returning it copied
  // the finished frame into the result (a rep movs), which cost a quarter of the decoding.
  DecodeResult result = ArpFrame{};
  if (const auto rejected = decode_into(frame, result.value())) result = Failure{*rejected};
  return result;
}

std::string_view to_string(ArpKind kind) {
  switch (kind) {
    case ArpKind::request:
      return "request";
    case ArpKind::reply:
      return "reply";
    case ArpKind::probe:
      return "probe";
    case ArpKind::announcement:
      return "announcement";
    case ArpKind::gratuitous_reply:
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
