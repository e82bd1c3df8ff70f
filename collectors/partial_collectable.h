// A collector that can fail: it says whether what it gathered is complete, so the scrape shows
// arp_scrape_collector_success 0 for it. It is handed what one scrape shares (the sniffer's
// state, taken once for every collector), so that no collector takes a snapshot of its own.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <vector>

namespace arp {

struct ArpState;

struct Collection {
  std::vector<prometheus::MetricFamily> families;
  bool complete = true;
};

// What every collector of one scrape reads. `arp` is null without the sniffer.
struct ScrapeContext {
  const ArpState* arp = nullptr;
};

// Takes the sniffer's state for one scrape: once, read-only, shared by every collector.
using ScrapeSnapshot = std::function<std::shared_ptr<const ArpState>()>;

class PartialCollectable : public prometheus::Collectable {
 public:
  virtual Collection collect(const ScrapeContext& scrape) const = 0;
  // Outside a MetricsEndpoint (a bare prometheus-cpp registry) nothing is shared.
  std::vector<prometheus::MetricFamily> Collect() const final { return collect({}).families; }
};

}  // namespace arp
