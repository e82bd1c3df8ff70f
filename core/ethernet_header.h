// The Ethernet II header and the VLAN tags in front of an ARP or Neighbor Discovery message,
// read once for both decoders: the EtherType after the tags says which one the frame is for.
#pragma once

#include <cstdint>
#include <optional>

#include "core/byte_reader.h"
#include "core/resolution_frame.h"

namespace arp {

inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;

// Reads the addresses and up to two VLAN tags (0x8100, 0x88a8, and the legacy 0x9100 S-tag)
// into `decoded`, and the EtherType they carry into `ether_type`, leaving `reader` at the
// payload. Rejects a frame too short for its tags, or with more than two.
std::optional<RejectReason> read_ethernet_header(ByteReader& reader, ResolutionFrame& decoded,
                                                 std::uint16_t& ether_type) noexcept;

}  // namespace arp
