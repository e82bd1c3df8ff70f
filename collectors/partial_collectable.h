// A collector that can fail in part: it still returns what it gathered, and says it is
// incomplete, so the scrape shows both the data and arp_scrape_collector_success 0.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace arp {

struct Collection {
  std::vector<prometheus::MetricFamily> families;
  bool complete = true;
};

class PartialCollectable : public prometheus::Collectable {
 public:
  virtual Collection collect() const = 0;
  std::vector<prometheus::MetricFamily> Collect() const final { return collect().families; }
};

}  // namespace arp
