#include "core/ethernet_header.h"

#include <array>

#include "core/header_block.h"

namespace arp {
namespace {

constexpr std::uint16_t kEtherTypeVlan = 0x8100;        // 802.1Q C-tag
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;        // 802.1ad S-tag
constexpr std::uint16_t kEtherTypeQinQLegacy = 0x9100;  // pre-standard S-tag, still in the field
constexpr std::uint16_t kVlanIdMask = 0x0fff;
constexpr std::size_t kMaxVlanTags = 2;
constexpr std::size_t kEthernetHeaderBytes = 14;  // destination, source, EtherType
constexpr std::size_t kVlanTagBytes = 4;

bool is_vlan_tpid(std::uint16_t ether_type) {
  return ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ ||
         ether_type == kEtherTypeQinQLegacy;
}

}  // namespace

std::optional<RejectReason> read_ethernet_header(ByteReader& reader, ResolutionFrame& decoded,
                                                 std::uint16_t& ether_type) noexcept {
  const auto ethernet = reader.take(kEthernetHeaderBytes);
  if (ethernet.empty()) return RejectReason::truncated;
  decoded.ethernet_destination = mac_at(ethernet, 0);
  decoded.ethernet_source = mac_at(ethernet, 6);
  ether_type = be16_at(ethernet, 12);

  // Outermost tag first: with one tag it is the only (inner) one; with two, it is the S-tag.
  std::array<std::uint16_t, kMaxVlanTags> vlan_ids{};
  std::size_t tags = 0;
  while (is_vlan_tpid(ether_type)) {
    if (tags == kMaxVlanTags) return RejectReason::unsupported_ethertype;
    const auto tag = reader.take(kVlanTagBytes);  // the TCI, then the EtherType it tags
    if (tag.empty()) return RejectReason::truncated;
    vlan_ids[tags++] = static_cast<std::uint16_t>(be16_at(tag, 0) & kVlanIdMask);
    ether_type = be16_at(tag, 2);
  }
  if (tags == 1) decoded.vlan = Vlan{.outer = 0, .inner = vlan_ids[0]};
  if (tags == 2) decoded.vlan = Vlan{.outer = vlan_ids[0], .inner = vlan_ids[1]};
  return std::nullopt;
}

}  // namespace arp
