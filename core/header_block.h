// A protocol header copied out of a frame in one bounds check, and the fields read from it at
// fixed offsets: what the Ethernet, ARP and Neighbor Discovery decoders share.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/ip_address.h"
#include "core/mac_address.h"

namespace arp {

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

template <std::size_t N>
IpAddress ipv6_at(const Block<N>& block, std::size_t at) {
  IpAddress::Bytes bytes{};
  std::memcpy(bytes.data(), block.data() + at, bytes.size());
  return IpAddress::from_bytes(bytes);
}

// MacAddress's comparisons go through memcmp and its predicates through an out-of-line
// to_u64(); the decoders ask three of them per frame, so they compare the raw 48 bits instead.
inline std::uint64_t mac_bits(const MacAddress& mac) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, mac.bytes().data(), mac.bytes().size());
  return bits;
}

}  // namespace arp
