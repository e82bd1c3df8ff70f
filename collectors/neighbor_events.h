// Follows RTNLGRP_NEIGH on its own thread and counts link-layer address changes and
// transitions to FAILED. A socket overrun (ENOBUFS) is counted and followed by a dump that
// resynchronises (again every second while dumps fail), so lost events lose no changes.
#pragma once

#include <mutex>

#include "collectors/logger.h"
#include "collectors/neighbor_netlink.h"
#include "collectors/netlink_events.h"

namespace arp {

struct NeighborEventCounts {
  std::vector<std::pair<NeighborChangeCounter::InterfaceFamily, NeighborChangeCounter::Counts>>
      changes;
  std::uint64_t overruns = 0;
  int receive_buffer_bytes = 0;  // what the kernel granted the event socket
};

// Told of every neighbour event, on the listener's thread and outside its lock. It must be
// quick: a busy host has thousands of events a second.
class NeighborEventSink {
 public:
  NeighborEventSink() = default;
  NeighborEventSink(const NeighborEventSink&) = delete;
  NeighborEventSink& operator=(const NeighborEventSink&) = delete;
  virtual ~NeighborEventSink() = default;
  virtual void neighbor_event(const NeighborEntry& entry, bool deleted) = 0;
};

class NeighborEventListener {
 public:
  // Throws std::runtime_error when the netlink socket cannot be set up or the first dump fails.
  // `sink` (not owned, may be null) must outlive the listener.
  NeighborEventListener(Logger& logger, std::size_t max_entries, int receive_buffer_bytes,
                        NeighborEventSink* sink = nullptr);
  NeighborEventListener(const NeighborEventListener&) = delete;
  NeighborEventListener& operator=(const NeighborEventListener&) = delete;
  ~NeighborEventListener() = default;

  NeighborEventCounts counts() const;

 private:
  void resynchronise();
  static int on_message(nl_msg* message, void* self);

  Logger& logger_;
  NlSocket events_;
  NlSocket dump_;
  mutable std::mutex mutex_;
  NeighborChangeCounter counter_;
  int receive_buffer_bytes_ = 0;
  NeighborEventSink* sink_;
  NetlinkEventLoop loop_;  // last: its thread stops before anything it reads goes
};

}  // namespace arp
