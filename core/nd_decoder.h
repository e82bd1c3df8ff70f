// Decodes IPv6 Neighbor Discovery (RFC 4861 Neighbor Solicitation and Advertisement) from raw
// Ethernet frames into the vocabulary of ARP: one tracker and one set of verdicts for both.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "core/arp_decoder.h"
#include "core/byte_reader.h"
#include "core/resolution_frame.h"

namespace arp {

// Like decode_arp_frame: never reads past `frame`, never throws, never allocates. Accepts the
// same Ethernet framing and VLAN tags; anything but an NS or NA is rejected.
DecodeResult decode_nd_frame(std::span<const std::byte> frame) noexcept;

// The IPv6 packet `reader` is at, after the Ethernet header read_ethernet_header() put into
// `decoded`: validates it as RFC 4861 7.1.1 / 7.1.2 ask, and maps it onto `decoded`:
//  - NS from a unicast source: a request; sender = the IPv6 source and its source link-layer
//    address (the Ethernet source, and no_link_layer_address, when the option is absent),
//    target = the address solicited.
//  - NS from :: (DAD, RFC 4862 5.4): a probe for the address solicited, from the Ethernet
//    source.
//  - NA: sender = the target advertised and its target link-layer address (the Ethernet
//    source, and no_link_layer_address, when absent), target = the IPv6 and Ethernet
//    destinations; a reply when Solicited is set, a gratuitous reply when not (unsolicited,
//    or a DAD defence to ff02::1).
std::optional<RejectReason> decode_nd_message(ByteReader& reader,
                                              ResolutionFrame& decoded) noexcept;

}  // namespace arp
