// Text as the status page prints it: escaped for HTML, times in UTC.
#pragma once

#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace arp {

// Safe in element content and in double-quoted attribute values.
std::string escape_html(std::string_view text);
std::string utc_time(Timestamp time);   // 2024-05-01 12:00:00 UTC
std::string utc_clock(Timestamp time);  // 12:00:00

}  // namespace arp
