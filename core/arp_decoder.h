// Decodes ARP over Ethernet/IPv4 from raw frames as libpcap delivers them (DLT_EN10MB).
#pragma once

#include <cstddef>
#include <span>

#include "core/resolution_frame.h"
#include "core/result.h"

namespace arp {

using DecodeResult = Result<ResolutionFrame, RejectReason>;

// Never reads past `frame`, never throws, never allocates: it runs once per captured frame.
// Accepts Ethernet II with zero, one or two VLAN tags (0x8100, 0x88a8, and the legacy 0x9100
// S-tag); trailing bytes (padding to 60 bytes, FCS) are ignored.
DecodeResult decode_arp_frame(std::span<const std::byte> frame) noexcept;

}  // namespace arp
