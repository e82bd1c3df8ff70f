// The core never reads a clock: callers pass the time of each event (capture timestamps when
// reading a file, the wall clock when live, a fake clock in tests).
#pragma once

#include <chrono>

namespace arp {

using Timestamp = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

}  // namespace arp
