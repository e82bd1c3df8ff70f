#include "core/arp_probe.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/arp_decoder.h"

namespace arp {
namespace {

const auto kProberMac = *MacAddress::parse("02:00:00:00:00:99");
const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");
const auto kServerIp = *Ipv4Address::parse("192.0.2.10");
const auto kPeerIp = *Ipv4Address::parse("192.0.2.20");

std::uint16_t be16_at(const ProbeFrame& frame, std::size_t offset) {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(frame.bytes.at(offset)) << 8U) |
                                    std::to_integer<unsigned>(frame.bytes.at(offset + 1)));
}

// The decoder is the reader every captured frame goes through: a probe we send must come back
// through it as exactly the probe we meant, in the VLAN the address was seen in.
void expect_decodes_as_probe(const ProbeFrame& frame, Vlan vlan) {
  const auto decoded = decode_arp_frame(frame.view());
  ASSERT_TRUE(decoded) << to_string(decoded.error());
  EXPECT_EQ(decoded->kind, FrameKind::probe);
  EXPECT_EQ(decoded->vlan, vlan);
  EXPECT_EQ(decoded->ethernet_destination, MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(decoded->ethernet_source, kProberMac);
  EXPECT_EQ(decoded->sender_mac, kProberMac);
  EXPECT_TRUE(decoded->sender_ip.is_unspecified());
  EXPECT_EQ(decoded->target_mac, MacAddress{});
  EXPECT_EQ(decoded->target_ip, kServerIp);
  EXPECT_FALSE(decoded->sender_mac_invalid);
  EXPECT_FALSE(decoded->ethernet_source_mismatch);
}

TEST(ArpProbeTest, UntaggedProbeIsA60ByteRfc5227ProbeThatDecodesBack) {
  const auto frame = build_arp_probe(kProberMac, Vlan{}, kServerIp);
  EXPECT_EQ(frame.size, 60U);
  EXPECT_EQ(be16_at(frame, 12), 0x0806);
  EXPECT_EQ(be16_at(frame, 20), 1);  // opcode: request
  // Padding after the 42 bytes of headers is zero, not leftovers.
  EXPECT_TRUE(std::all_of(frame.bytes.begin() + 42, frame.bytes.begin() + 60,
                          [](std::byte b) { return b == std::byte{0}; }));
  expect_decodes_as_probe(frame, Vlan{});
}

TEST(ArpProbeTest, OneTagProbeCarriesAn8021QTagAndDecodesBack) {
  const Vlan vlan{.outer = 0, .inner = 100};
  const auto frame = build_arp_probe(kProberMac, vlan, kServerIp);
  EXPECT_EQ(frame.size, 60U);
  EXPECT_EQ(be16_at(frame, 12), 0x8100);
  EXPECT_EQ(be16_at(frame, 14), 100);
  EXPECT_EQ(be16_at(frame, 16), 0x0806);
  expect_decodes_as_probe(frame, vlan);
}

TEST(ArpProbeTest, QinQProbeCarriesTheServiceTagOutsideAndDecodesBack) {
  const Vlan vlan{.outer = 200, .inner = 100};
  const auto frame = build_arp_probe(kProberMac, vlan, kServerIp);
  EXPECT_EQ(frame.size, 60U);
  EXPECT_EQ(be16_at(frame, 12), 0x88a8);
  EXPECT_EQ(be16_at(frame, 14), 200);
  EXPECT_EQ(be16_at(frame, 16), 0x8100);
  EXPECT_EQ(be16_at(frame, 18), 100);
  EXPECT_EQ(be16_at(frame, 20), 0x0806);
  expect_decodes_as_probe(frame, vlan);
}

// An S-tag around a priority-tagged (VLAN 0) customer frame decodes as {outer, 0}. The probe
// for that address must come back as the same key, or its answers reach no round.
TEST(ArpProbeTest, QinQWithPriorityTaggedInnerDecodesBackAsTheSameVlan) {
  const Vlan vlan{.outer = 200, .inner = 0};
  expect_decodes_as_probe(build_arp_probe(kProberMac, vlan, kServerIp), vlan);
}

ResolutionFrame reply(MacAddress from, Ipv4Address sender_ip, Ipv4Address target_ip) {
  ResolutionFrame frame;
  frame.kind = FrameKind::reply;
  frame.sender_mac = frame.ethernet_source = from;
  frame.sender_ip = sender_ip;
  frame.target_mac = kProberMac;
  frame.target_ip = target_ip;
  return frame;
}

TEST(ArpProbeTest, AReplyToZeroAnswersAProbe) {
  EXPECT_TRUE(answers_probe(reply(kOwnerMac, kServerIp, Ipv4Address())));
}

TEST(ArpProbeTest, FramesThatAreNotProbeAnswersAreNotCountedAsAnswers) {
  EXPECT_FALSE(answers_probe(reply(kOwnerMac, kServerIp, kPeerIp)));  // an ordinary reply
  EXPECT_FALSE(answers_probe(reply(kOwnerMac, Ipv4Address(), Ipv4Address())));
  auto forged = reply(kOwnerMac, kServerIp, Ipv4Address());
  forged.sender_mac_invalid = true;
  EXPECT_FALSE(answers_probe(forged));
  auto request = reply(kOwnerMac, kServerIp, Ipv4Address());
  request.kind = FrameKind::request;
  EXPECT_FALSE(answers_probe(request));
  // Our own probe, seen again by our capture, answers nothing.
  const auto probe = decode_arp_frame(build_arp_probe(kProberMac, Vlan{}, kServerIp).view());
  ASSERT_TRUE(probe);
  EXPECT_FALSE(answers_probe(*probe));
}

}  // namespace
}  // namespace arp
