#include "exporter/status_page.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// The incident's story, told the way the pipeline tells it: the owner, the rogue taking over,
// the round both answered, this host's entry moving to the rogue.
ArpState incident_with_timeline() {
  auto state = testing::incident_state();
  const auto& contested = *std::find_if(
      state.pipeline.tracker.addresses.begin(), state.pipeline.tracker.addresses.end(),
      [](const AddressReport& a) { return a.key.ip == *Ipv4Address::parse("192.0.2.10"); });
  const auto owner = *MacAddress::parse("00:1b:21:0a:00:0a");
  const auto rogue = *MacAddress::parse("00:50:56:0b:00:0b");
  const auto now = state.taken;
  TroubleTimeline timeline(TimelineConfig{});
  timeline.neighbor(contested.key, {.mac = owner, .state = NudState::reachable}, now);  // ignored
  timeline.observe(contested, AddressState::moved, now - std::chrono::seconds(8));
  timeline.neighbor(contested.key, {.mac = owner, .state = NudState::reachable},
                    now - std::chrono::seconds(8));
  const std::vector<MacAddress> both = {owner, rogue};
  timeline.round(contested.key, ProbeReason::change, now - std::chrono::seconds(7), both,
                 now - std::chrono::seconds(6));
  timeline.round(contested.key, ProbeReason::recheck, now - std::chrono::seconds(3), {},
                 now - std::chrono::seconds(2));
  timeline.neighbor(contested.key, {.mac = rogue, .state = NudState::reachable},
                    now - std::chrono::seconds(4));
  state.timelines = timeline.snapshot(now);
  return state;
}

std::string section(const std::string& html, const std::string& id) {
  const auto start = html.find("<section class=\"timeline\" id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</section>", start) - start);
}

TEST(StatusPageTest, TimelineOfAContestedAddressShowsBothMacsTheRoundAndThisHostsEntry) {
  const auto html =
      render_status_page(incident_with_timeline(), {}, testing::real_vendors(), "/metrics");
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"5\">"), std::string::npos);
  const auto timeline = section(html, "timeline-eth0--192.0.2.10");
  ASSERT_FALSE(timeline.empty()) << html;
  EXPECT_NE(timeline.find("verdict-contested"), std::string::npos);
  // A lane per MAC, each with its vendor.
  for (const auto* lane : {"data-mac=\"00:1b:21:0a:00:0a\"", "data-mac=\"00:50:56:0b:00:0b\""}) {
    EXPECT_NE(timeline.find("<g class=\"lane mac-lane\" " + std::string(lane)), std::string::npos)
        << lane;
  }
  EXPECT_NE(timeline.find("Intel Corporate"), std::string::npos);
  EXPECT_NE(timeline.find("VMware, Inc."), std::string::npos);
  // The round both answered, and the one nobody did.
  EXPECT_NE(timeline.find("<g class=\"round\" data-answers=\"2\">"), std::string::npos);
  EXPECT_NE(timeline.find("2 answered: 00:1b:21:0a:00:0a, 00:50:56:0b:00:0b"), std::string::npos);
  EXPECT_NE(timeline.find("<g class=\"round\" data-answers=\"0\">"), std::string::npos);
  // Both MACs answered: a diamond in each lane.
  std::size_t answers = 0;
  for (auto at = timeline.find("class=\"answer\""); at != std::string::npos;
       at = timeline.find("class=\"answer\"", at + 1))
    ++answers;
  EXPECT_EQ(answers, 2U);
  // This host's entry: the owner first, then the rogue, which it still points to.
  const auto to_owner = timeline.find("<g class=\"host-entry\" data-mac=\"00:1b:21:0a:00:0a\">");
  const auto to_rogue = timeline.find("<g class=\"host-entry\" data-mac=\"00:50:56:0b:00:0b\">");
  ASSERT_NE(to_owner, std::string::npos);
  ASSERT_NE(to_rogue, std::string::npos);
  EXPECT_LT(to_owner, to_rogue);
  EXPECT_NE(timeline.find("now 00:50:56:0b:00:0b (reachable)"), std::string::npos);
  // The own-address claim has no history in this state, and says so rather than vanishing.
  EXPECT_NE(html.find("<p class=\"no-timeline\"><code>192.0.2.20</code>"), std::string::npos);
  // The existing table is still there.
  EXPECT_NE(html.find("<table id=\"trouble\">"), std::string::npos);
  // Nothing is fetched from anywhere: the page must work on an isolated network.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(StatusPageTest, TimelineEscapesInterfaceNames) {
  auto state = incident_with_timeline();
  state.pipeline.tracker.interfaces.at(0).name = "<eth0>";
  const auto html = render_status_page(state, {}, testing::real_vendors(), "/metrics");
  EXPECT_NE(html.find("id=\"timeline-&lt;eth0&gt;--192.0.2.10\""), std::string::npos);
  EXPECT_EQ(html.find("<eth0>"), std::string::npos);
}

TEST(StatusPageTest, AnUnreadableTableLeavesTheColumnEmpty) {
  FixedTable table;
  table.entries = {entry_on_eth0("192.0.2.10", "00:50:56:0b:00:0b")};
  table.fails = true;
  EXPECT_TRUE(host_entries_for(testing::incident_state(), table).empty());
}

}  // namespace
}  // namespace arp
