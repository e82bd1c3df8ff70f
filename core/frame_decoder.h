// Decodes any frame the capture hands over: ARP or IPv6 Neighbor Discovery, told apart by the
// EtherType after the VLAN tags, into one ResolutionFrame.
#pragma once

#include <cstddef>
#include <span>

#include "core/arp_decoder.h"

namespace arp {

// Never reads past `frame`, never throws, never allocates. 0x0806 goes to the ARP decoder,
// 0x86dd to the Neighbor Discovery one; any other EtherType is unsupported_ethertype.
DecodeResult decode_frame(std::span<const std::byte> frame) noexcept;
// The same, decoded into `out` where it lives (a slot of a batch or a read-ahead queue):
// returned and then copied there, the frame's narrow stores stall the copy's wide loads, which
// cost as much as the decoding.
void decode_frame(std::span<const std::byte> frame, DecodeResult& out) noexcept;

}  // namespace arp
