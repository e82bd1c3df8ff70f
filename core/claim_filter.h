// Addresses that legitimately share an IP (VRRP/CARP virtual MACs, bonding, anycast
// gateways): frames matching an ignore rule are counted but never tracked.
#pragma once

#include <string_view>
#include <vector>

#include "core/resolution_frame.h"
#include "core/result.h"

namespace arp {

class ClaimFilter {
 public:
  // Accepts an IP address or CIDR block of either family, or a MAC address; says why when it
  // can't.
  Result<bool, std::string> add_rule(std::string_view rule);
  void ignore(IpNetwork network) { networks_.push_back(network); }
  void ignore(MacAddress mac) { macs_.push_back(mac); }

  // A frame is ignored when its sender MAC is listed, or when the address it claims (the
  // sender IP, or for a probe the target IP) is inside a listed network.
  bool ignores(const ResolutionFrame& frame) const;
  // Whether claims for `address` are ignored whoever makes them: such an address is never probed.
  bool ignores(const IpAddress& address) const;
  bool empty() const { return networks_.empty() && macs_.empty(); }

  // The same rules in the same order: a reload that leaves the ignore list alone changes nothing.
  friend bool operator==(const ClaimFilter&, const ClaimFilter&) = default;

 private:
  std::vector<IpNetwork> networks_;
  std::vector<MacAddress> macs_;
};

}  // namespace arp
