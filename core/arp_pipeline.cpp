#include "core/arp_pipeline.h"

namespace arp {

InterfaceIndex ArpPipeline::add_interface(std::string_view name) {
  const auto index = tracker_.add_interface(name);
  if (counters_.size() <= index) counters_.resize(index + 1U);
  return index;
}

PipelineOutcome ArpPipeline::process(InterfaceIndex interface, std::span<const std::byte> frame,
                                     Timestamp captured) {
  const auto decoded = decode_arp_frame(frame);
  auto& counters = counters_.at(interface);
  counters.frames.count(decoded);
  if (!decoded) return {};
  last_frame_ = *decoded;
  if (filter_.ignores(last_frame_)) {
    ++counters.ignored;
    return {.frame = &last_frame_, .event = ClaimEvent::not_a_claim};
  }
  return {.frame = &last_frame_, .event = tracker_.observe(interface, last_frame_, captured)};
}

PipelineSnapshot ArpPipeline::snapshot(Timestamp now) {
  return {.tracker = tracker_.snapshot(now), .counters = counters_};
}

}  // namespace arp
