#include "core/arp_pipeline.h"

#include <gtest/gtest.h>

#include "tests/unit/frame_corpus.h"

namespace arp {
namespace {

TEST(ArpPipelineTest, DecodesCountsFiltersAndTracks) {
  const auto frames = testing::load_frames();
  ClaimFilter filter;
  ASSERT_TRUE(filter.add_rule("00:50:56:0b:00:0b"));
  ArpPipeline pipeline({}, filter);
  const auto eth0 = pipeline.add_interface("eth0");
  const Timestamp now{std::chrono::hours(24 * 365 * 50)};

  EXPECT_EQ(pipeline.process(eth0, frames.at("reply"), now).event, ClaimEvent::new_address);
  const auto rogue = pipeline.process(eth0, frames.at("reply_from_rogue"), now);
  EXPECT_EQ(rogue.event, ClaimEvent::not_a_claim);  // ignored by the filter
  ASSERT_NE(rogue.frame, nullptr);
  EXPECT_EQ(rogue.frame->sender_mac.to_string(), "00:50:56:0b:00:0b");
  EXPECT_EQ(pipeline.process(eth0, frames.at("plen_0"), now).frame, nullptr);

  const auto snapshot = pipeline.snapshot(now);
  ASSERT_EQ(snapshot.counters.size(), 1U);
  EXPECT_EQ(snapshot.counters[0].frames.frames(ArpKind::reply), 2U);
  EXPECT_EQ(snapshot.counters[0].frames.rejected(RejectReason::bad_protocol_length), 1U);
  EXPECT_EQ(snapshot.counters[0].ignored, 1U);
  EXPECT_EQ(snapshot.tracker.interfaces[0].tracked, 1U);
  EXPECT_TRUE(snapshot.tracker.addresses.empty());
}

}  // namespace
}  // namespace arp
