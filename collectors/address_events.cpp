#include "collectors/address_events.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <string>

#include "collectors/address_netlink.h"

namespace arp {
namespace {

// Address events are few (a host's own addresses change rarely); this absorbs a burst such as
// a few thousand addresses added by a script. Within net.core.rmem_max's default.
constexpr int kReceiveBufferBytes = 200 * 1024;
// Dumps begun again because the kernel marked them inconsistent (an address list that changed
// under the dump can skip an address that did not change, and no event would bring it back).
constexpr int kDumpAttempts = 3;

}  // namespace

AddressEventListener::AddressEventListener(Logger& logger, std::size_t max_addresses)
    : logger_(logger),
      max_addresses_(max_addresses),
      events_(subscribe_route_events({RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR},
                                     kReceiveBufferBytes, on_message, this, "address events")),
      dump_(connect_route_socket()),
      table_(max_addresses),
      loop_(events_.get(), "address", logger, [this] { return resynchronise(); }) {
  // Subscribed first, then the baseline dump: nothing can slip between the two. Each event
  // carries the address's whole state, so one queued during the dump and applied after it
  // still leaves the latest state.
  loop_.start(!loop_.resynchronise_now());
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
// throws and leaves the table as it was (the loop reports it unsynchronised until a dump
// succeeds).
//
// A dump the kernel marks inconsistent on every attempt is used, and retried a second later:
// one taken while an interface with many addresses was torn down can still list addresses
// whose deletion events the overrun dropped (the kernel frees them after the dump walked
// past), and nothing else would ever remove them: stale, they would fill the table and hide
// the next real DAD failure.
bool AddressEventListener::resynchronise() {
  DadTable dumped(max_addresses_);
  bool consistent = false;
  for (int attempt = 0; attempt < kDumpAttempts && !consistent; ++attempt) {
    dumped = DadTable(max_addresses_);
    consistent = !dump_addresses(dump_.get(), [&](const AddressMessage& address) {
                    dumped.apply(address.key, address.flags, address.deleted);
                  }).interrupted;
  }
  if (!consistent && !inconsistent_) {
    logger_.warn("address dump inconsistent (NLM_F_DUMP_INTR), retrying every second",
                 {{"attempts", std::to_string(kDumpAttempts)}});
  }
  inconsistent_ = !consistent;
  const std::lock_guard lock(mutex_);
  // Even an inconsistent dump is nearer the truth than the table it replaces, which missed the
  // events that the overrun dropped.
  table_.adopt(std::move(dumped));
  return consistent;
}

DadSnapshot AddressEventListener::snapshot() const {
  const std::lock_guard lock(mutex_);
  return {.addresses = table_.entries(),
          .overruns = loop_.overruns(),
          .overflows = table_.overflows(),
          .synchronised = loop_.synchronised()};
}

}  // namespace arp
