// arp_inject: sends hand-built ARP frames on one interface, for the integration tests.
//
// The lab needs frames no ordinary host sends: RFC 5227 probes from a switch's MAC, claims
// inside 802.1Q tags (this kernel has no VLAN sub-interfaces) and two MACs taking turns on one
// address. The kernel's ARP code cannot make them, so this writes them to an AF_PACKET socket.
//
//   arp_inject IFACE --op request|reply --sender-mac M --sender-ip IP --target-mac M
//              --target-ip IP [--eth-src M] [--eth-dst M] [--vlan ID]... [--count N]
//              [--interval-ms N] [--vary mac|ip|both] [--truncate BYTES]
//
// --eth-src defaults to the sender MAC, --eth-dst to broadcast for a request and to the target
// MAC for a reply. --vlan may be given twice (QinQ, outer tag first): one tag is an 802.1Q
// C-tag (TPID 0x8100), the outer of two an 802.1ad S-tag (TPID 0x88a8). --vary makes a flood
// (frame k's sender MAC and/or IP is the given one plus k); --truncate cuts frames short.
// Exit 0 when every frame was sent, 1 when sending failed, 2 on a usage error.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/frame_injection.h"

namespace {

using lab::kBroadcast;
using lab::kMinimumFrame;
using lab::Mac;
using lab::parse_mac;
using lab::parse_number;
using lab::put;
using lab::put16;
constexpr std::uint16_t kEtherTypeArp = 0x0806;

struct Options {
  std::string interface;
  std::uint16_t op = 0;
  std::optional<Mac> sender_mac;
  std::optional<Mac> target_mac;
  std::optional<Mac> eth_src;
  std::optional<Mac> eth_dst;
  std::optional<in_addr> sender_ip;
  std::optional<in_addr> target_ip;
  std::vector<std::uint16_t> vlans;  // outer first
  unsigned long count = 1;
  unsigned long interval_ms = 100;
  bool vary_mac = false;                // frame k: sender MAC (and Ethernet source) + k
  bool vary_ip = false;                 // frame k: sender IP + k
  std::optional<std::size_t> truncate;  // cut every frame to this many bytes, unpadded
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "arp_inject: %s\n", message.c_str());
  std::fprintf(stderr,
               "usage: arp_inject IFACE --op request|reply --sender-mac M --sender-ip IP "
               "--target-mac M --target-ip IP [--eth-src M] [--eth-dst M] [--vlan ID]... "
               "[--count N] [--interval-ms N] [--vary mac|ip|both] [--truncate BYTES]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto flag = args[i];
    if (!flag.starts_with("--")) {
      if (!options.interface.empty()) usage_error("unexpected argument " + std::string(flag));
      options.interface = flag;
      continue;
    }
    if (i + 1 >= args.size()) usage_error(std::string(flag) + " needs a value");
    const auto value = args[++i];
    const auto mac = [&] {
      auto parsed = parse_mac(value);
      if (!parsed) usage_error(std::string(flag) + ": not a MAC address: " + std::string(value));
      return parsed;
    };
    const auto ip = [&] {
      in_addr address{};
      if (inet_pton(AF_INET, std::string(value).c_str(), &address) != 1) {
        usage_error(std::string(flag) + ": not an IPv4 address: " + std::string(value));
      }
      return std::optional(address);
    };
    const auto number = [&] {
      const auto parsed = parse_number(value);
      if (!parsed) usage_error(std::string(flag) + ": not a number: " + std::string(value));
      return *parsed;
    };
    if (flag == "--op") {
      if (value == "request") {
        options.op = 1;
      } else if (value == "reply") {
        options.op = 2;
      } else {
        usage_error("--op must be request or reply");
      }
    } else if (flag == "--sender-mac") {
      options.sender_mac = mac();
    } else if (flag == "--target-mac") {
      options.target_mac = mac();
    } else if (flag == "--eth-src") {
      options.eth_src = mac();
    } else if (flag == "--eth-dst") {
      options.eth_dst = mac();
    } else if (flag == "--sender-ip") {
      options.sender_ip = ip();
    } else if (flag == "--target-ip") {
      options.target_ip = ip();
    } else if (flag == "--vlan") {
      const auto id = number();
      if (id > 4095) usage_error("--vlan: " + std::string(value) + " is not a VLAN id (0-4095)");
      options.vlans.push_back(static_cast<std::uint16_t>(id));
    } else if (flag == "--count") {
      options.count = number();
    } else if (flag == "--interval-ms") {
      options.interval_ms = number();
    } else if (flag == "--vary") {
      if (value != "mac" && value != "ip" && value != "both") {
        usage_error("--vary must be mac, ip or both");
      }
      options.vary_mac = value != "ip";
      options.vary_ip = value != "mac";
    } else if (flag == "--truncate") {
      options.truncate = number();
    } else {
      usage_error("unknown flag " + std::string(flag));
    }
  }
  if (options.interface.empty()) usage_error("no interface given");
  if (options.op == 0) usage_error("--op is required");
  if (!options.sender_mac || !options.target_mac || !options.sender_ip || !options.target_ip) {
    usage_error("--sender-mac, --sender-ip, --target-mac and --target-ip are required");
  }
  if (options.vlans.size() > 2) usage_error("at most two --vlan tags (outer first)");
  return options;
}

void put(std::vector<std::uint8_t>& frame, const in_addr& address) {
  std::array<std::uint8_t, 4> bytes{};
  std::memcpy(bytes.data(), &address.s_addr, bytes.size());  // already in network order
  frame.insert(frame.end(), bytes.begin(), bytes.end());
}

// The options of the k-th frame of a --vary flood: a different sender for every frame.
Options nth(const Options& options, unsigned long k) {
  Options frame = options;
  if (options.vary_mac) {
    auto& mac = *frame.sender_mac;
    const std::uint32_t low =
        ((std::uint32_t{mac[3]} << 16U) | (std::uint32_t{mac[4]} << 8U) | mac[5]) +
        static_cast<std::uint32_t>(k);
    mac[3] = static_cast<std::uint8_t>(low >> 16U);
    mac[4] = static_cast<std::uint8_t>(low >> 8U);
    mac[5] = static_cast<std::uint8_t>(low);
    if (options.eth_src) frame.eth_src = mac;
  }
  if (options.vary_ip) {
    frame.sender_ip->s_addr =
        htonl(ntohl(options.sender_ip->s_addr) + static_cast<std::uint32_t>(k));
  }
  return frame;
}

std::vector<std::uint8_t> build_frame(const Options& options, const Mac& destination) {
  std::vector<std::uint8_t> frame;
  lab::put_ethernet_header(frame, destination, options.eth_src.value_or(*options.sender_mac),
                           options.vlans, kEtherTypeArp);
  put16(frame, 1);       // htype Ethernet
  put16(frame, 0x0800);  // ptype IPv4
  frame.push_back(6);
  frame.push_back(4);
  put16(frame, options.op);
  put(frame, *options.sender_mac);
  put(frame, *options.sender_ip);
  put(frame, *options.target_mac);
  put(frame, *options.target_ip);
  if (options.truncate) {
    frame.resize(std::min(frame.size(), *options.truncate));
  } else if (frame.size() < kMinimumFrame) {
    frame.resize(kMinimumFrame, 0);
  }
  return frame;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const Mac destination =
      options.eth_dst.value_or(options.op == 1 ? kBroadcast : *options.target_mac);
  return lab::send_frames(
      "arp_inject", options.interface, options.count, options.interval_ms,
      [&](unsigned long k) { return build_frame(nth(options, k), destination); });
}
