// What the listeners of the kernel's netlink events (this host's addresses, its neighbour
// table) share: a socket subscribed to multicast groups, and the thread that reads it. When the
// kernel drops events (ENOBUFS: a burst overran the socket's buffer) or the socket fails, the
// thread counts an overrun and has the listener take its table again from a dump, and again
// every second until one succeeds: no later event would bring back what was lost.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <thread>

#include "collectors/logger.h"
#include "collectors/netlink_dump.h"

struct nl_msg;

namespace arp {

using NlMessageHandler = int (*)(nl_msg* message, void* argument);

// A non-blocking NETLINK_ROUTE socket subscribed to `groups` (RTNLGRP_*), whose every message
// libnl hands to `on_message(message, argument)`. Its receive buffer is `buffer_bytes`, set with
// SO_RCVBUFFORCE where CAP_NET_ADMIN allows it (SO_RCVBUF alone is capped, silently, at
// net.core.rmem_max: about 208 KiB by default). Throws std::runtime_error("<what>: ...").
NlSocket subscribe_route_events(std::initializer_list<int> groups, int buffer_bytes,
                                NlMessageHandler on_message, void* argument,
                                const std::string& what);

// What the kernel granted a socket's receive buffer, in the bytes it accounts for.
int granted_receive_buffer_bytes(nl_sock* socket);

class NetlinkEventLoop {
 public:
  // `resynchronise` takes the listener's table again from a dump: true when it is in step
  // with the kernel, false (the listener logs why) or an exception (logged here, once while
  // they last) to be called again a second later. `name` ("address", "neighbour") begins the
  // log lines. `events` is not owned and must outlive the loop.
  NetlinkEventLoop(nl_sock* events, std::string name, Logger& logger,
                   std::function<bool()> resynchronise);
  NetlinkEventLoop(const NetlinkEventLoop&) = delete;
  NetlinkEventLoop& operator=(const NetlinkEventLoop&) = delete;
  ~NetlinkEventLoop();

  // Calls `resynchronise` on the caller's thread; false when it must be retried.
  bool resynchronise_now();
  // Starts reading events, after the listener's first dump: an event that arrived during the
  // dump is applied after it, so the newest state wins. `resync_due`: that dump must be retried.
  void start(bool resync_due);

  // ENOBUFS on the socket, each followed by a resynchronising dump.
  std::uint64_t overruns() const { return overruns_.load(std::memory_order_relaxed); }
  // False while the last resynchronisation threw (it is retried every second): the listener's
  // table may miss what the lost events said.
  bool synchronised() const { return !failing_.load(std::memory_order_relaxed); }

 private:
  void run(const std::stop_token& stop);

  nl_sock* events_;
  std::string name_;
  Logger& logger_;
  std::function<bool()> resynchronise_;
  std::atomic<std::uint64_t> overruns_{0};
  std::atomic<bool> failing_{false};  // the last resynchronisation threw (logged once)
  // The loop's thread only, once started.
  bool resync_due_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
  std::jthread thread_;  // last: joined before anything it reads goes
};

}  // namespace arp
