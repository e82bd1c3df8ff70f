// The one ArpPipeline of the live exporter, shared by the capture threads (writers) and the
// scrape (reader). Every access is a short critical section: a frame, or a snapshot copy.
#pragma once

#include <mutex>
#include <utility>

#include "core/arp_pipeline.h"

namespace arp {

class SharedPipeline {
 public:
  SharedPipeline(ClaimTrackerConfig config, ClaimFilter filter)
      : pipeline_(config, std::move(filter)) {}

  template <typename Function>
  decltype(auto) with(Function&& function) {
    const std::lock_guard lock(mutex_);
    return std::forward<Function>(function)(pipeline_);
  }

 private:
  std::mutex mutex_;
  ArpPipeline pipeline_;
};

}  // namespace arp
