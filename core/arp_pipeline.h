// decode -> count -> filter -> track: what happens to every captured frame, live or from a
// file. Not thread-safe; the live exporter serialises access, the analyzer is single-threaded.
#pragma once

#include <span>
#include <vector>

#include "core/arp_decoder.h"
#include "core/claim_filter.h"
#include "core/claim_tracker.h"
#include "core/frame_counters.h"

namespace arp {

struct PipelineCounters {
  FrameCounters frames;
  std::uint64_t ignored = 0;  // matched an ignore rule
};

struct PipelineSnapshot {
  TrackerSnapshot tracker;
  std::vector<PipelineCounters> counters;  // indexed by InterfaceIndex, like tracker.interfaces
};

// What one frame did: the decoded frame (when it was ARP) and what the tracker made of it.
struct PipelineOutcome {
  const ArpFrame* frame = nullptr;  // valid until the next process() call
  ClaimEvent event = ClaimEvent::not_a_claim;
};

class ArpPipeline {
 public:
  ArpPipeline(ClaimTrackerConfig tracker_config, ClaimFilter filter)
      : tracker_(tracker_config), filter_(std::move(filter)) {}

  InterfaceIndex add_interface(std::string_view name);
  PipelineOutcome process(InterfaceIndex interface, std::span<const std::byte> frame,
                          Timestamp captured);
  PipelineSnapshot snapshot(Timestamp now);

  ClaimTracker& tracker() { return tracker_; }
  const ClaimTracker& tracker() const { return tracker_; }

 private:
  ClaimTracker tracker_;
  ClaimFilter filter_;
  std::vector<PipelineCounters> counters_;
  ArpFrame last_frame_;
};

}  // namespace arp
