// Follows this host's addresses on its own thread: one dump at start-up, then the kernel's
// address events (RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), so that an address whose DAD
// failed is seen the moment the kernel marks it, and nothing is dumped per scrape. A socket
// overrun (ENOBUFS) is counted and followed by a dump that resynchronises (again a second later
// while the kernel marks the dumps inconsistent).
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "collectors/dad_state.h"
#include "collectors/logger.h"
#include "collectors/netlink_dump.h"
#include "collectors/netlink_events.h"

struct nl_msg;

namespace arp {

struct DadSnapshot {
  std::vector<DadEntry> addresses;  // tentative or failed, in key order
  std::uint64_t overruns = 0;       // ENOBUFS on the event socket, each followed by a dump
  std::uint64_t overflows = 0;      // addresses in trouble not followed: the table was full
  // False while the last resynchronisation failed (it is retried every second): the table may
  // miss what the lost events said.
  bool synchronised = true;
};

class AddressEventListener {
 public:
  // Throws std::runtime_error when the netlink sockets cannot be set up. A first dump that fails
  // is logged and retried every second, the snapshot unsynchronised meanwhile. Follows at most
  // `max_addresses` addresses in DAD trouble.
  AddressEventListener(Logger& logger, std::size_t max_addresses);
  AddressEventListener(const AddressEventListener&) = delete;
  AddressEventListener& operator=(const AddressEventListener&) = delete;
  ~AddressEventListener() = default;

  DadSnapshot snapshot() const;

 private:
  bool resynchronise();
  static int on_message(nl_msg* message, void* self);

  Logger& logger_;
  std::size_t max_addresses_;
  NlSocket events_;
  NlSocket dump_;
  mutable std::mutex mutex_;
  DadTable table_;
  bool inconsistent_ = false;  // the last dump was marked inconsistent on every attempt
  NetlinkEventLoop loop_;      // last: its thread stops before anything it reads goes
};

}  // namespace arp
