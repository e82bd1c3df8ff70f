#include "exporter/status_page.h"

#include <gtest/gtest.h>

#include "tests/collectors/collector_fixtures.h"

namespace arp {
namespace {

TEST(StatusPageTest, ListsEveryClaimantOfContestedAndOwnAddressesWithVendors) {
  const auto html =
      render_status_page(testing::incident_state(), testing::real_vendors(), "/metrics");
  EXPECT_NE(html.find("<table id=\"trouble\">"), std::string::npos);
  EXPECT_NE(
      html.find(
          "<td>192.0.2.10</td><td><code>00:1b:21:0a:00:0a</code></td><td>Intel Corporate</td>"),
      std::string::npos);
  EXPECT_NE(html.find("<code>00:50:56:0b:00:0b</code></td><td>VMware, Inc.</td>"),
            std::string::npos);
  EXPECT_NE(html.find("own address claimed by another MAC"), std::string::npos);
  EXPECT_NE(html.find("<td>100</td><td>198.51.100.7</td>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/metrics\""), std::string::npos);
}

TEST(StatusPageTest, SaysSoWhenNothingIsWrongAndEscapesWhatItShows) {
  ArpState state;
  state.captures["<eth0>"] = CaptureStatistics{};
  const auto html = render_status_page(state, testing::real_vendors(), "/m?a=\"b\"");
  EXPECT_NE(html.find("id=\"no-trouble\""), std::string::npos);
  EXPECT_NE(html.find("&lt;eth0&gt;"), std::string::npos);
  EXPECT_NE(html.find("/m?a=&quot;b&quot;"), std::string::npos);
  EXPECT_EQ(html.find("<eth0>"), std::string::npos);
}

}  // namespace
}  // namespace arp
