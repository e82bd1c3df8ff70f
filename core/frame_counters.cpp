#include "core/frame_counters.h"

#include <numeric>

namespace arp {

std::uint64_t FrameCounters::total_frames() const {
  return std::accumulate(frames_.begin(), frames_.end(), std::uint64_t{0});
}

std::uint64_t FrameCounters::total_rejected() const {
  return std::accumulate(rejected_.begin(), rejected_.end(), std::uint64_t{0});
}

}  // namespace arp
