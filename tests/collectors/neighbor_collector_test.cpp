#include "collectors/neighbor_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "collector_fixtures.h"

namespace arp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kEth0 = 2;
constexpr int kEth1 = 3;
constexpr int kGone = 9;  // in the dump, but no longer an interface when the scrape looked
const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");  // server A (Intel)
const auto kRogueMac = *MacAddress::parse("00:50:56:0b:ad:01");  // forgotten VM R (VMware)

NeighborEntry entry(int ifindex, const std::string& ip, NudState state,
                    std::optional<MacAddress> mac = std::nullopt) {
  const auto address = parse_neighbor_address(ip);
  EXPECT_TRUE(address) << ip;
  return {.key = {.ifindex = ifindex, .family = address->family, .address = address->bytes},
          .lladdr = mac,
          .state = state};
}

// A kernel that says what the test wants, and fails where the test wants it to.
struct FakeKernel final : NeighborSource {
  InterfaceNames names = {{kEth0, "eth0"}, {kEth1, "eth1"}};
  std::vector<NeighborEntry> entries;
  std::vector<NeighborTableInfo> table_infos = {{.family = NeighborFamily::inet,
                                                 .gc_thresh1 = 128,
                                                 .gc_thresh2 = 512,
                                                 .gc_thresh3 = 1024,
                                                 .entries = 7},
                                                {.family = NeighborFamily::inet6,
                                                 .gc_thresh1 = 128,
                                                 .gc_thresh2 = 512,
                                                 .gc_thresh3 = 1024,
                                                 .entries = 3}};
  std::optional<std::size_t> dump_fails_after;  // entries visited before the error
  bool tables_fail = false;
  int interrupted_dumps = 0;  // the first this many dumps are marked NLM_F_DUMP_INTR
  // An interrupted dump shows what a table changing under it shows: an entry twice.
  bool interrupted_dumps_repeat_an_entry = true;
  mutable int dumps = 0;

  InterfaceNames interfaces() const override { return names; }
  DumpResult neighbors(const std::function<void(const NeighborEntry&)>& visit) const override {
    ++dumps;
    const bool interrupted = dumps <= interrupted_dumps;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (dump_fails_after && i == *dump_fails_after) {
        throw std::runtime_error("neighbour dump: Message sequence number mismatch");
      }
      visit(entries[i]);
      if (interrupted && interrupted_dumps_repeat_an_entry) visit(entries[i]);
    }
    return {.interrupted = interrupted};
  }
  std::vector<NeighborTableInfo> tables() const override {
    if (tables_fail) throw std::runtime_error("neighbour table dump: Operation not permitted");
    return table_infos;
  }
};

class NeighborCollectorTest : public ::testing::Test {
 protected:
  Collection collect(const FakeKernel& kernel, SharedPipeline* pipeline = nullptr,
                     WatchList watch = {}, std::size_t max_series = 1000,
                     NeighborCollectorOptions options = {}) {
    options.watch = std::move(watch);
    options.max_series = max_series;
    const NeighborCollector collector(std::make_unique<FakeKernel>(kernel), nullptr, pipeline,
                                      testing::real_vendors(), std::move(options), logger_);
    // The scrape's one snapshot of the sniffer, as MetricsEndpoint hands it to every collector.
    std::optional<ArpState> arp;
    if (pipeline != nullptr) arp = take_arp_state(*pipeline, CaptureView{});
    auto collection = collector.collect({.arp = arp ? &*arp : nullptr});
    text_ = testing::serialize(collection.families);
    return collection;
  }

  // The sample's value, or nullopt when the exposition has no such line.
  std::optional<double> sample(const std::string& series) const {
    std::istringstream lines(text_);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
  }

  std::ostringstream log_;
  Logger logger_{LogLevel::info, LogFormat::logfmt, log_};
  std::string text_;
};

WatchList watching(const char* network) {
  WatchList list;
  EXPECT_FALSE(list.add(network).has_value());
  return list;
}

