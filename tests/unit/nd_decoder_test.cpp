#include "core/nd_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>

#include "core/frame_decoder.h"
#include "tests/unit/frame_corpus.h"
#include "tests/unit/nd_frame_builder.h"

namespace arp {
namespace {

using testing::build_nd_frame;
using testing::link_layer_option;
using testing::NdOption;
using testing::NdSpec;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
MacAddress mac(const char* text) { return *MacAddress::parse(text); }

const MacAddress kHostMac = mac("02:00:00:00:00:10");
const MacAddress kAskerMac = mac("02:00:00:00:00:20");
const MacAddress kProberMac = mac("02:00:00:00:00:30");
const IpAddress kHostIp = ip("2001:db8::10");
const IpAddress kAskerIp = ip("2001:db8::20");
const IpAddress kSolicitedNode = ip("ff02::1:ff00:10");
const IpAddress kAllNodes = ip("ff02::1");

NdSpec solicitation() {
  return {.ethernet_destination = mac("33:33:ff:00:00:10"),
          .ethernet_source = kAskerMac,
          .source = kAskerIp,
          .destination = kSolicitedNode,
          .type = 135,
          .target = kHostIp,
          .options = {link_layer_option(1, kAskerMac)}};
}

NdSpec dad_probe() {
  auto spec = solicitation();
  spec.ethernet_source = kProberMac;
  spec.source = IpAddress::from_bytes({});
  spec.options.clear();
  return spec;
}

NdSpec advertisement() {
  return {.ethernet_destination = kAskerMac,
          .ethernet_source = kHostMac,
          .source = kHostIp,
          .destination = kAskerIp,
          .type = 136,
          .flags = 0x60,  // solicited, override
          .target = kHostIp,
          .options = {link_layer_option(2, kHostMac)}};
}

std::string outcome_of(const DecodeResult& result) {
  if (!result) return "reject:" + std::string(to_string(result.error()));
  return std::string(to_string(result->kind));
}

std::string decode(const NdSpec& spec) { return outcome_of(decode_nd_frame(build_nd_frame(spec))); }

// ---- the corpus in tests/data/nd_frames.hex (the fuzzer's ND seeds) -----------------------

struct Expected {
  std::string name;
  std::string outcome;
  std::string vlan;
};
void PrintTo(const Expected& expected, std::ostream* out) { *out << expected.name; }

const std::vector<Expected> kCases = {
    {"nd_ns", "request", ""},
    {"nd_na_solicited", "reply", ""},
    {"nd_na_unsolicited", "gratuitous_reply", ""},
    {"nd_dad_probe", "probe", ""},
    {"nd_ns_vlan", "request", "100"},
    {"nd_na_qinq", "reply", "200.100"},
    {"nd_na_no_tlla", "reply", ""},
    {"nd_bad_hop_limit", "reject:bad_hop_limit", ""},
    {"nd_bad_checksum", "reject:bad_checksum", ""},
    {"nd_zero_length_option", "reject:bad_option", ""},
    {"nd_overrunning_option", "reject:bad_option", ""},
    {"nd_dad_with_slla", "reject:bad_addressing", ""},
    {"nd_multicast_target", "reject:bad_target", ""},
    {"nd_padded_with_fcs", "reply", ""},
    {"icmpv6_echo_request", "reject:not_neighbor_discovery", ""},
};

class NdCorpusTest : public ::testing::TestWithParam<Expected> {};

TEST_P(NdCorpusTest, DecodesAsExpected) {
  static const auto frames = testing::load_frames("nd_frames.hex");
  const auto& expected = GetParam();
  const auto frame = frames.find(expected.name);
  ASSERT_NE(frame, frames.end()) << expected.name << " missing from nd_frames.hex";
  const auto result = decode_frame(frame->second);
  EXPECT_EQ(outcome_of(result), expected.outcome);
  EXPECT_EQ(outcome_of(decode_nd_frame(frame->second)), expected.outcome);
  if (result) {
    EXPECT_EQ(result->protocol, ResolutionProtocol::nd);
    EXPECT_EQ(result->vlan.to_string(), expected.vlan);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, NdCorpusTest, ::testing::ValuesIn(kCases),
                         [](const auto& test_case) { return test_case.param.name; });

TEST(NdDecoderTest, EveryCorpusFrameHasAnExpectation) {
  for (const auto& frame : testing::load_frames("nd_frames.hex")) {
    const auto& name = frame.first;
    EXPECT_TRUE(std::any_of(kCases.begin(), kCases.end(), [&](const Expected& e) {
      return e.name == name;
    })) << name;
  }
}

// ---- mapping onto the ARP vocabulary --------------------------------------------------------

TEST(NdDecoderTest, ASolicitationIsARequestFromItsSource) {
  const auto result = decode_nd_frame(build_nd_frame(solicitation()));
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->protocol, ResolutionProtocol::nd);
  EXPECT_EQ(result->kind, FrameKind::request);
  EXPECT_EQ(result->sender_ip, kAskerIp);
  EXPECT_EQ(result->sender_mac, kAskerMac);
  EXPECT_EQ(result->target_ip, kHostIp);
  EXPECT_TRUE(result->target_mac.is_zero());
  EXPECT_FALSE(result->no_link_layer_address);
  EXPECT_FALSE(result->ethernet_source_mismatch);
  EXPECT_FALSE(result->sender_mac_invalid);
  EXPECT_TRUE(result->claims_address());
}

TEST(NdDecoderTest, ASolicitationWithoutSourceLinkLayerAddressClaimsNothing) {
  auto spec = solicitation();
  spec.options.clear();
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, FrameKind::request);
  EXPECT_TRUE(result->no_link_layer_address);
  EXPECT_EQ(result->sender_mac, kAskerMac);  // the Ethernet source
  EXPECT_FALSE(result->claims_address());
}

TEST(NdDecoderTest, ADadSolicitationIsAProbeFromTheEthernetSource) {
  const auto result = decode_nd_frame(build_nd_frame(dad_probe()));
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->kind, FrameKind::probe);
  EXPECT_TRUE(result->sender_ip.is_unspecified());
  EXPECT_FALSE(result->sender_ip.is_ipv4());
  EXPECT_EQ(result->sender_mac, kProberMac);
  EXPECT_EQ(result->target_ip, kHostIp);
  EXPECT_FALSE(result->claims_address());
}

