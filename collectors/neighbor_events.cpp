#include "collectors/neighbor_events.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <poll.h>
#include <sys/socket.h>

#include <stdexcept>

namespace arp {
namespace {

constexpr int kPollMilliseconds = 200;  // how soon the thread notices it should stop

// SO_RCVBUF is silently capped at net.core.rmem_max (about 208 KiB by default), far below what
// a burst of neighbour events needs; SO_RCVBUFFORCE is not, where CAP_NET_ADMIN allows it.
// Returns the size the kernel granted (it reports twice what it accounts for: halved here).
int force_receive_buffer(int fd, int bytes) {
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes);
  int granted = 0;
  socklen_t length = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length) != 0) return 0;
  return granted / 2;
}

}  // namespace

NeighborEventListener::NeighborEventListener(Logger& logger, std::size_t max_entries,
                                             int receive_buffer_bytes, NeighborEventSink* sink)
    : logger_(logger), dump_(connect_route_socket()), counter_(max_entries), sink_(sink) {
  events_.reset(nl_socket_alloc());
  if (!events_) throw std::runtime_error("netlink: cannot allocate a socket");
  nl_socket_disable_seq_check(events_.get());  // multicast events carry no request sequence
  nl_socket_modify_cb(events_.get(), NL_CB_VALID, NL_CB_CUSTOM, on_message, this);
  int error = nl_connect(events_.get(), NETLINK_ROUTE);
  if (error >= 0) error = nl_socket_add_membership(events_.get(), RTNLGRP_NEIGH);
  if (error >= 0) error = nl_socket_set_buffer_size(events_.get(), receive_buffer_bytes, 0);
  if (error >= 0) error = nl_socket_set_nonblocking(events_.get());
  if (error < 0) {
    throw std::runtime_error(std::string("neighbour events: ") + nl_geterror(error));
  }
  receive_buffer_bytes_ =
      force_receive_buffer(nl_socket_get_fd(events_.get()), receive_buffer_bytes);
  if (receive_buffer_bytes_ < receive_buffer_bytes) {
    logger_.warn("neighbour event buffer smaller than asked",
                 {{"requested_bytes", std::to_string(receive_buffer_bytes)},
                  {"granted_bytes", std::to_string(receive_buffer_bytes_)},
                  {"hint", "raise net.core.rmem_max, or grant CAP_NET_ADMIN"}});
  }
  // Subscribed first, then the baseline dump: nothing can slip between the two.
  resynchronise();
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

NeighborEventListener::~NeighborEventListener() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
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
  // A dump cut short by an error throws past end_dump(): nothing is forgotten on its account.
  dump_neighbors(dump_.get(), [&](const NeighborEntry& entry) { counter_.dumped(entry); });
  counter_.end_dump();
}

void NeighborEventListener::run(const std::stop_token& stop) {
  pollfd descriptor{.fd = nl_socket_get_fd(events_.get()), .events = POLLIN, .revents = 0};
  while (!stop.stop_requested()) {
    if (poll(&descriptor, 1, kPollMilliseconds) <= 0) continue;
    const int error = nl_recvmsgs_default(events_.get());
    if (error >= 0 || error == -NLE_AGAIN) continue;
    if (error == -NLE_NOMEM) {  // libnl's name for ENOBUFS: the kernel dropped events
      {
        const std::lock_guard lock(mutex_);
        ++overruns_;
      }
      logger_.warn("neighbour event socket overrun, resynchronising");
    } else {
      logger_.warn("neighbour events", {{"err", nl_geterror(error)}});
    }
    try {
      resynchronise();
    } catch (const std::exception& failure) {
      logger_.error("neighbour resynchronisation failed", {{"err", failure.what()}});
    }
  }
}

NeighborEventCounts NeighborEventListener::counts() const {
  const std::lock_guard lock(mutex_);
  return {.changes = counter_.counts(),
          .overruns = overruns_,
          .receive_buffer_bytes = receive_buffer_bytes_};
}

}  // namespace arp
