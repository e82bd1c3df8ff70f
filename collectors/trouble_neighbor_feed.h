// This host's neighbour entries for the addresses in trouble, as they change, into their
// timelines: the page can then show where this host sent at each moment of an incident, not
// only at the moments someone looked.
//
// Why netlink events and not a sample of the table: the events arrive anyway (the listener
// parses every one to count changes), so following them costs a hash lookup per event, and a
// change is seen when it happens. A dump per second would walk the whole table (100k entries
// on a big host) for a handful of addresses. The filter, the IPv4 addresses with a timeline,
// is copied from the pipeline at most once a second, so the pipeline lock is taken only for
// the events of those addresses (and for that refresh). What the events cannot tell, the entry
// as it stood before its first change, the status page adds from the table it reads anyway.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>

#include "collectors/neighbor_events.h"
#include "collectors/shared_pipeline.h"

namespace arp {

class TroubleNeighborFeed final : public NeighborEventSink {
 public:
  explicit TroubleNeighborFeed(SharedPipeline& pipeline) : pipeline_(pipeline) {}

  // Called only on the listener's thread: the filter needs no lock of its own.
  void neighbor_event(const NeighborEntry& entry, bool deleted) override;

 private:
  SharedPipeline& pipeline_;
  std::set<IpAddress> watched_;  // untagged addresses with a timeline
  std::chrono::steady_clock::time_point refreshed_;
};

// The mark a neighbour entry leaves on a timeline: a deleted entry points nowhere.
NeighborMark neighbor_mark(const NeighborEntry& entry, bool deleted = false);

}  // namespace arp
