// A protocol header seen in place in the frame, bounds-checked once, and the fields read from it
// at fixed offsets: what the Ethernet, ARP and Neighbor Discovery decoders share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/ip_address.h"
#include "core/mac_address.h"

namespace arp {

// Each header is taken from the cursor as one view (ByteReader::take, empty when the frame is
// too short) and read at fixed offsets: one bounds check a header instead of one a field. Read
// field by field (an optional returned for each of 17 fields), decoding cost about 230
// instructions a frame. The header is read where libpcap left it, not copied out first, and
// each field is built in registers: bytes copied to the stack and read back in another width (a
// MAC as 8 bytes, an address written byte by byte and loaded as 16) cannot be forwarded from
// the store buffer, and those stalls once made decoding three times slower.
using Block = std::span<const std::byte>;

inline std::uint8_t u8_at(Block block, std::size_t at) {
  return std::to_integer<std::uint8_t>(block[at]);
}

inline std::uint16_t be16_at(Block block, std::size_t at) {
  return static_cast<std::uint16_t>((unsigned{u8_at(block, at)} << 8U) | u8_at(block, at + 1));
}

inline MacAddress mac_at(Block block, std::size_t at) {
  MacAddress::Bytes bytes{};
  std::memcpy(bytes.data(), block.data() + at, bytes.size());
  return MacAddress(bytes);
}

// The IPv4 address at `at`, IPv4-mapped: its 4 bytes go in as they are, in network order.
inline IpAddress ipv4_at(Block block, std::size_t at) {
  return IpAddress::from_ipv4_bytes(block.subspan(at).first<4>());
}

inline IpAddress ipv6_at(Block block, std::size_t at) {
  IpAddress::Bytes bytes{};
  std::memcpy(bytes.data(), block.data() + at, bytes.size());
  return IpAddress::from_bytes(bytes);
}

// MacAddress's comparisons go through memcmp and its predicates through an out-of-line
// to_u64(); the decoders ask three of them per frame, so they compare the raw 48 bits instead,
// read as the 4 and 2 bytes a MAC is written as.
inline std::uint64_t mac_bits(const MacAddress& mac) {
  std::uint32_t low = 0;
  std::uint16_t high = 0;
  std::memcpy(&low, mac.bytes().data(), sizeof low);
  std::memcpy(&high, mac.bytes().data() + sizeof low, sizeof high);
  return std::uint64_t{low} | (std::uint64_t{high} << 32U);
}

}  // namespace arp
