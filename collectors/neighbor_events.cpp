#include "collectors/neighbor_events.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <string>

namespace arp {

NeighborEventListener::NeighborEventListener(Logger& logger, std::size_t max_entries,
                                             int receive_buffer_bytes, NeighborEventSink* sink)
    : logger_(logger),
      events_(subscribe_route_events({RTNLGRP_NEIGH}, receive_buffer_bytes, on_message, this,
                                     "neighbour events")),
      dump_(connect_route_socket()),
      counter_(max_entries),
      receive_buffer_bytes_(granted_receive_buffer_bytes(events_.get())),
      sink_(sink),
      loop_(events_.get(), "neighbour", logger, [this] {
        resynchronise();
        return true;
      }) {
  if (receive_buffer_bytes_ < receive_buffer_bytes) {
    logger_.warn("neighbour event buffer smaller than asked",
                 {{"requested_bytes", std::to_string(receive_buffer_bytes)},
                  {"granted_bytes", std::to_string(receive_buffer_bytes_)},
                  {"hint", "raise net.core.rmem_max, or grant CAP_NET_ADMIN"}});
  }
  // Subscribed first, then the baseline dump: nothing can slip between the two.
  resynchronise();
  loop_.start(false);
}

int NeighborEventListener::on_message(nl_msg* message, void* self) {
  auto* listener = static_cast<NeighborEventListener*>(self);
  const nlmsghdr* header = nlmsg_hdr(message);
  if (const auto entry = parse_neighbor_message(header)) {
    const bool deleted = header->nlmsg_type == RTM_DELNEIGH;
    {
      const std::lock_guard lock(listener->mutex_);
      listener->counter_.apply(*entry, deleted);
    }
    // Outside the lock: the sink takes locks of its own, and a scrape must not wait on them.
    if (listener->sink_ != nullptr) listener->sink_->neighbor_event(*entry, deleted);
  }
  return NL_OK;
}

void NeighborEventListener::resynchronise() {
  // Fed straight from the dump, under the lock: a scrape waits for one dump at most (only at
  // start-up and after an overrun), and the table is never copied.
  const std::lock_guard lock(mutex_);
  counter_.begin_dump();
  // A dump cut short by an error throws past end_dump(): nothing is forgotten on its account,
  // and the next attempt begins the dump afresh.
  dump_neighbors(dump_.get(), [&](const NeighborEntry& entry) { counter_.dumped(entry); });
  counter_.end_dump();
}

NeighborEventCounts NeighborEventListener::counts() const {
  const std::lock_guard lock(mutex_);
  return {.changes = counter_.counts(),
          .overruns = loop_.overruns(),
          .receive_buffer_bytes = receive_buffer_bytes_};
}

}  // namespace arp
