#include "collectors/address_events.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <poll.h>

#include <stdexcept>
#include <string>

#include "collectors/address_netlink.h"

namespace arp {
namespace {

constexpr int kPollMilliseconds = 200;  // how soon the thread notices it should stop
// Address events are few (a host's own addresses change rarely); this absorbs a burst such as
// a few thousand addresses added by a script. Within net.core.rmem_max's default.
constexpr int kReceiveBufferBytes = 200 * 1024;
// Dumps begun again because the kernel marked them inconsistent (an address list that changed
// under the dump can skip an address that did not change, and no event would bring it back).
constexpr int kDumpAttempts = 3;
constexpr auto kRetryInterval = std::chrono::seconds(1);

}  // namespace

AddressEventListener::AddressEventListener(Logger& logger, std::size_t max_addresses)
    : logger_(logger),
      max_addresses_(max_addresses),
      dump_(connect_route_socket()),
      table_(max_addresses) {
  events_.reset(nl_socket_alloc());
  if (!events_) throw std::runtime_error("address events: cannot allocate a socket");
  nl_socket_disable_seq_check(events_.get());  // multicast events carry no request sequence
  nl_socket_modify_cb(events_.get(), NL_CB_VALID, NL_CB_CUSTOM, on_message, this);
  int error = nl_connect(events_.get(), NETLINK_ROUTE);
  if (error >= 0) error = nl_socket_add_membership(events_.get(), RTNLGRP_IPV4_IFADDR);
  if (error >= 0) error = nl_socket_add_membership(events_.get(), RTNLGRP_IPV6_IFADDR);
  if (error >= 0) error = nl_socket_set_buffer_size(events_.get(), kReceiveBufferBytes, 0);
  if (error >= 0) error = nl_socket_set_nonblocking(events_.get());
  if (error < 0) throw std::runtime_error(std::string("address events: ") + nl_geterror(error));
  // Subscribed first, then the baseline dump: nothing can slip between the two. Each event
  // carries the address's whole state, so one queued during the dump and applied after it
  // still leaves the latest state.
  resync_due_ = !try_resynchronise();
  retry_at_ = std::chrono::steady_clock::now() + kRetryInterval;
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

AddressEventListener::~AddressEventListener() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

int AddressEventListener::on_message(nl_msg* message, void* self) {
  auto* listener = static_cast<AddressEventListener*>(self);
  if (const auto address = parse_address_message(nlmsg_hdr(message))) {
    const std::lock_guard lock(listener->mutex_);
    listener->table_.apply(address->key, address->flags, address->deleted);
  }
  return NL_OK;
}

// Built apart and swapped in: a scrape never waits for a dump, and a dump that fails half-way
// leaves the table as it was. Returns false when every attempt was marked inconsistent.
bool AddressEventListener::resynchronise() {
  DadTable dumped(max_addresses_);
  bool consistent = false;
  for (int attempt = 0; attempt < kDumpAttempts && !consistent; ++attempt) {
    dumped = DadTable(max_addresses_);
    consistent = !dump_addresses(dump_.get(), [&](const AddressMessage& address) {
                    dumped.apply(address.key, address.flags, address.deleted);
                  }).interrupted;
  }
  const std::lock_guard lock(mutex_);
  // Even an inconsistent dump is nearer the truth than the table it replaces, which missed the
  // events that the overrun dropped.
  table_.adopt(std::move(dumped));
  synchronised_ = true;
  return consistent;
}

// An inconsistent dump is retried too: one taken while an interface with many addresses was
// torn down can still list addresses whose deletion events the overrun dropped (the kernel
// frees them after the dump walked past), and nothing else would ever remove them: stale,
// they would fill the table and hide the next real DAD failure.
bool AddressEventListener::try_resynchronise() {
  try {
    const bool consistent = resynchronise();
    if (!consistent && !inconsistent_) {
      logger_.warn("address dump inconsistent (NLM_F_DUMP_INTR), retrying every second",
                   {{"attempts", std::to_string(kDumpAttempts)}});
    }
    inconsistent_ = !consistent;
    return consistent;
  } catch (const std::exception& failure) {
    {
      const std::lock_guard lock(mutex_);
      if (!synchronised_) return false;  // logged when the failures began
      synchronised_ = false;
    }
    logger_.error("address resynchronisation failed, retrying every second",
                  {{"err", failure.what()}});
    return false;
  }
}

void AddressEventListener::run(const std::stop_token& stop) {
  pollfd descriptor{.fd = nl_socket_get_fd(events_.get()), .events = POLLIN, .revents = 0};
  while (!stop.stop_requested()) {
    if (resync_due_ && std::chrono::steady_clock::now() >= retry_at_) {
      resync_due_ = !try_resynchronise();
      retry_at_ = std::chrono::steady_clock::now() + kRetryInterval;
    }
    if (poll(&descriptor, 1, kPollMilliseconds) <= 0) continue;
    const int error = nl_recvmsgs_default(events_.get());
    if (error >= 0 || error == -NLE_AGAIN) continue;
    if (error == -NLE_NOMEM) {  // libnl's name for ENOBUFS: the kernel dropped events
      {
        const std::lock_guard lock(mutex_);
        ++overruns_;
      }
      logger_.warn("address event socket overrun, resynchronising");
    } else {
      logger_.warn("address events", {{"err", nl_geterror(error)}});
    }
    resync_due_ = true;
    retry_at_ = {};  // now
  }
}

DadSnapshot AddressEventListener::snapshot() const {
  const std::lock_guard lock(mutex_);
  return {.addresses = table_.entries(),
          .overruns = overruns_,
          .overflows = table_.overflows(),
          .synchronised = synchronised_};
}

}  // namespace arp
