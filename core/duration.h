// Durations as Prometheus writes them: "500ms", "30s", "5m", "1h30m".
#pragma once

#include <optional>
#include <string_view>

#include "core/timestamp.h"

namespace arp {

std::optional<Duration> parse_duration(std::string_view text);

}  // namespace arp
