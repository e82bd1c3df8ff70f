// Decodes ARP over Ethernet/IPv4 from raw frames as libpcap delivers them (DLT_EN10MB).
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "core/byte_reader.h"
#include "core/resolution_frame.h"
#include "core/result.h"

namespace arp {

using DecodeResult = Result<ResolutionFrame, RejectReason>;

// Never reads past `frame`, never throws, never allocates: it runs once per captured frame.
// Accepts Ethernet II with zero, one or two VLAN tags (0x8100, 0x88a8, and the legacy 0x9100
// S-tag); trailing bytes (padding to 60 bytes, FCS) are ignored. Anything but ARP is rejected
// (decode_frame in core/frame_decoder.h takes Neighbor Discovery too).
DecodeResult decode_arp_frame(std::span<const std::byte> frame) noexcept;

// The ARP packet `reader` is at, after the Ethernet header read_ethernet_header() put into
// `decoded`: fills the rest of `decoded`, or says why it is not an ARP packet we can use.
std::optional<RejectReason> decode_arp_message(ByteReader& reader,
                                               ResolutionFrame& decoded) noexcept;

}  // namespace arp
