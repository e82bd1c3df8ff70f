#include "collectors/verdict_log.h"

namespace arp {

std::string mac_with_vendor(const MacAddress& mac, const VendorRegistry& vendors) {
  return mac.to_string() + " (" + std::string(vendors.lookup(mac)) + ")";
}

std::string describe_macs(const std::vector<Claimant>& claimants, const VendorRegistry& vendors) {
  std::string text;
  for (const auto& claimant : claimants) {
    if (!text.empty()) text += ", ";
    text += mac_with_vendor(claimant.mac, vendors);
  }
  return text;
}

void VerdictLog::verdict_changed(const AddressReport& address, AddressState previous,
                                 Timestamp /*now*/) {
  if (address.state == previous) return;  // claims changed hands; the verdict did not
  const auto message = [&]() -> std::string_view {
    switch (address.state) {
      case AddressState::contested:
        return "address contested";
      case AddressState::flapped:
        return previous == AddressState::contested ? "conflict resolved" : "address flapped once";
      case AddressState::moved:
        return previous == AddressState::contested ? "conflict resolved" : "address moved";
      case AddressState::stable:
        return previous == AddressState::contested ? "conflict resolved" : "address settled";
    }
    return "verdict changed";
  }();
  const auto level = address.state == AddressState::contested ? LogLevel::warn
                     : previous == AddressState::contested    ? LogLevel::info
                     : address.state == AddressState::stable  ? LogLevel::debug
                                                              : LogLevel::info;
  if (!logger_.enabled(level)) return;
  const auto suppressed = budget_.take(LogBudget::Clock::now());
  if (!suppressed) return;
  LogFields fields{{"interface", std::string(tracker_.interface_name(address.key.interface))},
                   {"vlan", address.key.vlan.to_string()},
                   {"ip", address.key.ip.to_string()},
                   {"macs", describe_macs(address.claimants, vendors_)},
                   {"verdict", std::string(to_string(address.state))},
                   {"previous", std::string(to_string(previous))},
                   {"evidence", address.verified ? "verified" : "passive"}};
  if (*suppressed > 0) fields.emplace_back("suppressed", std::to_string(*suppressed));
  logger_.log(level, message, fields);
}

}  // namespace arp
