// Runs every collector on each scrape, with per-collector success and duration, and writes
// the Prometheus text exposition. A failing collector never fails the scrape.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>
#include <vector>

#include "collectors/logger.h"
#include "collectors/partial_collectable.h"

namespace arp {

struct NamedCollector {
  std::string name;
  std::weak_ptr<prometheus::Collectable> collectable;  // the owner decides its lifetime
};

class MetricsEndpoint {
 public:
  // `snapshot` (empty without the sniffer) is taken once per scrape and handed to every
  // PartialCollectable, so that they all describe one moment and the pipeline is locked once.
  MetricsEndpoint(std::vector<NamedCollector> collectors, Logger& logger,
                  ScrapeSnapshot snapshot = {})
      : collectors_(std::move(collectors)), logger_(logger), snapshot_(std::move(snapshot)) {}

  // The whole exposition text for one scrape.
  std::string scrape() const;

 private:
  std::vector<NamedCollector> collectors_;
  Logger& logger_;
  ScrapeSnapshot snapshot_;
};

}  // namespace arp