TEST(NdDecoderTest, ASolicitedAdvertisementIsAReplyForItsTarget) {
  const auto result = decode_nd_frame(build_nd_frame(advertisement()));
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->kind, FrameKind::reply);
  EXPECT_EQ(result->sender_ip, kHostIp);
  EXPECT_EQ(result->sender_mac, kHostMac);
  EXPECT_EQ(result->target_ip, kAskerIp);
  EXPECT_EQ(result->target_mac, kAskerMac);
  EXPECT_EQ(result->ethernet_source, kHostMac);
  EXPECT_EQ(result->ethernet_destination, kAskerMac);
  EXPECT_TRUE(result->claims_address());
}

TEST(NdDecoderTest, AnUnsolicitedAdvertisementIsAGratuitousReply) {
  auto spec = advertisement();
  spec.flags = 0x20;
  spec.destination = kAllNodes;
  spec.ethernet_destination = mac("33:33:00:00:00:01");
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, FrameKind::gratuitous_reply);
  EXPECT_EQ(result->sender_ip, kHostIp);
  EXPECT_EQ(result->target_ip, kAllNodes);
  EXPECT_TRUE(result->claims_address());
}

TEST(NdDecoderTest, AnAdvertisementWithoutTargetLinkLayerAddressClaimsNothing) {
  auto spec = advertisement();
  spec.options.clear();
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, FrameKind::reply);
  EXPECT_TRUE(result->no_link_layer_address);
  EXPECT_EQ(result->sender_mac, kHostMac);
  EXPECT_FALSE(result->ethernet_source_mismatch);
  EXPECT_FALSE(result->claims_address());
}

TEST(NdDecoderTest, ALinkLayerAddressOtherThanTheEthernetSourceIsAMismatch) {
  auto spec = advertisement();
  spec.ethernet_source = mac("02:00:00:00:00:99");  // a proxy, or a forger
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->sender_mac, kHostMac);
  EXPECT_TRUE(result->ethernet_source_mismatch);
  EXPECT_FALSE(result->sender_mac_invalid);
}