TEST_F(NeighborCollectorTest, AnEmptyTableHasNoStateSeriesButTheTableLimits) {
  const auto collection = collect(FakeKernel{});
  EXPECT_TRUE(collection.complete);
  EXPECT_THAT(text_, Not(HasSubstr("arp_neighbor_entries{")));
  EXPECT_THAT(text_, HasSubstr("# TYPE arp_neighbor_entries gauge"));
  EXPECT_EQ(sample(R"(arp_neighbor_gc_thresh3{family="inet"})"), 1024);
  EXPECT_EQ(sample(R"(arp_neighbor_table_entries{family="inet6"})"), 3);
}

TEST_F(NeighborCollectorTest, EntriesAreCountedByInterfaceFamilyAndState) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(kEth0, "192.0.2.11", NudState::reachable, kOwnerMac),
                    entry(kEth0, "192.0.2.99", NudState::failed),
                    entry(kEth1, "2001:db8::10", NudState::stale, kOwnerMac),
                    entry(kEth1, "192.0.2.1", NudState::permanent, kOwnerMac)};
  EXPECT_TRUE(collect(kernel).complete);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth0",family="inet",state="reachable"})"), 2);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth0",family="inet",state="failed"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth1",family="inet6",state="stale"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth1",family="inet",state="permanent"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth1",family="inet",state="stale"})"), 0);
}

TEST_F(NeighborCollectorTest, AnInterfaceThatVanishedDuringTheScrapeIsLeftOutNotAnError) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(kGone, "192.0.2.10", NudState::reachable, kRogueMac)};
  const auto collection = collect(kernel, nullptr, watching("192.0.2.10"));
  EXPECT_TRUE(collection.complete);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth0",family="inet",state="reachable"})"), 1);
  EXPECT_THAT(text_, Not(HasSubstr(kRogueMac.to_string())));
  EXPECT_THAT(text_, HasSubstr(R"(arp_neighbor_lladdr_info{interface="eth0",family="inet",)"
                               R"(ip="192.0.2.10",mac="00:1b:21:0a:00:0a",state="reachable"} 1)"));
}

TEST_F(NeighborCollectorTest, AFailedDumpExportsNoPartialCounts) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(kEth0, "192.0.2.11", NudState::reachable, kOwnerMac)};
  kernel.dump_fails_after = 1;
  const auto collection = collect(kernel);
  EXPECT_FALSE(collection.complete);
  // One entry was read before the error: counting it would read as one entry gone away.
  // Only arp_scrape_collector_success 0 (the endpoint's) says something is wrong.
  EXPECT_TRUE(collection.families.empty());
  EXPECT_THAT(log_.str(), HasSubstr("Message sequence number mismatch"));
}

TEST_F(NeighborCollectorTest, AFailedTableDumpExportsNothingEither) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac)};
  kernel.tables_fail = true;
  const auto collection = collect(kernel);
  EXPECT_FALSE(collection.complete);
  EXPECT_TRUE(collection.families.empty());
  EXPECT_THAT(log_.str(), HasSubstr("Operation not permitted"));
}

TEST_F(NeighborCollectorTest, AnInterruptedDumpIsCountedAndReadAgainWithoutDoubleCounting) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(kEth0, "192.0.2.11", NudState::permanent, kOwnerMac)};
  kernel.interrupted_dumps = 2;
  EXPECT_TRUE(collect(kernel).complete);
  EXPECT_EQ(sample("arp_neighbor_dump_interruptions_total"), 2);
  // The interrupted dumps showed every entry twice; only the third, consistent one counts.
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth0",family="inet",state="reachable"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth0",family="inet",state="permanent"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_gc_entries{family="inet"})"), 7 - 1);
}

TEST_F(NeighborCollectorTest, ADumpInterruptedEveryTimeIsAFailureNotAGuess) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac)};
  kernel.interrupted_dumps = NeighborCollector::kDumpAttempts;
  const auto collection = collect(kernel);
  EXPECT_FALSE(collection.complete);
  EXPECT_TRUE(collection.families.empty());
  EXPECT_THAT(log_.str(), HasSubstr("NLM_F_DUMP_INTR"));
}

TEST_F(NeighborCollectorTest, InterruptionsAreCountedAcrossScrapes) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac)};
  kernel.interrupted_dumps = 1;
  const NeighborCollector interrupted_once(std::make_unique<FakeKernel>(kernel), nullptr, nullptr,
                                           testing::real_vendors(), {}, logger_);
  (void)interrupted_once.collect({});
  text_ = testing::serialize(interrupted_once.collect({}).families);
  // The fake is interrupted on its first dump only: one interruption in two scrapes, kept.
  EXPECT_EQ(sample("arp_neighbor_dump_interruptions_total"), 1);
}

