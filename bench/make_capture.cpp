// Writes a synthetic capture of a busy segment for bench/analyze_vs_arpwatch.sh, and prints
// what a correct analyzer must find in it, one address a line:
//   contested 198.18.1.111   (two MACs answer for it, interleaved, during a 10-minute episode)
//   moved 198.18.3.42        (the MAC changed once, the old one went silent: a NIC swap)
//
// Usage: make_capture OUTPUT.pcap [FRAMES=1000000] [SEED=1]
//
// Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking). The mix is what a tcpdump on a
// server segment of 20 000 hosts looks like over an hour: requests and replies dominated by the
// gateway, announcements, RFC 5227 probes for free addresses, and some non-ARP frames.
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::uint32_t kHosts = 20'000;
constexpr std::uint32_t kContested = 50;
constexpr std::uint32_t kMoved = 20;
constexpr std::uint32_t kFirstHostIp = 0xc612'000aU;  // 198.18.0.10
constexpr std::uint32_t kGatewayIp = 0xc612'0001U;    // 198.18.0.1
constexpr std::uint32_t kFreeNet = 0xc613'0000U;      // 198.19.0.0/16: never claimed
constexpr std::int64_t kCaptureSeconds = 3600;
constexpr std::int64_t kEpisodeSeconds = 600;
constexpr std::int64_t kFlapPeriodSeconds = 10;
// 2026-11-25T07:00:00Z
constexpr std::int64_t kStartSeconds = 1'795'590'000;

using Mac = std::array<std::uint8_t, 6>;

// Real OUIs, so the report's vendor column has something to say; 52:54:00 is QEMU's locally
// administered prefix.
constexpr std::array<std::array<std::uint8_t, 3>, 7> kOuis = {{{0x00, 0x1b, 0x21},
                                                               {0x3c, 0xfd, 0xfe},
                                                               {0x00, 0x50, 0x56},
                                                               {0x00, 0x25, 0x90},
                                                               {0xb8, 0x27, 0xeb},
                                                               {0x52, 0x54, 0x00},
                                                               {0xf4, 0x8e, 0x38}}};
constexpr Mac kGatewayMac = {0x00, 0x1e, 0xbd, 0x00, 0x00, 0x01};
constexpr Mac kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr Mac kZero = {};

Mac mac_of(std::array<std::uint8_t, 3> oui, std::uint32_t low) {
  return {oui[0],
          oui[1],
          oui[2],
          static_cast<std::uint8_t>(low >> 16U),
          static_cast<std::uint8_t>(low >> 8U),
          static_cast<std::uint8_t>(low)};
}

std::string ip_text(std::uint32_t ip) {
  return std::to_string(ip >> 24U) + "." + std::to_string((ip >> 16U) & 0xffU) + "." +
         std::to_string((ip >> 8U) & 0xffU) + "." + std::to_string(ip & 0xffU);
}

struct Host {
  std::uint32_t ip = 0;
  Mac mac{};
  Mac new_mac{};                         // after a move
  std::int64_t moved_at_us = INT64_MAX;  // never
  Mac at(std::int64_t t_us) const { return t_us < moved_at_us ? mac : new_mac; }
};

struct Frame {
  std::int64_t t_us = 0;  // since the start of the capture
  std::array<std::uint8_t, 60> bytes{};
};

class FrameBuilder {
 public:
  explicit FrameBuilder(Frame& frame) : bytes_(frame.bytes) {}
  FrameBuilder& mac(const Mac& mac) {
    for (const auto byte : mac) bytes_[at_++] = byte;
    return *this;
  }
  FrameBuilder& u16(std::uint32_t value) {
    bytes_[at_++] = static_cast<std::uint8_t>(value >> 8U);
    bytes_[at_++] = static_cast<std::uint8_t>(value);
    return *this;
  }
  FrameBuilder& ip(std::uint32_t value) { return u16(value >> 16U).u16(value & 0xffffU); }
  FrameBuilder& u8(std::uint32_t value) {
    bytes_[at_++] = static_cast<std::uint8_t>(value);
    return *this;
  }