TEST(NdDecoderTest, AZeroOrGroupLinkLayerAddressIsInvalid) {
  for (const auto* lla : {"00:00:00:00:00:00", "33:33:00:00:00:01", "ff:ff:ff:ff:ff:ff"}) {
    auto spec = advertisement();
    spec.options = {link_layer_option(2, mac(lla))};
    const auto result = decode_nd_frame(build_nd_frame(spec));
    ASSERT_TRUE(result) << lla;
    EXPECT_TRUE(result->sender_mac_invalid) << lla;
    EXPECT_TRUE(result->ethernet_source_mismatch) << lla;
    EXPECT_FALSE(result->claims_address()) << lla;
  }
}

TEST(NdDecoderTest, UnknownOptionsAreSkippedAndTheOtherLinkLayerTypeIgnored) {
  auto spec = advertisement();
  // A nonce (RFC 3971, type 14, 8 bytes), a source LLA (meaningless in an NA), then the target.
  spec.options = {NdOption{.type = 14, .body = {1, 2, 3, 4, 5, 6}, .length = std::nullopt},
                  link_layer_option(1, mac("02:00:00:00:00:77")), link_layer_option(2, kHostMac)};
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->sender_mac, kHostMac);
}

TEST(NdDecoderTest, OfTwoLinkLayerAddressOptionsTheFirstCounts) {
  auto spec = advertisement();
  spec.options = {link_layer_option(2, kHostMac), link_layer_option(2, mac("02:00:00:00:00:77"))};
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->sender_mac, kHostMac);
}

TEST(NdDecoderTest, TagsAreReadAsForArp) {
  auto spec = solicitation();
  spec.vlan = Vlan{.outer = 0, .inner = 100};
  auto result = decode_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vlan.to_string(), "100");
  spec.vlan = Vlan{.outer = 200, .inner = 100};
  result = decode_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vlan.to_string(), "200.100");
  spec.legacy_s_tag = true;
  result = decode_frame(build_nd_frame(dad_probe()));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, FrameKind::probe);
}

// The capture's batch and analyze's read-ahead decode into slots that held other frames: nothing
// of an earlier frame (a tag, a flag only ND sets, a rejection) may survive into the next.
TEST(NdDecoderTest, DecodingIntoAUsedSlotLeavesNothingOfItsLastFrame) {
  auto tagged = advertisement();
  tagged.vlan = Vlan{.outer = 200, .inner = 100};
  tagged.options.clear();  // no target link-layer address: no_link_layer_address is set
  auto truncated = build_nd_frame(solicitation());
  truncated.resize(30);
  const std::vector<std::vector<std::byte>> frames = {
      build_nd_frame(tagged), testing::load_frames().at("reply"), truncated,
      build_nd_frame(dad_probe()), testing::load_frames().at("reply")};
  DecodeResult slot(std::in_place);
  for (const auto& frame : frames) {
    decode_frame(frame, slot);
    const auto fresh = decode_frame(frame);
    ASSERT_EQ(slot.ok(), fresh.ok());
    if (fresh) {
      EXPECT_EQ(*slot, *fresh);
    } else {
      EXPECT_EQ(slot.error(), fresh.error());
    }
  }
}

TEST(NdDecoderTest, TrailingBytesAfterThePayloadAreIgnored) {
  auto spec = advertisement();
  spec.trailer = 12;
  EXPECT_EQ(decode(spec), "reply");
}

// ---- rejections ---------------------------------------------------------------------------

TEST(NdDecoderTest, ThreeTagsOrAnotherEtherTypeAreUnsupported) {
  auto spec = solicitation();
  spec.ether_type = 0x0800;
  EXPECT_EQ(outcome_of(decode_frame(build_nd_frame(spec))), "reject:unsupported_ethertype");
  // 0x8100 as the EtherType after two tags: a third tag.
  spec.ether_type = 0x8100;
  spec.vlan = Vlan{.outer = 200, .inner = 100};
  EXPECT_EQ(outcome_of(decode_frame(build_nd_frame(spec))), "reject:unsupported_ethertype");
  // An ND frame is no ARP frame, and the other way round.
  EXPECT_EQ(outcome_of(decode_arp_frame(build_nd_frame(solicitation()))),
            "reject:unsupported_ethertype");
  const auto arp = testing::load_frames().at("reply");
  EXPECT_EQ(outcome_of(decode_nd_frame(arp)), "reject:unsupported_ethertype");
  EXPECT_EQ(outcome_of(decode_frame(arp)), "reply");
  EXPECT_EQ(decode_frame(arp)->protocol, ResolutionProtocol::arp);
}

