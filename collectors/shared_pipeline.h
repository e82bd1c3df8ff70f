// The one ArpPipeline of the live exporter, shared by the capture threads and the prober
// (writers) and the scrape (reader, through read(): it sees the pipeline const, so a scrape
// can never change a verdict). Every access is a short critical section: a batch of frames,
// one verification step, or a snapshot copy.
//
// It also owns the live clock. The tracker runs on a monotonic clock, so that an NTP step can
// neither clear nor prolong a conflict; its readings are expressed as wall-clock time points
// anchored at start-up, and wall() turns one into the wall-clock time people read.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <utility>

#include "core/arp_pipeline.h"

namespace arp {

class SharedPipeline {
 public:
  SharedPipeline(ClaimTrackerConfig config, ClaimFilter filter,
                 std::optional<ProbePlannerConfig> probing = std::nullopt)
      : pipeline_(config, std::move(filter), probing) {}

  template <typename Function>
  decltype(auto) with(Function&& function) {
    const std::lock_guard lock(mutex_);
    return std::forward<Function>(function)(pipeline_);
  }
  template <typename Function>
  decltype(auto) read(Function&& function) const {
    const std::lock_guard lock(mutex_);
    return std::forward<Function>(function)(std::as_const(pipeline_));
  }

  // Monotonic: never steps, whatever happens to the wall clock.
  Timestamp now() const {
    return wall_anchor_ +
           std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - steady_anchor_);
  }
  // The wall-clock time of a reading of now(), for timestamps in metrics and on pages.
  Timestamp wall(Timestamp monotonic) const {
    return monotonic + (std::chrono::system_clock::now() - now());
  }

 private:
  mutable std::mutex mutex_;
  ArpPipeline pipeline_;
  const Timestamp wall_anchor_ = std::chrono::system_clock::now();
  const std::chrono::steady_clock::time_point steady_anchor_ = std::chrono::steady_clock::now();
};

}  // namespace arp