 private:
  std::array<std::uint8_t, 60>& bytes_;  // the rest stays zero: Ethernet padding
  std::size_t at_ = 0;
};

Frame arp(std::int64_t t_us, unsigned opcode, const Mac& destination, const Mac& sender_mac,
          std::uint32_t sender_ip, const Mac& target_mac, std::uint32_t target_ip) {
  Frame frame{.t_us = t_us, .bytes = {}};
  FrameBuilder(frame)
      .mac(destination)
      .mac(sender_mac)
      .u16(0x0806)
      .u16(1)
      .u16(0x0800)
      .u8(6)
      .u8(4)
      .u16(opcode)
      .mac(sender_mac)
      .ip(sender_ip)
      .mac(target_mac)
      .ip(target_ip);
  return frame;
}

// A small UDP datagram, so the capture is not ARP only, as a capture without a filter is not.
Frame udp(std::int64_t t_us, const Host& from, const Host& to) {
  Frame frame{.t_us = t_us, .bytes = {}};
  FrameBuilder(frame)
      .mac(to.at(t_us))
      .mac(from.at(t_us))
      .u16(0x0800)
      .u8(0x45)
      .u8(0)
      .u16(28 + 18)  // IPv4 total length: headers and 18 bytes of payload
      .u16(0)
      .u16(0x4000)
      .u8(64)
      .u8(17)
      .u16(0)
      .ip(from.ip)
      .ip(to.ip)
      .u16(40000)
      .u16(53)
      .u16(8 + 18)
      .u16(0);
  return frame;
}

