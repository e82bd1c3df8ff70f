// docs/metrics.md and the exposition must name the same metrics.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "collectors/dad_collector.h"
#include "collectors/neighbor_collector.h"
#include "exporter/config_reload.h"
#include "exporter/metrics_endpoint.h"
#include "tests/collectors/collector_fixtures.h"

namespace arp {
namespace {

class FixedCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    return render_arp_metrics(testing::incident_state(), testing::real_vendors(), 1000);
  }
};

// Every family of the DAD collector, whatever this machine's addresses.
class FixedDadCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    return render_dad_metrics({}, kernel_interface_name);
  }
};

std::set<std::string> names_matching(const std::string& text, const std::regex& pattern) {
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

TEST(MetricsDocTest, EveryExposedMetricIsDocumentedAndEveryDocumentedOneExposed) {
  std::ostringstream log;
  Logger logger(LogLevel::error, LogFormat::logfmt, log);
  const auto collector = std::make_shared<FixedCollector>();
  // Reads this namespace's neighbour table (read-only); every family is emitted even when the
  // table is empty, so the names do not depend on the machine.
  const auto neighbors = std::make_shared<NeighborCollector>(
      std::make_unique<NetlinkNeighborSource>(), nullptr, nullptr, testing::real_vendors(),
      NeighborCollectorOptions{}, logger);
  const auto reloads = std::make_shared<ConfigReloader>(std::vector<std::string>{},
                                                        ExporterConfig{}, ReloadTargets{}, logger);
  const auto dad = std::make_shared<FixedDadCollector>();
  const MetricsEndpoint endpoint(
      {{"arp", collector}, {"neighbor", neighbors}, {"config", reloads}, {"dad", dad}}, logger);
  const auto exposed = names_matching(endpoint.scrape(), std::regex(R"(# TYPE (arp_[a-z0-9_]+) )"));

  std::ifstream file(std::string(ARP_DOCS_DIR) + "/metrics.md");
  ASSERT_TRUE(file) << "docs/metrics.md missing";
  const std::string doc((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto documented = names_matching(doc, std::regex(R"(\n\| `(arp_[a-z0-9_]+)` \|)"));

  for (const auto& name : exposed)
    EXPECT_TRUE(documented.contains(name)) << name << " undocumented";
  for (const auto& name : documented) EXPECT_TRUE(exposed.contains(name)) << name << " not exposed";
  EXPECT_GT(exposed.size(), 25U);
}

TEST(MetricsDocTest, AFailingCollectorFailsOnlyItself) {
  struct Broken : prometheus::Collectable {
    std::vector<prometheus::MetricFamily> Collect() const override {
      throw std::runtime_error("netlink dump failed");
    }
  };
  std::ostringstream log;
  Logger logger(LogLevel::error, LogFormat::logfmt, log);
  const auto broken = std::make_shared<Broken>();
  const auto working = std::make_shared<FixedCollector>();
  const MetricsEndpoint endpoint({{"broken", broken}, {"arp", working}}, logger);
  const auto text = endpoint.scrape();
  EXPECT_NE(text.find(R"(arp_scrape_collector_success{collector="broken"} 0)"), std::string::npos);
  EXPECT_NE(text.find(R"(arp_scrape_collector_success{collector="arp"} 1)"), std::string::npos);
  EXPECT_NE(text.find("arp_address_claimants{"), std::string::npos);
  EXPECT_NE(log.str().find("netlink dump failed"), std::string::npos);
}

// Records the snapshot each scrape hands it.
class SnapshotReader : public PartialCollectable {
 public:
  Collection collect(const ScrapeContext& scrape) const override {
    seen.push_back(scrape.arp);
    return {};
  }
  mutable std::vector<const ArpState*> seen;
};

TEST(MetricsEndpointTest, OneScrapeTakesOneSnapshotAndEveryCollectorReadsIt) {
  std::ostringstream log;
  Logger logger(LogLevel::error, LogFormat::logfmt, log);
  const auto first = std::make_shared<SnapshotReader>();
  const auto second = std::make_shared<SnapshotReader>();
  int taken = 0;
  const MetricsEndpoint endpoint({{"arp", first}, {"neighbor", second}}, logger, [&] {
    ++taken;
    return std::make_shared<const ArpState>(testing::incident_state());
  });
  (void)endpoint.scrape();
  EXPECT_EQ(taken, 1);
  ASSERT_EQ(first->seen.size(), 1U);
  ASSERT_EQ(second->seen.size(), 1U);
  EXPECT_NE(first->seen[0], nullptr);
  EXPECT_EQ(first->seen[0], second->seen[0]);
  (void)endpoint.scrape();
  EXPECT_EQ(taken, 2);  // a fresh one for the next scrape, never a stale one
}

TEST(MetricsEndpointTest, WithoutTheSnifferThereIsNoSnapshot) {
  std::ostringstream log;
  Logger logger(LogLevel::error, LogFormat::logfmt, log);
  const auto reader = std::make_shared<SnapshotReader>();
  const MetricsEndpoint endpoint({{"neighbor", reader}}, logger);
  (void)endpoint.scrape();
  ASSERT_EQ(reader->seen.size(), 1U);
  EXPECT_EQ(reader->seen[0], nullptr);
}

}  // namespace
}  // namespace arp
