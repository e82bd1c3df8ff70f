#include "core/arp_decoder.h"

#include "core/byte_reader.h"

namespace arp {
namespace {

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;      // 802.1Q C-tag
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;      // 802.1ad S-tag
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

std::optional<MacAddress> read_mac(ByteReader& reader) {
  MacAddress::Bytes bytes{};
  if (!reader.copy(bytes)) return std::nullopt;
  return MacAddress(bytes);
}

ArpKind classify(std::uint16_t operation, Ipv4Address sender_ip, Ipv4Address target_ip) {
  if (operation == kOpRequest) {
    if (sender_ip.is_unspecified()) return ArpKind::probe;
    return sender_ip == target_ip ? ArpKind::announcement : ArpKind::request;
  }
  return sender_ip == target_ip && !sender_ip.is_unspecified() ? ArpKind::gratuitous_reply
                                                               : ArpKind::reply;
}

}  // namespace

DecodeResult decode_arp_frame(std::span<const std::byte> frame) noexcept {
  ByteReader reader(frame);
  ArpFrame decoded;

  const auto destination = read_mac(reader);
  const auto source = read_mac(reader);
  auto ether_type = reader.be16();
  if (!destination || !source || !ether_type) return Failure{RejectReason::truncated};
  decoded.ethernet_destination = *destination;
  decoded.ethernet_source = *source;

  // Outermost tag first: with one tag it is the only (inner) one; with two, it is the S-tag.
  std::array<std::uint16_t, kMaxVlanTags> vlan_ids{};
  std::size_t tags = 0;
  while (is_vlan_tpid(*ether_type)) {
    if (tags == kMaxVlanTags) return Failure{RejectReason::not_arp};
    const auto tci = reader.be16();
    ether_type = reader.be16();
    if (!tci || !ether_type) return Failure{RejectReason::truncated};
    vlan_ids[tags++] = static_cast<std::uint16_t>(*tci & kVlanIdMask);
  }
  if (*ether_type != kEtherTypeArp) return Failure{RejectReason::not_arp};
  if (tags == 1) decoded.vlan = Vlan{.outer = 0, .inner = vlan_ids[0]};
  if (tags == 2) decoded.vlan = Vlan{.outer = vlan_ids[0], .inner = vlan_ids[1]};

  const auto hardware_type = reader.be16();
  const auto protocol_type = reader.be16();
  const auto hardware_length = reader.u8();
  const auto protocol_length = reader.u8();
  const auto operation = reader.be16();
  if (!hardware_type || !protocol_type || !hardware_length || !protocol_length || !operation) {
    return Failure{RejectReason::truncated};
  }
  // The fixed header is checked before the variable part: a frame that lies about its
  // lengths is rejected for the lie, not read with them.
  if (*hardware_type != kHardwareEthernet) return Failure{RejectReason::unsupported_hardware_type};
  if (*protocol_type != kProtocolIpv4) return Failure{RejectReason::unsupported_protocol_type};
  if (*hardware_length != kEthernetAddressLength) return Failure{RejectReason::bad_hardware_length};
  if (*protocol_length != kIpv4AddressLength) return Failure{RejectReason::bad_protocol_length};
  if (*operation != kOpRequest && *operation != kOpReply) {
    return Failure{RejectReason::unknown_opcode};
  }

  const auto sender_mac = read_mac(reader);
  const auto sender_ip = reader.be32();
  const auto target_mac = read_mac(reader);
  const auto target_ip = reader.be32();
  if (!sender_mac || !sender_ip || !target_mac || !target_ip) {
    return Failure{RejectReason::truncated};
  }
  decoded.sender_mac = *sender_mac;
  decoded.sender_ip = Ipv4Address(*sender_ip);
  decoded.target_mac = *target_mac;
  decoded.target_ip = Ipv4Address(*target_ip);

  decoded.kind = classify(*operation, decoded.sender_ip, decoded.target_ip);
  decoded.ethernet_source_mismatch = decoded.ethernet_source != decoded.sender_mac;
  decoded.sender_mac_invalid = decoded.sender_mac.is_zero() || decoded.sender_mac.is_multicast();
  return decoded;
}

std::string_view to_string(ArpKind kind) {
  switch (kind) {
    case ArpKind::request: return "request";
    case ArpKind::reply: return "reply";
    case ArpKind::probe: return "probe";
    case ArpKind::announcement: return "announcement";
    case ArpKind::gratuitous_reply: return "gratuitous_reply";
  }
  return "unknown";
}

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::truncated: return "truncated";
    case RejectReason::not_arp: return "not_arp";
    case RejectReason::unsupported_hardware_type: return "unsupported_hardware_type";
    case RejectReason::unsupported_protocol_type: return "unsupported_protocol_type";
    case RejectReason::bad_hardware_length: return "bad_hardware_length";
    case RejectReason::bad_protocol_length: return "bad_protocol_length";
    case RejectReason::unknown_opcode: return "unknown_opcode";
  }
  return "unknown";
}

}  // namespace arp
