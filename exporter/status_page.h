// The page at /: links, build info, and the addresses in trouble right now.
#pragma once

#include <string>
#include <string_view>

#include "collectors/arp_collector.h"
#include "core/vendor_registry.h"

namespace arp {

std::string render_status_page(const ArpState& state, const VendorRegistry& vendors,
                               std::string_view telemetry_path);

}  // namespace arp
