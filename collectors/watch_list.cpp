#include "collectors/watch_list.h"

#include <charconv>

namespace arp {

std::optional<std::string> WatchList::add(std::string_view text) {
  const std::string error = "\"" + std::string(text) + "\" is not an IP address or CIDR block";
  const auto slash = text.find('/');
  const auto address = parse_neighbor_address(text.substr(0, slash));
  if (!address) return error;
  Network network{.family = address->family,
                  .address = address->bytes,
                  .prefix_length = address->family == NeighborFamily::inet ? 32U : 128U};
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    unsigned length = 0;
    const auto [end, result] =
        std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || result != std::errc{} || end != digits.data() + digits.size() ||
        length > network.prefix_length) {
      return error;
    }
    network.prefix_length = length;
  }
  networks_.push_back(network);
  return std::nullopt;
}

bool WatchList::contains(const NeighborKey& key) const {
  for (const auto& network : networks_) {
    if (network.family != key.family) continue;
    unsigned bits = network.prefix_length;
    bool match = true;
    for (std::size_t i = 0; bits > 0 && match; ++i) {
      const unsigned take = bits >= 8 ? 8 : bits;
      const auto mask = static_cast<std::uint8_t>(0xffU << (8 - take));
      match = (network.address[i] & mask) == (key.address[i] & mask);
      bits -= take;
    }
    if (match) return true;
  }
  return false;
}

}  // namespace arp
