#include "core/frame_counters.h"

#include <numeric>

namespace arp {

std::uint64_t FrameCounters::total_frames() const {
  std::uint64_t total = 0;
  for (const auto& kinds : frames_) {
    total = std::accumulate(kinds.begin(), kinds.end(), total);
  }
  return total;
}

std::uint64_t FrameCounters::total_rejected() const {
  return std::accumulate(rejected_.begin(), rejected_.end(), std::uint64_t{0});
}

}  // namespace arp
