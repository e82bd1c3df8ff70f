#include "core/duration.h"

#include <charconv>
#include <cstdint>

namespace arp {

std::optional<Duration> parse_duration(std::string_view text) {
  using namespace std::chrono;
  if (text.empty()) return std::nullopt;
  Duration total{};
  while (!text.empty()) {
    std::uint64_t amount = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (error != std::errc{} || end == text.data() || amount > 1'000'000'000ULL) {
      return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    const auto unit_length = text.find_first_of("0123456789");
    const auto unit = text.substr(0, unit_length);
    text.remove_prefix(unit.size());
    const auto count = static_cast<std::int64_t>(amount);
    if (unit == "ms")
      total += milliseconds(count);
    else if (unit == "s")
      total += seconds(count);
    else if (unit == "m")
      total += minutes(count);
    else if (unit == "h")
      total += hours(count);
    else if (unit == "d")
      total += hours(24 * count);
    else
      return std::nullopt;
  }
  return total;
}

}  // namespace arp