TEST(NdDecoderTest, OtherIpv6IsNotNeighborDiscovery) {
  auto spec = solicitation();
  spec.next_header = 0;  // a hop-by-hop header first: ND never has one
  EXPECT_EQ(decode(spec), "reject:not_neighbor_discovery");
  spec = solicitation();
  spec.version = 4;
  EXPECT_EQ(decode(spec), "reject:not_neighbor_discovery");
  for (const std::uint8_t type :
       std::initializer_list<std::uint8_t>{128, 133, 134, 137}) {  // echo, RS, RA, redirect
    spec = solicitation();
    spec.type = type;
    spec.hop_limit = 64;  // the type is told apart before ND's own checks
    EXPECT_EQ(decode(spec), "reject:not_neighbor_discovery") << int{type};
  }
}

TEST(NdDecoderTest, AHopLimitBelow255IsFromOffTheLink) {
  for (const std::uint8_t hops : std::initializer_list<std::uint8_t>{0, 1, 64, 254}) {
    auto spec = advertisement();
    spec.hop_limit = hops;
    EXPECT_EQ(decode(spec), "reject:bad_hop_limit") << int{hops};
  }
}

TEST(NdDecoderTest, ANonzeroCodeIsRejected) {
  auto spec = solicitation();
  spec.code = 1;
  EXPECT_EQ(decode(spec), "reject:bad_icmp_code");
}

TEST(NdDecoderTest, AWrongChecksumIsRejected) {
  for (const std::uint16_t flip : std::initializer_list<std::uint16_t>{0x0001, 0x8000, 0xffff}) {
    auto spec = advertisement();
    spec.checksum_xor = flip;
    EXPECT_EQ(decode(spec), "reject:bad_checksum") << flip;
  }
  // The pseudo-header counts: the same message to another destination does not add up.
  auto frame = build_nd_frame(advertisement());
  frame[14 + 24 + 15] ^= std::byte{0x01};  // last byte of the IPv6 destination
  EXPECT_EQ(outcome_of(decode_nd_frame(frame)), "reject:bad_checksum");
}

TEST(NdDecoderTest, AnOddLengthMessageIsSummedWithAPadByte) {
  auto spec = advertisement();
  spec.options = {NdOption{.type = 2, .body = {0x02, 0, 0, 0, 0, 0x10}, .length = 1}};
  auto frame = build_nd_frame(spec);
  // Declared one byte longer than the message, the last byte inside the frame: an odd length.
  // The builder summed 32 bytes; the decoder now sums 33 (the last one padded) and a length
  // that is also in the pseudo-header: the sum must come out wrong, and never read past.
  frame.push_back(std::byte{0x01});
  frame[14 + 5] = std::byte{33};
  EXPECT_EQ(outcome_of(decode_nd_frame(frame)), "reject:bad_checksum");
}

TEST(NdDecoderTest, ShortOrLyingLengthsAreTruncated) {
  auto spec = advertisement();
  spec.payload_length = 200;  // more than the frame holds
  EXPECT_EQ(decode(spec), "reject:truncated");
  spec = advertisement();
  spec.options.clear();
  spec.truncate_message_to = 20;  // RFC 4861 7.1.2: ICMP length >= 24
  EXPECT_EQ(decode(spec), "reject:truncated");
  spec.truncate_message_to = 2;
  EXPECT_EQ(decode(spec), "reject:truncated");
}

TEST(NdDecoderTest, EveryPrefixOfAnNdFrameIsRejectedNotRead) {
  auto spec = advertisement();
  spec.vlan = Vlan{.outer = 200, .inner = 100};
  const auto frame = build_nd_frame(spec);
  for (std::size_t length = 0; length < frame.size(); ++length) {
    const auto result = decode_frame(std::span(frame).first(length));
    ASSERT_FALSE(result) << length;
    EXPECT_EQ(result.error(), RejectReason::truncated) << length;
  }
  EXPECT_TRUE(decode_frame(frame));
}

