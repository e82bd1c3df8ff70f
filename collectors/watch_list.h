// The addresses an operator cares about (--collector.neighbor.watch): IPv4 or IPv6 addresses
// and CIDR blocks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/neighbor.h"

namespace arp {

class WatchList {
 public:
  // Returns an error text for anything but an address or a CIDR block of either family.
  std::optional<std::string> add(std::string_view text);
  bool contains(const NeighborKey& key) const;
  bool empty() const { return networks_.empty(); }

  friend bool operator==(const WatchList&, const WatchList&) = default;

 private:
  struct Network {
    NeighborFamily family;
    std::array<std::uint8_t, 16> address;
    unsigned prefix_length;
    friend bool operator==(const Network&, const Network&) = default;
  };
  std::vector<Network> networks_;
};

}  // namespace arp
