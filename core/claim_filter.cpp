#include "core/claim_filter.h"

#include <algorithm>
#include <string>

namespace arp {

Result<bool, std::string> ClaimFilter::add_rule(std::string_view rule) {
  if (const auto mac = MacAddress::parse(rule)) {
    ignore(*mac);
    return true;
  }
  if (const auto network = IpNetwork::parse(rule)) {
    ignore(*network);
    return true;
  }
  return Failure{"\"" + std::string(rule) + "\" is neither an IP address, a CIDR block nor a MAC"};
}

bool ClaimFilter::ignores(const ResolutionFrame& frame) const {
  if (empty()) return false;
  if (std::find(macs_.begin(), macs_.end(), frame.sender_mac) != macs_.end()) return true;
  return ignores(frame.kind == FrameKind::probe ? frame.target_ip : frame.sender_ip);
}

bool ClaimFilter::ignores(const IpAddress& address) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const IpNetwork& network) { return network.contains(address); });
}

}  // namespace arp