struct DeadCloser {
  void operator()(pcap_t* handle) const noexcept { pcap_close(handle); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* dumper) const noexcept { pcap_dump_close(dumper); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: make_capture OUTPUT.pcap [FRAMES=1000000] [SEED=1]\n";
    return 2;
  }
  const std::string output = argv[1];
  const std::uint64_t total = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
  const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  std::mt19937_64 random(seed);
  const std::int64_t span_us = kCaptureSeconds * 1'000'000;
  auto uniform = [&](std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random);
  };

  std::vector<Host> hosts(kHosts);
  for (std::uint32_t i = 0; i < kHosts; ++i) {
    hosts[i].ip = kFirstHostIp + i;
    hosts[i].mac = mac_of(kOuis[i % kOuis.size()], i + 1);
  }
  const Host gateway{.ip = kGatewayIp, .mac = kGatewayMac, .new_mac = kGatewayMac};

  // Scheduled frames: the conflicts and the moves, at random times inside the hour.
  std::vector<Frame> scheduled;
  for (std::uint32_t k = 0; k < kContested; ++k) {
    const auto& owner = hosts[100 + k * 397];
    const Mac rogue = mac_of({0x00, 0x50, 0x56}, 0xff'0000U | k);
    const auto start = uniform(0, span_us - kEpisodeSeconds * 1'000'000);
    for (std::int64_t t = 0; t < kEpisodeSeconds; t += kFlapPeriodSeconds) {
      const auto at = start + t * 1'000'000;
      // Both answer the gateway's request: the race that splits the segment.
      scheduled.push_back(arp(at, 1, kBroadcast, gateway.mac, gateway.ip, kZero, owner.ip));
      scheduled.push_back(
          arp(at + 150, 2, gateway.mac, owner.mac, owner.ip, gateway.mac, gateway.ip));
      scheduled.push_back(arp(at + 400, 2, gateway.mac, rogue, owner.ip, gateway.mac, gateway.ip));
    }
    std::cout << "contested " << ip_text(owner.ip) << '\n';
  }
  for (std::uint32_t k = 0; k < kMoved; ++k) {
    auto& host = hosts[200 + k * 991];
    host.new_mac = mac_of({0x3c, 0xfd, 0xfe}, 0xff'0000U | k);
    host.moved_at_us = uniform(600'000'000, span_us - 600'000'000);
    // The old NIC answered shortly before the swap, so the move happens inside any window.
    scheduled.push_back(arp(host.moved_at_us - 30'000'000, 2, gateway.mac, host.mac, host.ip,
                            gateway.mac, gateway.ip));
    // A NIC coming up announces its address (gratuitous ARP), as Linux and Windows do.
    for (std::int64_t n = 0; n < 3; ++n) {
      const auto at = host.moved_at_us + n * 1'000'000;
      scheduled.push_back(arp(at, 1, kBroadcast, host.new_mac, host.ip, kZero, host.ip));
    }
    std::cout << "moved " << ip_text(host.ip) << '\n';
  }
  std::sort(scheduled.begin(), scheduled.end(),
            [](const Frame& a, const Frame& b) { return a.t_us < b.t_us; });
  if (scheduled.size() > total) {
    std::cerr << "make_capture: need more than " << scheduled.size() << " frames\n";
    return 2;
  }

  const std::unique_ptr<pcap_t, DeadCloser> dead(pcap_open_dead(DLT_EN10MB, 65535));
  const std::unique_ptr<pcap_dumper_t, DumperCloser> dumper(
      pcap_dump_open(dead.get(), output.c_str()));
  if (!dumper) {
    std::cerr << "make_capture: " << output << ": " << pcap_geterr(dead.get()) << '\n';
    return 2;
  }
  auto write = [&](const Frame& frame) {
    const auto t = kStartSeconds * 1'000'000 + frame.t_us;
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(t / 1'000'000);
    header.ts.tv_usec = static_cast<suseconds_t>(t % 1'000'000);
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.bytes.size());
    // pcap_dump's first argument is the dumper, passed as pcap_loop's user pointer would be.
    pcap_dump(reinterpret_cast<u_char*>(dumper.get()), &header, frame.bytes.data());  // NOLINT
  };

  const std::uint64_t background = total - scheduled.size();
  auto next_scheduled = scheduled.begin();
  auto host = [&]() -> const Host& {
    return hosts[static_cast<std::size_t>(uniform(0, kHosts - 1))];
  };
  for (std::uint64_t j = 0; j < background; ++j) {
    const auto t = static_cast<std::int64_t>(j * static_cast<std::uint64_t>(span_us) / background);
    for (; next_scheduled != scheduled.end() && next_scheduled->t_us <= t; ++next_scheduled) {
      write(*next_scheduled);
    }
    const auto kind = uniform(0, 99);
    if (kind < 45) {  // who-has, mostly from or for the gateway
      const auto& asker = uniform(0, 9) < 3 ? gateway : host();
      const auto& wanted = &asker == &gateway || uniform(0, 1) == 0 ? host() : gateway;
      write(arp(t, 1, kBroadcast, asker.at(t), asker.ip, kZero, wanted.ip));
    } else if (kind < 80) {  // is-at, unicast back to whoever asked
      const auto& answer = uniform(0, 9) == 0 ? gateway : host();
      const auto& asker = &answer == &gateway ? host() : gateway;
      write(arp(t, 2, asker.at(t), answer.at(t), answer.ip, asker.at(t), asker.ip));
    } else if (kind < 85) {  // announcement (gratuitous request)
      const auto& announcer = host();
      write(arp(t, 1, kBroadcast, announcer.at(t), announcer.ip, kZero, announcer.ip));
    } else if (kind < 87) {  // RFC 5227 probe for a free address
      const auto wanted = kFreeNet + static_cast<std::uint32_t>(uniform(1, 0xfffe));
      write(arp(t, 1, kBroadcast, host().at(t), 0, kZero, wanted));
    } else if (kind < 88) {  // gratuitous reply
      const auto& announcer = host();
      write(arp(t, 2, kBroadcast, announcer.at(t), announcer.ip, kBroadcast, announcer.ip));
    } else {
      write(udp(t, host(), host()));
    }
  }
  for (; next_scheduled != scheduled.end(); ++next_scheduled) write(*next_scheduled);
  return 0;
}
