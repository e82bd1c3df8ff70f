#include "core/host_identity.h"

#include <algorithm>

namespace arp {

void HostIdentity::update(const std::vector<HostAddress>& addresses, std::vector<MacAddress> macs,
                          Timestamp now) {
  std::vector<HeldAddress> next;
  next.reserve(addresses.size());
  for (const auto& address : addresses) {
    const auto known =
        std::find_if(addresses_.begin(), addresses_.end(),
                     [&](const HeldAddress& held) { return held.address == address; });
    next.push_back(
        {.address = address, .held_since = known != addresses_.end() ? known->held_since : now});
  }
  addresses_ = std::move(next);
  std::sort(macs.begin(), macs.end());
  macs.erase(std::unique(macs.begin(), macs.end()), macs.end());
  macs_ = std::move(macs);
}

bool HostIdentity::is_own(const MacAddress& mac) const {
  return std::binary_search(macs_.begin(), macs_.end(), mac);
}

std::vector<OwnAddressClaim> find_own_address_claims(const HostIdentity& host,
                                                     const ClaimTracker& tracker, Timestamp now) {
  std::vector<OwnAddressClaim> claims;
  for (const auto& [address, held_since] : host.addresses()) {
    const AddressKey key{address.ip, Vlan{}, address.interface};
    for (const auto& claimant : tracker.claimants(key, now)) {
      if (host.is_own(claimant.mac) || claimant.last_seen < held_since) continue;
      claims.push_back({.key = key, .claimant = claimant});
    }
  }
  return claims;
}

std::vector<OwnAddressMacs> find_own_address_macs(const HostIdentity& host,
                                                  const ClaimTracker& tracker,
                                                  std::size_t interfaces, Timestamp now) {
  std::vector<OwnAddressMacs> found;
  for (const auto& held : host.addresses()) {
    const auto ip = held.address.ip;
    // Linux answers Neighbor Discovery only on the interface that holds the address (there is
    // no IPv6 ARP flux), and fe80::1 on two links is two addresses: an IPv6 address is looked
    // for on its own interface only.
    const bool per_link = !ip.is_ipv4();
    const auto interface_held = held.address.interface;
    // One report per address (per address and link for IPv6), even when it is configured on
    // two interfaces.
    if (std::any_of(found.begin(), found.end(), [&](const auto& f) {
          return f.ip == ip && (!per_link || f.answering.front().first == interface_held);
        })) {
      continue;
    }
    OwnAddressMacs macs{.ip = ip, .answering = {}};
    for (std::size_t i = 0; i < interfaces; ++i) {
      const auto interface = static_cast<InterfaceIndex>(i);
      if (per_link && interface != interface_held) continue;
      for (const auto& claimant : tracker.claimants({ip, Vlan{}, interface}, now)) {
        const bool listed = std::any_of(macs.answering.begin(), macs.answering.end(),
                                        [&](const auto& a) { return a.second == claimant.mac; });
        if (host.is_own(claimant.mac) && !listed)
          macs.answering.emplace_back(interface, claimant.mac);
      }
    }
    if (macs.answering.size() >= 2) found.push_back(std::move(macs));
  }
  return found;
}

}  // namespace arp
