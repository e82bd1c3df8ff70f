// One log line when an address becomes contested, when a conflict is resolved, and for the
// lesser verdicts (a move, a single flap): IP, every MAC with its vendor, interface, VLAN.
#pragma once

#include "collectors/log_budget.h"
#include "collectors/logger.h"
#include "core/claim_tracker.h"
#include "core/vendor_registry.h"

namespace arp {

class VerdictLog : public VerdictObserver {
 public:
  VerdictLog(const ClaimTracker& tracker, const VendorRegistry& vendors, Logger& logger)
      : tracker_(tracker), vendors_(vendors), logger_(logger) {}

  void verdict_changed(const AddressReport& address, AddressState previous, Timestamp now) override;

 private:
  const ClaimTracker& tracker_;  // for interface names only
  const VendorRegistry& vendors_;
  Logger& logger_;
  // A real incident is a handful of lines; a hostile host making thousands of addresses
  // change hands must not make a line each (the next line let through counts the rest).
  LogBudget budget_{5.0, 50.0};
};

// "00:1b:21:0a:00:0a (Intel Corporate)"
std::string mac_with_vendor(const MacAddress& mac, const VendorRegistry& vendors);
// "00:1b:21:0a:00:0a (Intel Corporate), 00:50:56:0b:00:0b (VMware, Inc.)"
std::string describe_macs(const std::vector<Claimant>& claimants, const VendorRegistry& vendors);

}  // namespace arp
