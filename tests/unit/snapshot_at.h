// What a scrape at `now` sees in the live exporter, whose verifier refreshes the verdicts a few
// times a second: time applied first (claims leaving the window, verdicts that follow), then
// the read-only snapshot.
#pragma once

#include "core/arp_pipeline.h"
#include "core/claim_tracker.h"

namespace arp::testing {

inline TrackerSnapshot snapshot_at(ClaimTracker& tracker, Timestamp now) {
  tracker.refresh(now);
  return tracker.snapshot();
}

inline PipelineSnapshot snapshot_at(ArpPipeline& pipeline, Timestamp now) {
  pipeline.refresh(now);
  return pipeline.snapshot(now);
}

}  // namespace arp::testing
