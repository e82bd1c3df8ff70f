// `arp_health_exporter check IP`: the one command the incident's operator lacked. Sends a few
// RFC 5227 probes (IPv4) or DAD Neighbor Solicitations (IPv6) for the address and prints every
// MAC that answers (with vendor, replies and reply times) and this host's neighbour entry for
// it.
#pragma once

#include <iosfwd>

#include "core/vendor_registry.h"
#include "exporter/config.h"

namespace arp {

// Exit codes: 0 exactly one MAC answered, 1 two or more (a conflict), 3 nobody, 2 an error
// (one line on `err`).
inline constexpr int kCheckOneMac = 0;
inline constexpr int kCheckConflict = 1;
inline constexpr int kCheckError = 2;
inline constexpr int kCheckNoAnswer = 3;

int run_check(const ExporterConfig& config, const VendorRegistry& vendors, std::ostream& out,
              std::ostream& err);

}  // namespace arp
