// nd_inject: sends hand-built IPv6 Neighbor Discovery (and, for the capture filter's sake,
// other ICMPv6) frames on one interface, for the integration tests.
//
// The lab needs frames no ordinary host sends at will: an unsolicited Neighbor Advertisement
// at a chosen moment (a VRRP-style failover), DAD probes for an address someone holds, ND
// inside 802.1Q tags (this kernel has no VLAN sub-interfaces), and echo, router solicitations
// and MLD reports behind the same tags, which the kernel filter must not pass.
//
//   nd_inject IFACE --type ns|na|rs|echo|mld --src-mac M [--src-ip IP] [--target IP]
//             [--dst-ip IP] [--dst-mac M] [--no-lladdr] [--flags [r][s][o]]
//             [--hop-limit N] [--vlan ID]... [--count N] [--interval-ms N]
//
// ns: a solicitation for --target, from --src-ip (:: is a DAD probe, which carries no
//     source link-layer option), to the target's solicited-node group unless --dst-ip.
// na: an advertisement of --target with a target link-layer option (--src-mac), to all
//     nodes (ff02::1: unsolicited) unless --dst-ip; --flags default "o" (override).
// rs, echo (request, to --dst-ip, default ff02::1), mld (an MLDv2 report, behind a
//     hop-by-hop header with a router alert, as hosts send it): not ND.
// --src-ip defaults to :: for ns, else fe80::1. Destination MACs follow from a multicast
// destination (33:33 and its last 32 bits) unless --dst-mac. --hop-limit defaults to 255 (1
// for mld). --vlan as arp_inject: given twice, the outer tag is an 802.1ad S-tag.
// Exit 0 when every frame was sent, 1 when sending failed, 2 on a usage error.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/frame_injection.h"

namespace {

using lab::kMinimumFrame;
using lab::Mac;
using lab::parse_mac;
using lab::put;
using lab::put16;
using Ip6 = std::array<std::uint8_t, 16>;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint8_t kNextHeaderIcmpv6 = 58;
constexpr std::uint8_t kNextHeaderHopByHop = 0;

enum class Type { ns, na, rs, echo, mld };

struct Options {
  std::string interface;
  std::optional<Type> type;
  std::optional<Mac> src_mac;
  std::optional<Mac> dst_mac;
  std::optional<Ip6> src_ip;
  std::optional<Ip6> dst_ip;
  std::optional<Ip6> target;
  bool lladdr = true;
  std::string flags = "o";
  std::optional<unsigned> hop_limit;
  std::vector<std::uint16_t> vlans;  // outer first
  unsigned long count = 1;
  unsigned long interval_ms = 100;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "nd_inject: %s\n", message.c_str());
  std::fprintf(stderr,
               "usage: nd_inject IFACE --type ns|na|rs|echo|mld --src-mac M [--src-ip IP] "
               "[--target IP] [--dst-ip IP] [--dst-mac M] [--no-lladdr] [--flags [r][s][o]] "
               "[--hop-limit N] [--vlan ID]... [--count N] [--interval-ms N]\n");
  std::exit(2);
}

std::optional<Ip6> parse_ip6(const std::string& text) {
  Ip6 ip{};
  if (inet_pton(AF_INET6, text.c_str(), ip.data()) != 1) return std::nullopt;
  return ip;
}

unsigned long parse_number(std::string_view text, const char* what) {
  const auto value = lab::parse_number(text);
  if (!value) usage_error(std::string("bad ") + what + ": " + std::string(text));
  return *value;
}

Options parse(int argc, char** argv) {
  if (argc < 2) usage_error("no interface");
  Options options;
  options.interface = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--no-lladdr") {
      options.lladdr = false;
      continue;
    }
    if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    const auto mac = [&] {
      const auto parsed = parse_mac(value);
      if (!parsed) usage_error("bad MAC: " + value);
      return *parsed;
    };
    const auto ip = [&] {
      const auto parsed = parse_ip6(value);
      if (!parsed) usage_error("bad IPv6 address: " + value);
      return *parsed;
    };
    if (flag == "--type") {
      if (value == "ns")
        options.type = Type::ns;
      else if (value == "na")
        options.type = Type::na;
      else if (value == "rs")
        options.type = Type::rs;
      else if (value == "echo")
        options.type = Type::echo;
      else if (value == "mld")
        options.type = Type::mld;
      else
        usage_error("bad type: " + value);
    } else if (flag == "--src-mac") {
      options.src_mac = mac();
    } else if (flag == "--dst-mac") {
      options.dst_mac = mac();
    } else if (flag == "--src-ip") {
      options.src_ip = ip();
    } else if (flag == "--dst-ip") {
      options.dst_ip = ip();
    } else if (flag == "--target") {
      options.target = ip();
    } else if (flag == "--flags") {
      if (value.find_first_not_of("rso") != std::string::npos) usage_error("bad flags: " + value);
      options.flags = value;
    } else if (flag == "--hop-limit") {
      const auto limit = parse_number(value, "hop limit");
      if (limit > 255) usage_error("hop limit over 255");
      options.hop_limit = static_cast<unsigned>(limit);
    } else if (flag == "--vlan") {
      const auto id = parse_number(value, "VLAN");
      if (id > 4095) usage_error("VLAN over 4095");
      options.vlans.push_back(static_cast<std::uint16_t>(id));
    } else if (flag == "--count") {
      options.count = parse_number(value, "count");
    } else if (flag == "--interval-ms") {
      options.interval_ms = parse_number(value, "interval");
    } else {
      usage_error("unknown flag " + std::string(flag));
    }
  }
  if (!options.type) usage_error("--type is required");
  if (!options.src_mac) usage_error("--src-mac is required");
  if ((options.type == Type::ns || options.type == Type::na) && !options.target) {
    usage_error("--target is required for ns and na");
  }
  if (options.vlans.size() > 2) usage_error("at most two --vlan");
  return options;
}

