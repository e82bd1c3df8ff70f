#include "collectors/arp_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/collectors/collector_fixtures.h"

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
  state.pipeline = pipeline.snapshot(Timestamp{});
  const auto text = testing::serialize(render_arp_metrics(state, testing::real_vendors(), 1000));
  EXPECT_THAT(text, Not(HasSubstr("arp_address_claimants{")));
  EXPECT_THAT(text, HasSubstr(R"(arp_frames_total{interface="eth0",kind="probe"} 0)"));
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
  EXPECT_TRUE(pipeline.snapshot(now).own_claims.empty());
}

}  // namespace
}  // namespace arp
