// One address in trouble, drawn as a timeline over the window: a lane per MAC with a mark at
// each time it took the address over, the verification rounds with who answered, and where
// this host's own neighbour entry pointed, with the verdict changes across all of them. Plain
// HTML and inline SVG: the page must work on an isolated network, so nothing is fetched.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/neighbor.h"
#include "core/trouble_timeline.h"
#include "core/vendor_registry.h"

namespace arp {

// `here_now`: this host's entry for the address as read for this page (none when unknown or
// tagged). Times are wall-clock; `now` is the right edge, and the axis reaches back at most
// `window`, to just before the first thing worth showing.
std::string render_timeline(const AddressTimeline& timeline, std::string_view interface,
                            const std::optional<NeighborMark>& here_now, Timestamp now,
                            Duration window, const VendorRegistry& vendors);

}  // namespace arp
