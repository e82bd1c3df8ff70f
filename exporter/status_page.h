// The page at /: links, build info, the addresses in trouble right now, and for each of them
// the MAC this host's own neighbour table sends to.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "collectors/arp_collector.h"
#include "collectors/neighbor_source.h"
#include "core/vendor_registry.h"

namespace arp {

// This host's neighbour entries for the addresses on the page: (interface, IPv4) -> entry.
using HostEntries = std::map<NamedAddress, NeighborEntry>;

// Reads them from `source`; empty when the table cannot be read (the page still renders).
HostEntries host_entries_for(const ArpState& state, const NeighborSource& source);

std::string render_status_page(const ArpState& state, const HostEntries& here,
                               const VendorRegistry& vendors, std::string_view telemetry_path);

}  // namespace arp
