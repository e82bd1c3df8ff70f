// Builds untagged Ethernet ARP frames for tests, padded to the 60 bytes a receiver sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/ip_address.h"
#include "core/mac_address.h"

namespace arp::testing {

inline std::vector<std::byte> build_arp_frame(std::uint16_t operation, MacAddress sender_mac,
                                              Ipv4Address sender_ip, MacAddress target_mac,
                                              Ipv4Address target_ip, MacAddress destination) {
  std::vector<std::byte> bytes;
  const auto u8 = [&](unsigned value) { bytes.push_back(static_cast<std::byte>(value & 0xffU)); };
  const auto be16 = [&](unsigned value) { u8(value >> 8U), u8(value); };
  const auto be32 = [&](std::uint32_t value) { be16(value >> 16U), be16(value); };
  const auto mac = [&](const MacAddress& address) {
    for (const auto byte : address.bytes()) u8(byte);
  };
  mac(destination);
  mac(sender_mac);
  be16(0x0806);
  be16(1);       // Ethernet
  be16(0x0800);  // IPv4
  u8(6);
  u8(4);
  be16(operation);
  mac(sender_mac);
  be32(sender_ip.to_u32());
  mac(target_mac);
  be32(target_ip.to_u32());
  bytes.resize(60, std::byte{0});
  return bytes;
}

}  // namespace arp::testing
