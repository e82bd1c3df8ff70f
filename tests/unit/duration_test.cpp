#include "core/duration.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

using namespace std::chrono;

TEST(DurationTest, ParsesPrometheusStyleDurations) {
  EXPECT_EQ(parse_duration("500ms"), Duration(milliseconds(500)));
  EXPECT_EQ(parse_duration("30s"), Duration(seconds(30)));
  EXPECT_EQ(parse_duration("5m"), Duration(minutes(5)));
  EXPECT_EQ(parse_duration("1h30m"), Duration(minutes(90)));
  EXPECT_EQ(parse_duration("2d"), Duration(hours(48)));
  EXPECT_EQ(parse_duration("0s"), Duration(0));
}

TEST(DurationTest, RejectsAnythingElse) {
  for (const auto* text : {"", "5", "m", "5 m", "-5m", "5min", "1.5h", "5m ", "99999999999h"}) {
    EXPECT_FALSE(parse_duration(text)) << text;
  }
}

}  // namespace
}  // namespace arp