TEST_F(NeighborCollectorTest, StatesAreExportedOnlyForInterfacesWithEntries) {
  FakeKernel kernel;
  for (int i = 0; i < 200; ++i) kernel.names[100 + i] = "pod" + std::to_string(i);
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(100, "192.0.2.1", NudState::stale, kOwnerMac)};
  EXPECT_TRUE(collect(kernel).complete);
  std::size_t series = 0;
  for (std::size_t at = text_.find("\narp_neighbor_entries{"); at != std::string::npos;
       at = text_.find("\narp_neighbor_entries{", at + 1)) {
    ++series;
  }
  EXPECT_EQ(series, 2U * 8U);  // eth0 and pod0, inet only: every state of that family
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="pod0",family="inet",state="stale"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="pod0",family="inet",state="reachable"})"), 0);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="pod0",family="inet6",state="stale"})"),
            std::nullopt);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="pod1",family="inet",state="stale"})"),
            std::nullopt);
}

TEST_F(NeighborCollectorTest, TheInterfaceFilterMatchesWholeNamesAndExcludeWins) {
  FakeKernel kernel;
  kernel.names[4] = "veth12";
  kernel.names[5] = "xveth1";
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(kEth1, "192.0.2.11", NudState::reachable, kOwnerMac),
                    entry(4, "192.0.2.12", NudState::reachable, kOwnerMac),
                    entry(5, "192.0.2.13", NudState::reachable, kOwnerMac)};
  NeighborCollectorOptions options;
  options.interfaces_include.emplace("eth.|veth[0-9]+");
  options.interfaces_exclude.emplace("eth1");
  collect(kernel, nullptr, watching("192.0.2.0/24"), 1000, options);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="eth0",family="inet",state="reachable"})"), 1);
  EXPECT_EQ(sample(R"(arp_neighbor_entries{interface="veth12",family="inet",state="reachable"})"),
            1);
  // "xveth1" contains a match but is not one; eth1 is included and excluded.
  EXPECT_THAT(text_, Not(HasSubstr(R"(interface="xveth1")")));
  EXPECT_THAT(text_, Not(HasSubstr(R"(interface="eth1")")));
  // The filter hides series, not entries: the kernel's limit counts them all.
  EXPECT_EQ(sample(R"(arp_neighbor_gc_entries{family="inet"})"), 7);
}

TEST_F(NeighborCollectorTest, PermanentAndExternallyManagedEntriesDoNotFillTheTable) {
  FakeKernel kernel;
  for (int i = 1; i <= 5; ++i) {
    kernel.entries.push_back(
        entry(kEth0, "192.0.2." + std::to_string(i), NudState::permanent, kOwnerMac));
  }
  auto learned = entry(kEth1, "2001:db8::1", NudState::reachable, kOwnerMac);
  learned.externally_managed = true;  // NTF_EXT_LEARNED: EVPN, a switch driver
  kernel.entries.push_back(learned);
  // The kernel's table holds exactly these (its count includes exempt entries).
  kernel.table_infos[0].entries = 5;
  kernel.table_infos[1].entries = 1;
  collect(kernel);
  EXPECT_EQ(sample(R"(arp_neighbor_table_entries{family="inet"})"), 5);
  EXPECT_EQ(sample(R"(arp_neighbor_gc_entries{family="inet"})"), 0);  // fill ratio 0
  EXPECT_EQ(sample(R"(arp_neighbor_gc_entries{family="inet6"})"), 0);
}

TEST_F(NeighborCollectorTest, OtherNamespacesEntriesStillCountAgainstTheKernelWideLimit) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.1", NudState::permanent, kOwnerMac),
                    entry(kEth0, "192.0.2.2", NudState::reachable, kOwnerMac)};
  kernel.table_infos[0].entries = 40;  // 38 in other namespaces (pods), unseen by this dump
  collect(kernel);
  EXPECT_EQ(sample(R"(arp_neighbor_gc_entries{family="inet"})"), 39);
}

