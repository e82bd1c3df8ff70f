// What the lab's frame writers (arp_inject, nd_inject) share: reading MACs and numbers from the
// command line, writing an Ethernet header with 0, 1 or 2 VLAN tags, and sending frames on one
// interface through a send-only AF_PACKET socket.
#pragma once

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace lab {

using Mac = std::array<std::uint8_t, 6>;
inline constexpr Mac kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
inline constexpr std::size_t kMinimumFrame = 60;  // Ethernet minimum without FCS; NICs pad to it

inline std::optional<Mac> parse_mac(std::string_view text) {
  Mac mac{};
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const auto part = text.substr(i * 3, 2);
    if (i < 5 && text[i * 3 + 2] != ':') return std::nullopt;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), mac[i], 16);
    if (error != std::errc() || end != part.data() + part.size()) return std::nullopt;
  }
  return mac;
}

inline std::optional<unsigned long> parse_number(std::string_view text) {
  unsigned long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

inline void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8U));
  out.push_back(static_cast<std::uint8_t>(value & 0xffU));
}

template <typename Bytes>
void put(std::vector<std::uint8_t>& out, const Bytes& bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// Destination, source, the tags (outer first: one is an 802.1Q C-tag, the outer of two an
// 802.1ad S-tag, PCP and DEI 0) and the EtherType.
inline void put_ethernet_header(std::vector<std::uint8_t>& frame, const Mac& destination,
                                const Mac& source, const std::vector<std::uint16_t>& vlans,
                                std::uint16_t ether_type) {
  put(frame, destination);
  put(frame, source);
  for (std::size_t i = 0; i < vlans.size(); ++i) {
    const bool outer_of_two = vlans.size() == 2 && i == 0;
    put16(frame, outer_of_two ? 0x88a8 : 0x8100);
    put16(frame, vlans[i]);
  }
  put16(frame, ether_type);
}

// Sends frame_at(0) .. frame_at(count - 1) on `interface`, interval_ms apart, each to the
// destination in its first six bytes. Returns the exit code: 0 when every frame was sent, 1 with
// one line on standard error naming `tool` when the interface or the socket failed.
inline int send_frames(const char* tool, const std::string& interface, unsigned long count,
                       unsigned long interval_ms,
                       const std::function<std::vector<std::uint8_t>(unsigned long)>& frame_at) {
  const unsigned index = if_nametoindex(interface.c_str());
  if (index == 0) {
    std::fprintf(stderr, "%s: %s: %s\n", tool, interface.c_str(), std::strerror(errno));
    return 1;
  }
  // Protocol 0: this socket only sends, so it never queues the frames passing by.
  const int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    std::fprintf(stderr, "%s: AF_PACKET socket: %s\n", tool, std::strerror(errno));
    return 1;
  }
  int status = 0;
  for (unsigned long k = 0; k < count && status == 0; ++k) {
    if (k > 0 && interval_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    const auto frame = frame_at(k);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_ifindex = static_cast<int>(index);
    address.sll_halen = ETH_ALEN;
    std::memcpy(address.sll_addr, frame.data(), ETH_ALEN);
    const auto written = sendto(fd, frame.data(), frame.size(), 0,
                                reinterpret_cast<const sockaddr*>(&address), sizeof address);
    if (written != static_cast<ssize_t>(frame.size())) {
      std::fprintf(stderr, "%s: send on %s: %s\n", tool, interface.c_str(),
                   written < 0 ? std::strerror(errno) : "short write");
      status = 1;
    }
  }
  close(fd);
  return status;
}

}  // namespace lab
