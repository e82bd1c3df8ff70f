// Runs every collector on each scrape, with per-collector success and duration, and writes
// the Prometheus text exposition. A failing collector never fails the scrape.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>
#include <vector>

#include "collectors/logger.h"

namespace arp {

struct NamedCollector {
  std::string name;
  std::weak_ptr<prometheus::Collectable> collectable;  // the owner decides its lifetime
};

class MetricsEndpoint {
 public:
  MetricsEndpoint(std::vector<NamedCollector> collectors, Logger& logger)
      : collectors_(std::move(collectors)), logger_(logger) {}

  // The whole exposition text for one scrape.
  std::string scrape() const;

 private:
  std::vector<NamedCollector> collectors_;
  Logger& logger_;
};

}  // namespace arp