TEST_F(NeighborCollectorTest, WatchedEntriesAreExportedUpToTheCapAndTheRestCounted) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.10", NudState::reachable, kOwnerMac),
                    entry(kEth0, "192.0.2.11", NudState::stale, kOwnerMac),
                    entry(kEth0, "192.0.2.12", NudState::incomplete),  // no MAC: no opinion
                    entry(kEth0, "198.51.100.1", NudState::reachable, kOwnerMac)};
  collect(kernel, nullptr, watching("192.0.2.0/24"), 1);
  EXPECT_EQ(sample("arp_neighbor_series_omitted"), 1);
  EXPECT_THAT(text_, HasSubstr(R"(ip="192.0.2.10")"));
  EXPECT_THAT(text_, Not(HasSubstr(R"(ip="198.51.100.1")")));
  EXPECT_THAT(text_, Not(HasSubstr(R"(ip="192.0.2.12")")));
}

// The sniffer on eth0 sees A and R take turns on 192.0.2.10 (contested), and R alone claim
// 192.0.2.20, for which this host holds a static entry pointing at A's old NIC.
void see_incident(SharedPipeline& pipeline) {
  pipeline.with([](ArpPipeline& arp) {
    const auto eth0 = arp.add_interface("eth0");
    auto now = std::chrono::system_clock::now() - std::chrono::seconds(30);
    for (int i = 0; i < 3; ++i) {
      for (const auto* mac : {"00:1b:21:0a:00:0a", "00:50:56:0b:ad:01"}) {
        now += std::chrono::seconds(1);
        arp.tracker().observe(eth0, testing::claim_frame(mac, "192.0.2.10"), now);
      }
    }
    arp.tracker().observe(eth0, testing::claim_frame("00:50:56:0b:ad:01", "192.0.2.20"), now);
  });
}

TEST_F(NeighborCollectorTest, ThisHostsEntryForAContestedAddressIsExported) {
  FakeKernel kernel;
  kernel.entries = {
      entry(kEth0, "192.0.2.10", NudState::reachable, kRogueMac),
      entry(kEth1, "192.0.2.10", NudState::reachable, kOwnerMac),  // not contested there
      entry(kEth0, "192.0.2.11", NudState::reachable, kOwnerMac)};
  SharedPipeline pipeline({}, {});
  see_incident(pipeline);
  collect(kernel, &pipeline);
  EXPECT_EQ(sample(R"(arp_neighbor_lladdr_info{interface="eth0",family="inet",ip="192.0.2.10",)"
                   R"(mac="00:50:56:0b:ad:01",state="reachable"})"),
            1);
  EXPECT_THAT(text_, Not(HasSubstr(R"(interface="eth1",family="inet",ip="192.0.2.10")")));
  EXPECT_THAT(text_, Not(HasSubstr(R"(ip="192.0.2.11")")));
}

TEST_F(NeighborCollectorTest, AStaticEntryThatNoLongerMatchesTheWireIsReportedWithTheVendor) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.20", NudState::permanent, kOwnerMac),
                    entry(kEth1, "192.0.2.20", NudState::permanent, kOwnerMac)};  // no capture
  SharedPipeline pipeline({}, {});
  see_incident(pipeline);
  collect(kernel, &pipeline);
  EXPECT_EQ(sample(R"(arp_static_entry_mismatch_info{interface="eth0",ip="192.0.2.20",)"
                   R"(static_mac="00:1b:21:0a:00:0a",observed_mac="00:50:56:0b:ad:01",)"
                   R"(observed_vendor="VMware, Inc."})"),
            1);
  EXPECT_THAT(text_, Not(HasSubstr(R"(arp_static_entry_mismatch_info{interface="eth1")")));
}

TEST_F(NeighborCollectorTest, AStaticEntryThatMatchesTheWireIsQuiet) {
  FakeKernel kernel;
  kernel.entries = {entry(kEth0, "192.0.2.20", NudState::permanent, kRogueMac)};
  SharedPipeline pipeline({}, {});
  see_incident(pipeline);
  collect(kernel, &pipeline);
  EXPECT_THAT(text_, Not(HasSubstr("arp_static_entry_mismatch_info{")));
}

}  // namespace
}  // namespace arp
