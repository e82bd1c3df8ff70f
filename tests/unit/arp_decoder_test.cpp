#include "core/arp_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "tests/unit/frame_corpus.h"

namespace arp {
namespace {

struct Expected {
  std::string name;
  std::string outcome;  // an FrameKind name, or "reject:<reason>"
  std::string vlan;
  bool source_mismatch = false;
  bool sender_invalid = false;
};

// Names the case in test output; without it GoogleTest prints the object's raw bytes, heap
// pointers included, into every test name ctest shows.
void PrintTo(const Expected& expected, std::ostream* out) { *out << expected.name; }

const std::vector<Expected> kCases = {
    {"request_padded", "request", ""},
    {"request_unpadded", "request", ""},
    {"reply", "reply", ""},
    {"reply_from_rogue", "reply", ""},
    {"reply_with_fcs", "reply", ""},
    {"probe", "probe", ""},
    {"probe_switch_tracking", "probe", ""},
    {"announcement", "announcement", ""},
    {"announcement_broadcast_target", "announcement", ""},
    {"gratuitous_reply", "gratuitous_reply", ""},
    {"vlan_request", "request", "100"},
    {"vlan_priority_bits", "request", "100"},
    {"priority_tagged", "request", ""},
    {"qinq_request", "request", "200.100"},
    {"qinq_legacy_tpid", "request", "200.100"},
    {"three_tags", "reject:unsupported_ethertype", ""},
    {"ipv4_frame", "reject:unsupported_ethertype", ""},
    {"rarp", "reject:unsupported_ethertype", ""},
    {"truncated_ethernet", "reject:truncated", ""},
    {"truncated_vlan_tag", "reject:truncated", ""},
    {"truncated_arp_header", "reject:truncated", ""},
    {"truncated_arp_body", "reject:truncated", ""},
    {"hardware_ieee802", "reject:unsupported_hardware_type", ""},
    {"protocol_ipv6", "reject:unsupported_protocol_type", ""},
    {"hlen_255", "reject:bad_hardware_length", ""},
    {"hlen_255_short", "reject:bad_hardware_length", ""},
    {"plen_0", "reject:bad_protocol_length", ""},
    {"plen_16", "reject:bad_protocol_length", ""},
    {"opcode_0", "reject:unknown_opcode", ""},
    {"opcode_inarp", "reject:unknown_opcode", ""},
    {"source_mismatch", "reply", "", true, false},
    {"sender_multicast", "reply", "", true, true},
    {"sender_zero", "reply", "", true, true},
    {"sender_broadcast", "request", "", true, true},
};

std::string outcome_of(const DecodeResult& result) {
  if (!result) return "reject:" + std::string(to_string(result.error()));
  return std::string(to_string(result->kind));
}

class DecoderCorpusTest : public ::testing::TestWithParam<Expected> {
 protected:
  static const std::map<std::string, std::vector<std::byte>>& frames() {
    static const auto corpus = testing::load_frames();
    return corpus;
  }
};

TEST_P(DecoderCorpusTest, DecodesAsExpected) {
  const auto& expected = GetParam();
  const auto frame = frames().find(expected.name);
  ASSERT_NE(frame, frames().end()) << expected.name << " missing from arp_frames.hex";
  const auto result = decode_arp_frame(frame->second);
  EXPECT_EQ(outcome_of(result), expected.outcome);
  if (result) {
    EXPECT_EQ(result->vlan.to_string(), expected.vlan);
    EXPECT_EQ(result->ethernet_source_mismatch, expected.source_mismatch);
    EXPECT_EQ(result->sender_mac_invalid, expected.sender_invalid);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, DecoderCorpusTest, ::testing::ValuesIn(kCases),
                         [](const auto& test_case) { return test_case.param.name; });

TEST(DecoderTest, EveryCorpusFrameHasAnExpectation) {
  for (const auto& frame : testing::load_frames()) {
    const auto& name = frame.first;  // clang 14 (the TSan build) cannot capture a binding
    const bool covered = std::any_of(kCases.begin(), kCases.end(),
                                     [&](const Expected& e) { return e.name == name; });
    EXPECT_TRUE(covered) << name;
  }
}

TEST(DecoderTest, ReadsEveryFieldOfAReply) {
  const auto frames = testing::load_frames();
  const auto result = decode_arp_frame(frames.at("reply"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->sender_mac.to_string(), "00:1b:21:0a:00:0a");
  EXPECT_EQ(result->sender_ip.to_string(), "192.0.2.10");
  EXPECT_EQ(result->target_mac.to_string(), "02:00:00:00:00:14");
  EXPECT_EQ(result->target_ip.to_string(), "192.0.2.20");
  EXPECT_EQ(result->ethernet_source.to_string(), "00:1b:21:0a:00:0a");
  EXPECT_EQ(result->ethernet_destination.to_string(), "02:00:00:00:00:14");
  EXPECT_FALSE(result->vlan.tagged());
}

TEST(DecoderTest, EveryPrefixShorterThanAWholeArpFrameIsTruncated) {
  const auto frame = testing::load_frames().at("request_unpadded");
  ASSERT_EQ(frame.size(), 42U);
  for (std::size_t length = 0; length < frame.size(); ++length) {
    const auto result = decode_arp_frame(std::span(frame).first(length));
    ASSERT_FALSE(result) << length;
    EXPECT_EQ(result.error(), RejectReason::truncated) << length;
  }
  EXPECT_TRUE(decode_arp_frame(frame));
}

TEST(DecoderTest, EveryPrefixOfATaggedFrameIsRejectedNotRead) {
  const auto frame = testing::load_frames().at("qinq_request");
  for (std::size_t length = 0; length < 50; ++length) {
    const auto result = decode_arp_frame(std::span(frame).first(length));
    ASSERT_FALSE(result) << length;
    EXPECT_EQ(result.error(), RejectReason::truncated) << length;
  }
}

TEST(DecoderTest, ReplyFromZeroSenderIsAPlainReply) {
  auto frame = testing::load_frames().at("reply");
  // Zero the sender IP (offset 14 + 14): a reply can't be a probe, whatever its sender IP.
  for (std::size_t i = 28; i < 32; ++i) frame[i] = std::byte{0};
  const auto result = decode_arp_frame(frame);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, FrameKind::reply);
  EXPECT_TRUE(result->sender_ip.is_unspecified());
}

TEST(DecoderTest, NamesEveryKindAndReasonDistinctly) {
  std::set<std::string_view> names;
  for (const auto kind : kAllFrameKinds) names.insert(to_string(kind));
  for (const auto reason : kAllRejectReasons) names.insert(to_string(reason));
  EXPECT_EQ(names.size(), kAllFrameKinds.size() + kAllRejectReasons.size());
}

}  // namespace
}  // namespace arp
