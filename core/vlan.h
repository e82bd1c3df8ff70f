// The 802.1Q tags a frame carried: the same IP in two VLANs is two addresses, never a conflict.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace arp {

struct Vlan {
  // 0 means "no tag": VLAN id 0 is the 802.1p priority tag, which is untagged traffic.
  std::uint16_t outer = 0;  // service tag (802.1ad S-tag) when the frame is QinQ
  std::uint16_t inner = 0;  // customer tag, or the only tag

  bool tagged() const { return inner != 0 || outer != 0; }
  // Dense key for hashing: 12 bits each.
  std::uint32_t to_u32() const { return (std::uint32_t{outer} << 12U) | inner; }
  // The label value: "" untagged, "100", or "200.100" for QinQ (outer.inner).
  std::string to_string() const;

  friend constexpr auto operator<=>(const Vlan&, const Vlan&) = default;
};

}  // namespace arp
