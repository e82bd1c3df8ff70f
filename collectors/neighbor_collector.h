// The kernel's neighbour table as metrics: entries by state, the table's limits and statistics,
// change counts from the event listener, this host's entries for contested and watched
// addresses, and static entries that no longer match the MAC on the wire.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>

#include "collectors/logger.h"
#include "collectors/neighbor_events.h"
#include "collectors/neighbor_source.h"
#include "collectors/partial_collectable.h"
#include "collectors/shared_pipeline.h"
#include "collectors/watch_list.h"
#include "core/vendor_registry.h"

namespace arp {

struct NeighborCollectorOptions {
  WatchList watch;                // addresses whose entry is exported as arp_neighbor_lladdr_info
  std::size_t max_series = 1000;  // per-IP series per scrape
  // Interfaces whose series are exported: the whole name must match include (when set) and
  // must not match exclude. The table's totals (gc_thresh fill) still count every entry.
  std::optional<std::regex> interfaces_include;
  std::optional<std::regex> interfaces_exclude;
};

class NeighborCollector : public PartialCollectable {
 public:
  // Dumps begun again because the kernel marked them inconsistent before one is given up.
  static constexpr int kDumpAttempts = 3;

  // `events` and `pipeline` may be null: without them, no change counts, and no static-entry
  // checks (the ARP collector is off). Contested addresses come from the scrape's snapshot.
  NeighborCollector(std::unique_ptr<const NeighborSource> source,
                    const NeighborEventListener* events, SharedPipeline* pipeline,
                    const VendorRegistry& vendors, NeighborCollectorOptions options, Logger& logger)
      : source_(std::move(source)),
        events_(events),
        pipeline_(pipeline),
        vendors_(vendors),
        options_(std::move(options)),
        logger_(logger) {}

  Collection collect(const ScrapeContext& scrape) const override;

  // Whether an interface's series are exported (the include/exclude options).
  bool exports_interface(const std::string& name) const;

  // SIGHUP: the addresses whose entries to export, from the next scrape on.
  void set_watch(WatchList watch) {
    const std::lock_guard lock(watch_mutex_);
    options_.watch = std::move(watch);
  }

 private:
  std::unique_ptr<const NeighborSource> source_;
  const NeighborEventListener* events_;
  SharedPipeline* pipeline_;
  const VendorRegistry& vendors_;
  mutable std::mutex watch_mutex_;
  NeighborCollectorOptions options_;  // options_.watch under watch_mutex_ (SIGHUP)
  Logger& logger_;
  mutable std::atomic<std::uint64_t> interruptions_{0};  // NLM_F_DUMP_INTR, since start
};

}  // namespace arp
