#include "collectors/arp_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sstream>

#include "tests/collectors/collector_fixtures.h"
#include "tests/unit/snapshot_at.h"

namespace arp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ArpCollectorTest, RendersTheIncidentWithBothMacsAndVendors) {
  const auto text = testing::serialize(
      render_arp_metrics(testing::incident_state(), testing::real_vendors(), 1000));
  EXPECT_THAT(text,
              HasSubstr(R"(arp_address_claimants{interface="eth0",vlan="",ip="192.0.2.10"} 2)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(arp_address_claim_info{interface="eth0",vlan="",ip="192.0.2.10",mac="00:1b:21:0a:00:0a",vendor="Intel Corporate"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(arp_address_claim_info{interface="eth0",vlan="",ip="192.0.2.10",mac="00:50:56:0b:00:0b",vendor="VMware, Inc."} 1)"));
  EXPECT_THAT(
      text, HasSubstr(R"(arp_address_claimants{interface="eth0",vlan="100",ip="198.51.100.7"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(vendor="locally administered")"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(arp_own_address_claim_info{interface="eth0",vlan="",ip="192.0.2.20",mac="00:50:56:0b:00:0b",vendor="VMware, Inc."} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(arp_addresses_contested{interface="eth0"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(arp_addresses_tracked{interface="eth0"} 3)"));
  EXPECT_THAT(text, HasSubstr(R"(arp_capture_up{interface="eth0"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(arp_capture_kernel_dropped_frames_total{interface="eth0"} 1)"));
  EXPECT_THAT(text, HasSubstr("arp_address_series_omitted 0"));
}

TEST(ArpCollectorTest, TheSeriesCapKeepsOwnClaimsAndCountsWhatItLeavesOut) {
  const auto text =
      testing::serialize(render_arp_metrics(testing::incident_state(), testing::real_vendors(), 1));
  EXPECT_THAT(text, HasSubstr("arp_own_address_claim_info{"));
  EXPECT_THAT(text, Not(HasSubstr("arp_address_claimants{")));
  EXPECT_THAT(text, HasSubstr("arp_address_series_omitted 2"));
}

TEST(ArpCollectorTest, NoTroubleMeansNoPerIpSeriesButZeroFilledAggregates) {
  ArpState state;
  ArpPipeline pipeline({}, {});
  pipeline.add_interface("eth0");
  state.pipeline = testing::snapshot_at(pipeline, Timestamp{});
  const auto text = testing::serialize(render_arp_metrics(state, testing::real_vendors(), 1000));
  EXPECT_THAT(text, Not(HasSubstr("arp_address_claimants{")));
  EXPECT_THAT(text,
              HasSubstr(R"(arp_frames_total{interface="eth0",family="ipv4",kind="probe"} 0)"));
  EXPECT_THAT(text,
              HasSubstr(R"(arp_frames_rejected_total{interface="eth0",reason="truncated"} 0)"));
}

TEST(ArpCollectorTest, OwnMacsOnOtherInterfacesAreNotForeign) {
  ArpPipeline pipeline({}, {});
  const auto eth0 = pipeline.add_interface("eth0");
  const Timestamp now{std::chrono::hours(1)};
  pipeline.set_host(
      {{eth0, *Ipv4Address::parse("192.0.2.20")}},
      {*MacAddress::parse("02:00:00:00:00:14"), *MacAddress::parse("02:00:00:00:00:15")}, {}, now);
  // Linux answers ARP for any local address on any interface: eth1's MAC claiming eth0's IP
  // is this host, not a rogue.
  pipeline.tracker().observe(eth0, testing::claim_frame("02:00:00:00:00:15", "192.0.2.20"), now);
  EXPECT_TRUE(testing::snapshot_at(pipeline, now).own_claims.empty());
}

}  // namespace
}  // namespace arp

namespace arp {
namespace {

// The per-IP families the series cap bounds.
constexpr std::array kPerIpFamilies = {"arp_own_address_claim_info",
                                       "arp_address_claimants",
                                       "arp_address_claim_info",
                                       "arp_address_claim_first_seen_timestamp_seconds",
                                       "arp_address_claim_last_seen_timestamp_seconds",
                                       "arp_own_address_macs",
                                       "arp_address_flapped_info"};

std::size_t per_ip_series(const std::string& text) {
  std::size_t series = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    for (const auto* family : kPerIpFamilies) {
      if (line.starts_with(std::string(family) + "{")) ++series;
    }
  }
  return series;
}

double sample_of(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  ADD_FAILURE() << "no sample " << series;
  return -1;
}

// `count` addresses (one IP in as many VLANs), each claimed in turn by its owner and by one
// rogue MAC, the same for all: one host contesting them all. `claimants` MACs per address.
ArpState contested_flood(int count, int claimants = 2, int first_vlan = 1,
                         ArpPipeline* reuse = nullptr,
                         Timestamp start = Timestamp{std::chrono::hours(1)}) {
  ArpPipeline local({.max_addresses = 100'000}, {});
  ArpPipeline& pipeline = reuse != nullptr ? *reuse : local;
  const auto known = pipeline.tracker().find_interface("eth0");
  const auto eth0 = known ? *known : pipeline.add_interface("eth0");
  auto now = start;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < count; ++i) {
      const Vlan vlan{.outer = 0, .inner = static_cast<std::uint16_t>(first_vlan + i)};
      for (int c = 0; c < claimants; ++c) {
        now += std::chrono::milliseconds(1);
        const std::string mac =
            c == 0 ? "02:00:00:00:aa:00" : "02:00:00:00:0b:0" + std::to_string(c);
        pipeline.tracker().observe(eth0, testing::claim_frame(mac.c_str(), "198.51.100.7", vlan),
                                   now);
      }
    }
  }
  ArpState state;
  state.pipeline = testing::snapshot_at(pipeline, now);
  state.own_claims = name_own_claims(state.pipeline);
  return state;
}

TEST(ArpCollectorSeriesCapTest, TheCapBoundsSeriesNotAddresses) {
  // The incident: an own-address claim (1 series) and two contested addresses with two
  // claimants each (1 + 3 x 2 = 7 series each).
  const auto text =
      testing::serialize(render_arp_metrics(testing::incident_state(), testing::real_vendors(), 8));
  EXPECT_EQ(per_ip_series(text), 8U);
  EXPECT_THAT(text, HasSubstr("arp_own_address_claim_info{"));
  // The older contest (192.0.2.10 was contested first) stays; the other is left out whole.
  EXPECT_THAT(text,
              HasSubstr(R"(arp_address_claimants{interface="eth0",vlan="",ip="192.0.2.10"} 2)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(ip="198.51.100.7")")));
  EXPECT_EQ(sample_of(text, "arp_address_series_omitted"), 1);
}

TEST(ArpCollectorSeriesCapTest, OneHostContestingThousandsOfAddressesStaysUnderTheCap) {
  const auto state = contested_flood(3000);
  ASSERT_EQ(std::count_if(state.pipeline.tracker.addresses.begin(),
                          state.pipeline.tracker.addresses.end(),
                          [](const auto& a) { return a.state == AddressState::contested; }),
            3000);
  const auto text = testing::serialize(render_arp_metrics(state, testing::real_vendors(), 1000));
  const auto series = per_ip_series(text);
  EXPECT_LE(series, 1000U);
  // 7 series an address: 142 addresses fit, the other 2858 are counted.
  EXPECT_EQ(series, 142U * 7U);
  EXPECT_EQ(sample_of(text, "arp_address_series_omitted"), 3000 - 142);
}

TEST(ArpCollectorSeriesCapTest, TheSameStateKeepsTheSameAddresses) {
  const auto state = contested_flood(500);
  auto shuffled = state;
  std::reverse(shuffled.pipeline.tracker.addresses.begin(),
               shuffled.pipeline.tracker.addresses.end());
  EXPECT_EQ(testing::serialize(render_arp_metrics(state, testing::real_vendors(), 100)),
            testing::serialize(render_arp_metrics(shuffled, testing::real_vendors(), 100)));
}

TEST(ArpCollectorSeriesCapTest, ANewFloodCannotPushOutTheConflictsAlreadyShown) {
  ArpPipeline pipeline({.max_addresses = 100'000}, {});
  pipeline.add_interface("eth0");
  const Timestamp start{std::chrono::hours(1)};
  contested_flood(3, 2, 4000, &pipeline, start);  // VLANs 4000-4002, contested first
  const auto state = contested_flood(300, 2, 1, &pipeline, start + std::chrono::seconds(10));
  const auto text = testing::serialize(render_arp_metrics(state, testing::real_vendors(), 21));
  for (const auto* vlan : {"4000", "4001", "4002"}) {
    EXPECT_THAT(text, HasSubstr(std::string(R"(arp_address_claimants{interface="eth0",vlan=")") +
                                vlan + R"(",ip="198.51.100.7"} 2)"));
  }
  EXPECT_EQ(sample_of(text, "arp_address_series_omitted"), 300);
}

TEST(ArpCollectorSeriesCapTest, AnAddressIsShownWithAllItsClaimantsOrNotAtAll) {
  // Five claimants: 1 + 3 x 5 = 16 series, more than a cap of 10 allows.
  const auto state = contested_flood(1, 5);
  const auto text = testing::serialize(render_arp_metrics(state, testing::real_vendors(), 10));
  EXPECT_EQ(per_ip_series(text), 0U);
  EXPECT_EQ(sample_of(text, "arp_address_series_omitted"), 1);
  const auto roomy = testing::serialize(render_arp_metrics(state, testing::real_vendors(), 16));
  EXPECT_EQ(per_ip_series(roomy), 16U);
  EXPECT_EQ(sample_of(roomy, "arp_address_series_omitted"), 0);
}

}  // namespace
}  // namespace arp