Ip6 solicited_node(const Ip6& target) {
  Ip6 group{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0};
  std::copy(target.begin() + 13, target.end(), group.begin() + 13);
  return group;
}

Mac multicast_mac(const Ip6& group) {
  return Mac{0x33, 0x33, group[12], group[13], group[14], group[15]};
}

// RFC 4443 2.3: the one's complement sum over the pseudo-header and the message.
std::uint16_t icmpv6_checksum(const Ip6& src, const Ip6& dst,
                              const std::vector<std::uint8_t>& message) {
  std::vector<std::uint8_t> data;
  put(data, src);
  put(data, dst);
  const auto length = static_cast<std::uint32_t>(message.size());
  for (unsigned shift : {24U, 16U, 8U, 0U})
    data.push_back(static_cast<std::uint8_t>(length >> shift));
  for (int i = 0; i < 3; ++i) data.push_back(0);
  data.push_back(kNextHeaderIcmpv6);
  put(data, message);
  if (data.size() % 2 != 0) data.push_back(0);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < data.size(); i += 2)
    sum += (std::uint32_t{data[i]} << 8U) | data[i + 1];
  while ((sum >> 16U) != 0) sum = (sum & 0xffffU) + (sum >> 16U);
  return static_cast<std::uint16_t>(~sum & 0xffffU);
}

std::vector<std::uint8_t> build_frame(const Options& options) {
  const Type type = *options.type;
  const Ip6 unspecified{};
  const Ip6 link_local_one{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const Ip6 all_nodes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const Ip6 all_routers{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  const Ip6 mldv2_routers{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16};
  const Ip6 src = options.src_ip.value_or(type == Type::ns ? unspecified : link_local_one);
  Ip6 dst{};
  switch (type) {
    case Type::ns:
      dst = options.dst_ip.value_or(solicited_node(*options.target));
      break;
    case Type::na:
      dst = options.dst_ip.value_or(all_nodes);
      break;
    case Type::rs:
      dst = options.dst_ip.value_or(all_routers);
      break;
    case Type::echo:
      dst = options.dst_ip.value_or(all_nodes);
      break;
    case Type::mld:
      dst = options.dst_ip.value_or(mldv2_routers);
      break;
  }
  const Mac dst_mac = options.dst_mac.value_or(
      dst[0] == 0xff ? multicast_mac(dst) : Mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});

  std::vector<std::uint8_t> message;
  const auto link_layer_option = [&](std::uint8_t option_type) {
    message.push_back(option_type);
    message.push_back(1);  // in units of 8 bytes
    put(message, *options.src_mac);
  };
  switch (type) {
    case Type::ns:
      message = {135, 0, 0, 0, 0, 0, 0, 0};
      put(message, *options.target);
      if (options.lladdr && src != unspecified) link_layer_option(1);
      break;
    case Type::na: {
      std::uint8_t flags = 0;
      if (options.flags.find('r') != std::string::npos) flags |= 0x80U;
      if (options.flags.find('s') != std::string::npos) flags |= 0x40U;
      if (options.flags.find('o') != std::string::npos) flags |= 0x20U;
      message = {136, 0, 0, 0, flags, 0, 0, 0};
      put(message, *options.target);
      if (options.lladdr) link_layer_option(2);
      break;
    }
    case Type::rs:
      message = {133, 0, 0, 0, 0, 0, 0, 0};
      if (options.lladdr) link_layer_option(1);
      break;
    case Type::echo:
      message = {128, 0, 0, 0, 0x12, 0x34, 0, 1, 'n', 'd', 'i', 'n', 'j', 'e', 'c', 't'};
      break;
    case Type::mld:
      message = {143, 0, 0, 0, 0, 0, 0, 0};  // MLDv2 report, no records
      break;
  }
  const auto checksum = icmpv6_checksum(src, dst, message);
  message[2] = static_cast<std::uint8_t>(checksum >> 8U);
  message[3] = static_cast<std::uint8_t>(checksum & 0xffU);

  std::vector<std::uint8_t> payload;
  std::uint8_t next_header = kNextHeaderIcmpv6;
  if (type == Type::mld) {
    // Hop-by-hop options: next header ICMPv6, length 0, router alert (MLD), PadN of 2.
    payload = {kNextHeaderIcmpv6, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};
    next_header = kNextHeaderHopByHop;
  }
  put(payload, message);

  std::vector<std::uint8_t> frame;
  lab::put_ethernet_header(frame, dst_mac, *options.src_mac, options.vlans, kEtherTypeIpv6);
  frame.insert(frame.end(), {0x60, 0, 0, 0});  // version 6, no traffic class, no flow label
  put16(frame, static_cast<std::uint16_t>(payload.size()));
  frame.push_back(next_header);
  frame.push_back(
      static_cast<std::uint8_t>(options.hop_limit.value_or(type == Type::mld ? 1 : 255)));
  put(frame, src);
  put(frame, dst);
  put(frame, payload);
  if (frame.size() < kMinimumFrame) frame.resize(kMinimumFrame, 0);
  return frame;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const auto frame = build_frame(options);
  return lab::send_frames("nd_inject", options.interface, options.count, options.interval_ms,
                          [&](unsigned long) { return frame; });
}
