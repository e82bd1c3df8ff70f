#include "collectors/dad_collector.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>

#include <map>
#include <sstream>

namespace arp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

DadEntry entry(int ifindex, const char* text, DadState state) {
  DadEntry entry{.key = {.ifindex = ifindex}, .state = state};
  if (inet_pton(AF_INET6, text, entry.key.bytes.data()) == 1) {
    entry.key.family = AF_INET6;
  } else {
    EXPECT_EQ(inet_pton(AF_INET, text, entry.key.bytes.data()), 1) << text;
    entry.key.family = AF_INET;
  }
  return entry;
}

const InterfaceNameOf kNames = [](int ifindex) -> std::optional<std::string> {
  static const std::map<int, std::string> names = {{2, "eth0"}, {3, "eth1"}};
  const auto found = names.find(ifindex);
  if (found == names.end()) return std::nullopt;
  return found->second;
};

std::string text_of(const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

TEST(DadCollectorTest, OneSeriesPerAddressInTrouble) {
  DadSnapshot snapshot;
  snapshot.addresses = {entry(2, "2001:db8::10", DadState::failed),
                        entry(2, "fe80::1", DadState::tentative),
                        entry(3, "2001:db8::20", DadState::tentative)};
  snapshot.overruns = 2;
  snapshot.overflows = 5;
  const auto text = text_of(render_dad_metrics(snapshot, kNames));
  EXPECT_THAT(text,
              HasSubstr("arp_own_address_dad_failed{interface=\"eth0\",ip=\"2001:db8::10\"} 1"));
  EXPECT_THAT(text, HasSubstr("arp_own_address_tentative{interface=\"eth0\",ip=\"fe80::1\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("arp_own_address_tentative{interface=\"eth1\",ip=\"2001:db8::20\"} 1"));
  // A failed address is not also reported tentative, although the kernel keeps both flags.
  EXPECT_THAT(text,
              Not(HasSubstr("arp_own_address_tentative{interface=\"eth0\",ip=\"2001:db8::10\"}")));
  EXPECT_THAT(text, HasSubstr("arp_own_address_netlink_overruns_total 2"));
  EXPECT_THAT(text, HasSubstr("arp_own_address_dad_overflows_total 5"));
}

TEST(DadCollectorTest, NothingInTroubleIsNoSeriesButEveryFamily) {
  const auto families = render_dad_metrics({}, kNames);
  ASSERT_EQ(families.size(), 4U);
  EXPECT_TRUE(families[0].metric.empty());  // no zero-filled series
  EXPECT_TRUE(families[1].metric.empty());
  const auto text = text_of(families);
  EXPECT_THAT(text, HasSubstr("# TYPE arp_own_address_dad_failed gauge"));
  EXPECT_THAT(text, HasSubstr("arp_own_address_netlink_overruns_total 0"));
}

TEST(DadCollectorTest, AVanishedInterfaceTakesItsAddressesAlong) {
  DadSnapshot snapshot;
  snapshot.addresses = {entry(9, "2001:db8::10", DadState::failed)};
  const auto families = render_dad_metrics(snapshot, kNames);
  EXPECT_TRUE(families[0].metric.empty());
}

TEST(DadCollectorTest, OneIPv4AddressWithTwoPrefixLengthsIsOneSeries) {
  auto narrow = entry(2, "192.0.2.1", DadState::failed);
  narrow.key.prefix_length = 25;
  auto wide = entry(2, "192.0.2.1", DadState::failed);
  wide.key.prefix_length = 24;
  DadSnapshot snapshot;
  snapshot.addresses = {wide, narrow};
  const auto families = render_dad_metrics(snapshot, kNames);
  EXPECT_EQ(families[0].metric.size(), 1U);
}

TEST(DadCollectorTest, WithoutTheListenerTheCollectorFails) {
  const DadCollector collector(nullptr, kNames);
  const auto result = collector.collect({});
  EXPECT_FALSE(result.complete);
  EXPECT_TRUE(result.families.empty());
}

TEST(DadCollectorTest, FollowsThisNamespacesAddresses) {
  // The real listener, read-only: its first dump succeeds, and this namespace's addresses are
  // not in trouble while the test runs (or, if one is, it has a name).
  std::ostringstream log;
  Logger logger(LogLevel::error, LogFormat::logfmt, log);
  const AddressEventListener listener(logger, 1024);
  const auto snapshot = listener.snapshot();
  EXPECT_TRUE(snapshot.synchronised);
  EXPECT_EQ(snapshot.overruns, 0U);
  const DadCollector collector(&listener);
  const auto result = collector.collect({});
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.families.size(), 4U);
  EXPECT_EQ(log.str(), "");
}

}  // namespace
}  // namespace arp
