// A 48-bit IEEE 802 MAC address and the canonical text form used in labels.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arp {

class MacAddress {
 public:
  using Bytes = std::array<std::uint8_t, 6>;

  constexpr MacAddress() = default;
  constexpr explicit MacAddress(const Bytes& bytes) : bytes_(bytes) {}

  // Accepts "02:00:00:00:00:0a", "02-00-00-00-00-0A" and "0200.0000.000a" (switch CLI form).
  static std::optional<MacAddress> parse(std::string_view text);

  const Bytes& bytes() const { return bytes_; }
  // The address as a 48-bit number, first octet most significant: prefix lookups shift this.
  std::uint64_t to_u64() const;

  bool is_zero() const { return to_u64() == 0; }
  bool is_broadcast() const { return to_u64() == 0xffff'ffff'ffffULL; }
  // The I/G bit: group addresses never own an IP. Broadcast is a group address too.
  bool is_multicast() const { return (bytes_[0] & 0x01U) != 0; }
  // The U/L bit: set on addresses no registry assigned (VMs, containers, randomised MACs).
  bool is_locally_administered() const { return (bytes_[0] & 0x02U) != 0; }

  // Lowercase colon hex, e.g. "02:00:00:00:00:0a".
  std::string to_string() const;

  friend constexpr auto operator<=>(const MacAddress&, const MacAddress&) = default;

 private:
  Bytes bytes_{};
};

}  // namespace arp
