// The kernel's neighbour table as metrics: entries by state, the table's limits and statistics,
// change counts from the event listener, this host's entries for contested and watched
// addresses, and static entries that no longer match the MAC on the wire.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

#include "collectors/logger.h"
#include "collectors/neighbor_events.h"
#include "collectors/neighbor_source.h"
#include "collectors/partial_collectable.h"
#include "collectors/shared_pipeline.h"
#include "collectors/watch_list.h"
#include "core/vendor_registry.h"

namespace arp {

class NeighborCollector : public PartialCollectable {
 public:
  // `events` and `pipeline` may be null: without them, no change counts, and no contested
  // addresses or static-entry checks (the ARP collector is off).
  NeighborCollector(std::unique_ptr<const NeighborSource> source,
                    const NeighborEventListener* events, SharedPipeline* pipeline,
                    const VendorRegistry& vendors, WatchList watch, std::size_t max_series,
                    Logger& logger)
      : source_(std::move(source)),
        events_(events),
        pipeline_(pipeline),
        vendors_(vendors),
        watch_(std::move(watch)),
        max_series_(max_series),
        logger_(logger) {}

  Collection collect() const override;

  // SIGHUP: the addresses whose entries to export, from the next scrape on.
  void set_watch(WatchList watch) {
    const std::lock_guard lock(watch_mutex_);
    watch_ = std::move(watch);
  }

 private:
  std::unique_ptr<const NeighborSource> source_;
  const NeighborEventListener* events_;
  SharedPipeline* pipeline_;
  const VendorRegistry& vendors_;
  mutable std::mutex watch_mutex_;
  WatchList watch_;  // under watch_mutex_
  const std::size_t max_series_;
  Logger& logger_;
};

}  // namespace arp
