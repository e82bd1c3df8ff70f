#include "core/frame_counters.h"

#include <gtest/gtest.h>

#include "tests/unit/frame_corpus.h"

namespace arp {
namespace {

TEST(FrameCountersTest, CountsKindsReasonsAndFlags) {
  const auto frames = testing::load_frames();
  FrameCounters counters;
  for (const auto* name :
       {"request_padded", "reply", "probe", "announcement", "gratuitous_reply",
        "truncated_arp_body", "plen_0", "ipv4_frame", "source_mismatch", "sender_multicast"}) {
    counters.count(decode_arp_frame(frames.at(name)));
  }
  EXPECT_EQ(counters.frames(FrameKind::request), 1U);
  EXPECT_EQ(counters.frames(FrameKind::reply), 3U);
  EXPECT_EQ(counters.frames(FrameKind::probe), 1U);
  EXPECT_EQ(counters.frames(FrameKind::announcement), 1U);
  EXPECT_EQ(counters.frames(FrameKind::gratuitous_reply), 1U);
  EXPECT_EQ(counters.total_frames(), 7U);
  EXPECT_EQ(counters.rejected(RejectReason::truncated), 1U);
  EXPECT_EQ(counters.rejected(RejectReason::bad_protocol_length), 1U);
  EXPECT_EQ(counters.rejected(RejectReason::unsupported_ethertype), 1U);
  EXPECT_EQ(counters.total_rejected(), 3U);
  EXPECT_EQ(counters.source_mismatch(), 2U);
  EXPECT_EQ(counters.invalid_sender(), 1U);
}

}  // namespace
}  // namespace arp
