// This host as the sniffer must know it: its MACs, and its addresses with since when it holds
// each. "Since when" tells a thief from the previous holder of a virtual IP that just moved
// here: only claims made after this host held the address count against it.
#pragma once

#include <cstddef>
#include <vector>

#include "core/claim_tracker.h"

namespace arp {

struct HostAddress {
  InterfaceIndex interface = 0;
  IpAddress ip;

  friend bool operator==(const HostAddress&, const HostAddress&) = default;
};

struct HeldAddress {
  HostAddress address;
  Timestamp held_since;
};

// A MAC that is not this host's claims one of its addresses: "someone answers for my IP".
struct OwnAddressClaim {
  AddressKey key;
  Claimant claimant;
};

// This host answering for one of its addresses with several of its own MACs (ARP flux on a
// multi-homed host with arp_ignore=0, balance-alb bonding): notable, not a conflict.
struct OwnAddressMacs {
  IpAddress ip;
  std::vector<std::pair<InterfaceIndex, MacAddress>> answering;  // where each MAC was seen
};

class HostIdentity {
 public:
  // The host as of `now`; an address seen before keeps its held_since.
  void update(const std::vector<HostAddress>& addresses, std::vector<MacAddress> macs,
              Timestamp now);

  bool is_own(const MacAddress& mac) const;
  const std::vector<HeldAddress>& addresses() const { return addresses_; }
  const std::vector<MacAddress>& macs() const { return macs_; }

 private:
  std::vector<HeldAddress> addresses_;
  std::vector<MacAddress> macs_;  // sorted
};

// Linux answers ARP for any of its addresses on any interface, so every local MAC counts as
// this host's. Claims are looked for on the interface that holds the address; this host's own
// MACs answering for it on every interface the tracker knows (the first `interfaces`); for an
// IPv6 address only on the interface holding it, as Neighbor Discovery answers only there.
std::vector<OwnAddressClaim> find_own_address_claims(const HostIdentity& host,
                                                     const ClaimTracker& tracker, Timestamp now);
std::vector<OwnAddressMacs> find_own_address_macs(const HostIdentity& host,
                                                  const ClaimTracker& tracker,
                                                  std::size_t interfaces, Timestamp now);

}  // namespace arp