TEST(NdDecoderTest, AMulticastUnspecifiedOrIpv4MappedTargetIsRejected) {
  for (const auto* target : {"ff02::1", "ff02::1:ff00:10", "::", "::ffff:192.0.2.10"}) {
    auto spec = advertisement();
    spec.target = ip(target);
    EXPECT_EQ(decode(spec), "reject:bad_target") << target;
    spec = solicitation();
    spec.target = ip(target);
    EXPECT_EQ(decode(spec), "reject:bad_target") << target;
  }
}

TEST(NdDecoderTest, MalformedOptionsAreRejected) {
  auto spec = solicitation();
  spec.options = {NdOption{.type = 1, .body = {2, 0, 0, 0, 0, 0x20}, .length = 0}};
  EXPECT_EQ(decode(spec), "reject:bad_option") << "zero length";
  spec.options = {NdOption{.type = 1, .body = {2, 0, 0, 0, 0, 0x20}, .length = 2}};
  EXPECT_EQ(decode(spec), "reject:bad_option") << "overrunning the message";
  spec.options = {NdOption{.type = 14, .body = {1, 2, 3, 4, 5, 6}, .length = 3}};
  EXPECT_EQ(decode(spec), "reject:bad_option") << "an unknown option overrunning";
  // A 16-byte link-layer address option: not Ethernet's 8.
  spec.options = {NdOption{.type = 1, .body = std::vector<std::uint8_t>(14, 2), .length = 2}};
  EXPECT_EQ(decode(spec), "reject:bad_option") << "long LLA";
}

TEST(NdDecoderTest, AShortLinkLayerAddressOptionIsMalformed) {
  // A source LLA option cut to 6 of its 8 bytes, with a checksum that is right for it.
  auto spec = solicitation();
  spec.options = {NdOption{.type = 1, .body = {2, 0, 0, 0}, .length = 1}};
  spec.truncate_message_to = 24 + 6;
  EXPECT_EQ(decode(spec), "reject:bad_option");
  spec.truncate_message_to = 24 + 1;  // not even a length byte
  EXPECT_EQ(decode(spec), "reject:bad_option");
}

TEST(NdDecoderTest, ADadProbeMustGoToASolicitedNodeGroupWithoutSourceAddress) {
  auto spec = dad_probe();
  spec.destination = kAllNodes;
  EXPECT_EQ(decode(spec), "reject:bad_addressing");
  spec.destination = kHostIp;
  EXPECT_EQ(decode(spec), "reject:bad_addressing");
  spec = dad_probe();
  spec.options = {link_layer_option(1, kProberMac)};
  EXPECT_EQ(decode(spec), "reject:bad_addressing");
  // Any solicited-node group will do (RFC 4861 asks for no match with the target).
  spec = dad_probe();
  spec.destination = ip("ff02::1:ff12:3456");
  EXPECT_EQ(decode(spec), "probe");
}

TEST(NdDecoderTest, ASolicitedAdvertisementToAGroupIsRejected) {
  auto spec = advertisement();
  spec.destination = kAllNodes;
  EXPECT_EQ(decode(spec), "reject:bad_addressing");
  spec.flags = 0x20;  // the same, unsolicited: a DAD defence or an announcement
  EXPECT_EQ(decode(spec), "gratuitous_reply");
}

TEST(NdDecoderTest, AMulticastOrIpv4MappedSourceIsRejected) {
  for (const auto* source : {"ff02::1", "::ffff:192.0.2.20"}) {
    auto spec = solicitation();
    spec.source = ip(source);
    EXPECT_EQ(decode(spec), "reject:bad_addressing") << source;
  }
}

TEST(NdDecoderTest, LinkLocalAddressesAreDecoded) {
  auto spec = advertisement();
  spec.source = ip("fe80::10");
  spec.target = ip("fe80::10");
  spec.destination = ip("fe80::20");
  const auto result = decode_nd_frame(build_nd_frame(spec));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->sender_ip.is_ipv6_link_local());
  EXPECT_EQ(result->sender_ip.to_string(), "fe80::10");
}

}  // namespace
}  // namespace arp
