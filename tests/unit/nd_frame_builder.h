// Builds IPv6 Neighbor Discovery frames for tests, checksum included, with knobs to break
// each field the decoder checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/ip_address.h"
#include "core/mac_address.h"
#include "core/nd_probe.h"
#include "core/vlan.h"

namespace arp::testing {

struct NdOption {
  std::uint8_t type = 1;
  std::vector<std::uint8_t> body;      // after type and length
  std::optional<std::uint8_t> length;  // in units of 8 bytes; computed when absent
};

inline NdOption link_layer_option(std::uint8_t type, const MacAddress& mac) {
  return {.type = type, .body = {mac.bytes().begin(), mac.bytes().end()}, .length = std::nullopt};
}

struct NdSpec {
  MacAddress ethernet_destination;
  MacAddress ethernet_source;
  Vlan vlan{};
  bool legacy_s_tag = false;  // 0x9100 instead of 0x88a8
  std::uint16_t ether_type = 0x86dd;
  std::uint8_t version = 6;
  std::uint8_t next_header = 58;
  std::uint8_t hop_limit = 255;
  IpAddress source;
  IpAddress destination;
  std::uint8_t type = 135;  // 135 NS, 136 NA
  std::uint8_t code = 0;
  std::uint8_t flags = 0;  // NA: 0x80 router, 0x40 solicited, 0x20 override
  IpAddress target;
  std::vector<NdOption> options;
  std::uint16_t checksum_xor = 0;                 // nonzero: a wrong checksum
  std::optional<std::uint16_t> payload_length{};  // the computed one when absent
  std::size_t truncate_message_to = 0;            // 0: the whole ICMPv6 message
  std::size_t trailer = 0;                        // padding bytes after the packet
};

// The three forms the tests need most, as hosts send them:
// a solicited advertisement of `address` by `from`, unicast to the peer that asked;
inline NdSpec solicited_advertisement(const MacAddress& from, const IpAddress& address,
                                      const MacAddress& peer_mac, const IpAddress& peer_ip) {
  return {.ethernet_destination = peer_mac,
          .ethernet_source = from,
          .source = address,
          .destination = peer_ip,
          .type = 136,
          .flags = 0x60,  // solicited, override
          .target = address,
          .options = {link_layer_option(2, from)}};
}

// an unsolicited one to all nodes: a new owner telling the link, a failover, or the answer to
// a DAD probe (RFC 4861 7.2.4: a solicitation from :: is answered to all nodes);
inline NdSpec unsolicited_advertisement(const MacAddress& from, const IpAddress& address) {
  const auto all_nodes = *IpAddress::parse("ff02::1");
  return {.ethernet_destination = ipv6_multicast_mac(all_nodes),
          .ethernet_source = from,
          .source = address,
          .destination = all_nodes,
          .type = 136,
          .flags = 0x20,  // override
          .target = address,
          .options = {link_layer_option(2, from)}};
}

// and Duplicate Address Detection by a host about to configure `address` (RFC 4862 5.4.2).
inline NdSpec dad_solicitation(const MacAddress& from, const IpAddress& address) {
  const auto group = solicited_node_group(address);
  return {.ethernet_destination = ipv6_multicast_mac(group),
          .ethernet_source = from,
          .source = IpAddress::from_bytes({}),
          .destination = group,
          .type = 135,
          .target = address,
          .options = {}};
}

inline void put16(std::vector<std::byte>& out, std::uint32_t value) {
  out.push_back(static_cast<std::byte>((value >> 8U) & 0xffU));
  out.push_back(static_cast<std::byte>(value & 0xffU));
}

template <typename Bytes>
void put_bytes(std::vector<std::byte>& out, const Bytes& bytes) {
  for (const auto b : bytes) out.push_back(static_cast<std::byte>(b));
}

inline std::vector<std::byte> build_nd_frame(const NdSpec& spec) {
  std::vector<std::byte> message;
  message.push_back(static_cast<std::byte>(spec.type));
  message.push_back(static_cast<std::byte>(spec.code));
  put16(message, 0);  // checksum, filled in below
  message.push_back(static_cast<std::byte>(spec.flags));
  message.insert(message.end(), 3, std::byte{0});
  put_bytes(message, spec.target.bytes());
  for (const auto& option : spec.options) {
    message.push_back(static_cast<std::byte>(option.type));
    const auto length =
        option.length.value_or(static_cast<std::uint8_t>((option.body.size() + 9) / 8));
    message.push_back(static_cast<std::byte>(length));
    put_bytes(message, option.body);
    // Padded to whole units, as a sender does.
    while ((message.size() - 24) % 8 != 0) message.push_back(std::byte{0});
  }
  if (spec.truncate_message_to != 0) message.resize(spec.truncate_message_to);

  // RFC 4443 2.3 over the RFC 8200 8.1 pseudo-header.
  std::uint64_t sum = 0;
  const auto add_words = [&](const auto& bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; i += 2) {
      const unsigned high = std::to_integer<unsigned>(static_cast<std::byte>(bytes[i]));
      const unsigned low =
          i + 1 < size ? std::to_integer<unsigned>(static_cast<std::byte>(bytes[i + 1])) : 0U;
      sum += (high << 8U) | low;
    }
  };
  add_words(spec.source.bytes(), 16);
  add_words(spec.destination.bytes(), 16);
  sum += message.size() + spec.next_header;
  add_words(message, message.size());
  while ((sum >> 16U) != 0) sum = (sum & 0xffffU) + (sum >> 16U);
  const auto checksum = static_cast<std::uint16_t>((~sum & 0xffffU) ^ spec.checksum_xor);
  message[2] = static_cast<std::byte>(checksum >> 8U);
  message[3] = static_cast<std::byte>(checksum & 0xffU);

  std::vector<std::byte> frame;
  put_bytes(frame, spec.ethernet_destination.bytes());
  put_bytes(frame, spec.ethernet_source.bytes());
  if (spec.vlan.outer != 0) {
    put16(frame, spec.legacy_s_tag ? 0x9100U : 0x88a8U);
    put16(frame, spec.vlan.outer);
  }
  if (spec.vlan.tagged()) {
    put16(frame, 0x8100);
    put16(frame, spec.vlan.inner);
  }
  put16(frame, spec.ether_type);
  frame.push_back(static_cast<std::byte>(spec.version << 4U));
  frame.insert(frame.end(), 3, std::byte{0});
  put16(frame, spec.payload_length.value_or(static_cast<std::uint16_t>(message.size())));
  frame.push_back(static_cast<std::byte>(spec.next_header));
  frame.push_back(static_cast<std::byte>(spec.hop_limit));
  put_bytes(frame, spec.source.bytes());
  put_bytes(frame, spec.destination.bytes());
  frame.insert(frame.end(), message.begin(), message.end());
  frame.insert(frame.end(), spec.trailer, std::byte{0});
  return frame;
}

}  // namespace arp::testing
