// Writes the probes this exporter sends, byte by byte in network order, behind the same
// Ethernet header and VLAN tags whichever family the probe asks about: its answers must come
// back in the VLAN the address was seen in.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/arp_probe.h"

namespace arp {

class FrameWriter {
 public:
  explicit FrameWriter(ProbeFrame& frame) : frame_(frame) {}
  void u8(std::uint8_t value) { frame_.bytes.at(frame_.size++) = std::byte{value}; }
  void be16(std::uint16_t value) {
    u8(static_cast<std::uint8_t>(value >> 8U));
    u8(static_cast<std::uint8_t>(value & 0xffU));
  }
  void be32(std::uint32_t value) {
    be16(static_cast<std::uint16_t>(value >> 16U));
    be16(static_cast<std::uint16_t>(value & 0xffffU));
  }
  void mac(const MacAddress& address) {
    for (const auto byte : address.bytes()) u8(byte);
  }
  void ip(const IpAddress& address) {
    for (const auto byte : address.bytes()) u8(byte);
  }
  // Overwrites two bytes already written (a checksum known only at the end).
  void be16_at(std::size_t offset, std::uint16_t value) {
    frame_.bytes.at(offset) = std::byte{static_cast<std::uint8_t>(value >> 8U)};
    frame_.bytes.at(offset + 1) = std::byte{static_cast<std::uint8_t>(value & 0xffU)};
  }
  std::size_t size() const { return frame_.size; }

  // Destination, source, the tags `vlan` says (outer 0x88a8 for QinQ) and the EtherType.
  void ethernet(const MacAddress& destination, const MacAddress& source, Vlan vlan,
                std::uint16_t ether_type) {
    constexpr std::uint16_t kEtherTypeVlan = 0x8100;
    constexpr std::uint16_t kEtherTypeServiceVlan = 0x88a8;
    mac(destination);
    mac(source);
    if (vlan.outer != 0) {
      be16(kEtherTypeServiceVlan);
      be16(vlan.outer);
    }
    // Under an S-tag the customer tag is written even when it is 0 (priority-tagged): the
    // decoder reads S-tag X alone as {0, X}, and the answers would reach no round.
    if (vlan.inner != 0 || vlan.outer != 0) {
      be16(kEtherTypeVlan);
      be16(vlan.inner);
    }
    be16(ether_type);
  }

 private:
  ProbeFrame& frame_;
};

}  // namespace arp
