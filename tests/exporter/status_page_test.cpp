#include "exporter/status_page.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/collectors/collector_fixtures.h"

namespace arp {
namespace {

TEST(StatusPageTest, ListsEveryClaimantOfContestedAndOwnAddressesWithVendors) {
  const auto html =
      render_status_page(testing::incident_state(), {}, testing::real_vendors(), "/metrics");
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
  const auto html = render_status_page(state, {}, testing::real_vendors(), "/m?a=\"b\"");
  EXPECT_NE(html.find("id=\"no-trouble\""), std::string::npos);
  EXPECT_NE(html.find("&lt;eth0&gt;"), std::string::npos);
  EXPECT_NE(html.find("/m?a=&quot;b&quot;"), std::string::npos);
  EXPECT_EQ(html.find("<eth0>"), std::string::npos);
}

// A table that holds what the test says, from interface eth0 (index 2).
struct FixedTable final : NeighborSource {
  std::vector<NeighborEntry> entries;
  bool fails = false;

  InterfaceNames interfaces() const override { return {{2, "eth0"}}; }
  DumpResult neighbors(const std::function<void(const NeighborEntry&)>& visit) const override {
    if (fails) throw std::runtime_error("neighbour dump: Operation not permitted");
    for (const auto& entry : entries) visit(entry);
    return {};
  }
  std::vector<NeighborTableInfo> tables() const override { return {}; }
};

NeighborEntry entry_on_eth0(const char* ip, const char* mac) {
  const auto address = *parse_neighbor_address(ip);
  return {.key = {.ifindex = 2, .family = address.family, .address = address.bytes},
          .lladdr = MacAddress::parse(mac),
          .state = NudState::reachable};
}

TEST(StatusPageTest, MarksTheClaimantThisHostSendsTo) {
  const auto state = testing::incident_state();
  FixedTable table;
  table.entries = {entry_on_eth0("192.0.2.10", "00:50:56:0b:00:0b"),   // the rogue's MAC
                   entry_on_eth0("192.0.2.99", "02:00:00:00:00:99")};  // not in trouble
  const auto here = host_entries_for(state, table);
  ASSERT_EQ(here.size(), 1U);
  const auto html = render_status_page(state, here, testing::real_vendors(), "/metrics");
  EXPECT_NE(html.find("<code>00:50:56:0b:00:0b</code></td><td>VMware, Inc.</td>"),
            std::string::npos);
  const auto marker = html.find("this host sends here (reachable)");
  ASSERT_NE(marker, std::string::npos);
  const auto row = html.rfind("<tr>", marker);
  EXPECT_NE(html.substr(row, marker - row).find("00:50:56:0b:00:0b"), std::string::npos);
  EXPECT_EQ(html.find("this host sends here", marker + 1), std::string::npos);  // only once
}

TEST(StatusPageTest, AnUnreadableTableLeavesTheColumnEmpty) {
  FixedTable table;
  table.entries = {entry_on_eth0("192.0.2.10", "00:50:56:0b:00:0b")};
  table.fails = true;
  EXPECT_TRUE(host_entries_for(testing::incident_state(), table).empty());
}

}  // namespace
}  // namespace arp
