#include "core/nd_probe.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace arp {
namespace {

const auto kProberMac = *MacAddress::parse("02:00:00:00:00:99");
const auto kServerIp = *IpAddress::parse("2001:db8::10");

std::vector<std::uint8_t> bytes_of(const ProbeFrame& frame) {
  std::vector<std::uint8_t> bytes;
  for (const auto byte : frame.view()) bytes.push_back(std::to_integer<std::uint8_t>(byte));
  return bytes;
}

// The receiver's check, written apart from the builder: the 16-bit one's complement sum over
// the pseudo-header (source, destination, 32-bit length, 00 00 00 3a) and the message,
// checksum included, is 0xffff.
bool icmpv6_checksum_verifies(const std::vector<std::uint8_t>& ipv6_packet) {
  std::vector<std::uint8_t> summed(ipv6_packet.begin() + 8, ipv6_packet.begin() + 40);
  const auto length = ipv6_packet.size() - 40;
  for (const unsigned shift : {24U, 16U, 8U, 0U}) summed.push_back((length >> shift) & 0xffU);
  summed.insert(summed.end(), {0, 0, 0, 58});
  summed.insert(summed.end(), ipv6_packet.begin() + 40, ipv6_packet.end());
  if (summed.size() % 2 != 0) summed.push_back(0);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < summed.size(); i += 2)
    sum += (std::uint64_t{summed[i]} << 8U) | summed[i + 1];
  while ((sum >> 16U) != 0) sum = (sum & 0xffffU) + (sum >> 16U);
  return sum == 0xffff;
}

// 2001:db8::10 asked from 02:00:00:00:00:99, byte for byte. The checksum 0x4ccf was computed
// outside this code base (a few lines of Python over the RFC 8200 8.1 pseudo-header).
const std::vector<std::uint8_t> kUntaggedProbe = {
    // Ethernet: 33:33:ff:00:00:10 (the solicited-node group's MAC), source, IPv6
    0x33, 0x33, 0xff, 0x00, 0x00, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x99, 0x86, 0xdd,
    // IPv6: version 6, payload 24, next header 58, hop limit 255
    0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3a, 0xff,
    // source ::
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // destination ff02::1:ff00:10
    0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x10,
    // ICMPv6 Neighbor Solicitation: type 135, code 0, checksum, reserved
    0x87, 0x00, 0x4c, 0xcf, 0x00, 0x00, 0x00, 0x00,
    // target 2001:db8::10, and no option
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

TEST(NdProbeTest, UntaggedProbeIsTheDadSolicitationByteForByte) {
  const auto frame = build_nd_probe(kProberMac, Vlan{}, kServerIp);
  EXPECT_EQ(bytes_of(frame), kUntaggedProbe);
  EXPECT_EQ(frame.size, 78U);
}

TEST(NdProbeTest, BuildProbePicksNeighborDiscoveryForIpv6AndArpForIpv4) {
  EXPECT_EQ(bytes_of(build_probe(kProberMac, Vlan{}, kServerIp)), kUntaggedProbe);
  const auto ipv4 = *Ipv4Address::parse("192.0.2.10");
  EXPECT_EQ(bytes_of(build_probe(kProberMac, Vlan{}, ipv4)),
            bytes_of(build_arp_probe(kProberMac, Vlan{}, ipv4)));
}

TEST(NdProbeTest, SolicitedNodeGroupAndItsMacTakeTheLow24Bits) {
  const auto target = *IpAddress::parse("2001:db8::12:3456:789a");
  EXPECT_EQ(solicited_node_group(target).to_string(), "ff02::1:ff56:789a");
  EXPECT_EQ(ipv6_multicast_mac(solicited_node_group(target)).to_string(), "33:33:ff:56:78:9a");
  const auto link_local = *IpAddress::parse("fe80::5054:ff:fe00:1");
  EXPECT_EQ(solicited_node_group(link_local).to_string(), "ff02::1:ff00:1");
}

TEST(NdProbeTest, AnotherTargetGetsItsOwnGroupAndAChecksumThatVerifies) {
  const auto target = *IpAddress::parse("2001:db8::12:3456:789a");
  const auto bytes = bytes_of(build_nd_probe(kProberMac, Vlan{}, target));
  ASSERT_EQ(bytes.size(), 78U);
  const std::vector<std::uint8_t> mac(bytes.begin(), bytes.begin() + 6);
  EXPECT_EQ(mac, (std::vector<std::uint8_t>{0x33, 0x33, 0xff, 0x56, 0x78, 0x9a}));
  const std::vector<std::uint8_t> ipv6(bytes.begin() + 14, bytes.end());
  EXPECT_TRUE(icmpv6_checksum_verifies(ipv6));
  EXPECT_EQ(bytes[56], 0x26);  // computed outside, like the untagged probe's
  EXPECT_EQ(bytes[57], 0xfc);
  const std::vector<std::uint8_t> written_target(bytes.end() - 16, bytes.end());
  EXPECT_EQ(written_target,
            std::vector<std::uint8_t>(target.bytes().begin(), target.bytes().end()));
}

TEST(NdProbeTest, OneTagProbeCarriesAn8021QTagBeforeTheSamePacket) {
  const auto bytes =
      bytes_of(build_nd_probe(kProberMac, Vlan{.outer = 0, .inner = 100}, kServerIp));
  ASSERT_EQ(bytes.size(), 82U);
  const std::vector<std::uint8_t> tag(bytes.begin() + 12, bytes.begin() + 18);
  EXPECT_EQ(tag, (std::vector<std::uint8_t>{0x81, 0x00, 0x00, 0x64, 0x86, 0xdd}));
  // The tag is not covered by the checksum: the packet after it is the untagged one.
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin() + 16, bytes.end()),
            std::vector<std::uint8_t>(kUntaggedProbe.begin() + 12, kUntaggedProbe.end()));
}

TEST(NdProbeTest, QinQProbeCarriesTheServiceTagOutsideEvenAroundPriorityTaggedInner) {
  for (const std::uint16_t inner : {std::uint16_t{100}, std::uint16_t{0}}) {
    const auto bytes =
        bytes_of(build_nd_probe(kProberMac, Vlan{.outer = 200, .inner = inner}, kServerIp));
    ASSERT_EQ(bytes.size(), kMaxProbeFrame);
    const std::vector<std::uint8_t> tags(bytes.begin() + 12, bytes.begin() + 22);
    EXPECT_EQ(tags, (std::vector<std::uint8_t>{0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00,
                                               static_cast<std::uint8_t>(inner), 0x86, 0xdd}));
    EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin() + 20, bytes.end()),
              std::vector<std::uint8_t>(kUntaggedProbe.begin() + 12, kUntaggedProbe.end()));
  }
}

}  // namespace
}  // namespace arp
