// Keeps a line that is logged per frame from flooding the log when frames flood in: a MAC
// flood on one address would otherwise write one line per frame. A token bucket lets a burst
// through and then a steady rate; what it holds back is counted, and the next line let
// through says how many were suppressed.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

namespace arp {

class LogBudget {
 public:
  using Clock = std::chrono::steady_clock;

  LogBudget(double lines_per_second, double burst)
      : rate_(lines_per_second), burst_(burst), tokens_(burst) {}

  // nullopt: stay quiet. Otherwise log, mentioning the returned number of lines suppressed
  // since the last one let through (0 when none).
  std::optional<std::uint64_t> take(Clock::time_point now) {
    if (last_) {
      const std::chrono::duration<double> elapsed = now - *last_;
      tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed.count()) * rate_);
    }
    last_ = now;
    if (tokens_ < 1.0) {
      ++suppressed_;
      return std::nullopt;
    }
    tokens_ -= 1.0;
    return std::exchange(suppressed_, 0);
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::optional<Clock::time_point> last_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace arp
