// Where the neighbour collector reads what the kernel holds: netlink in the exporter, a fixed
// table in tests (so that a failing dump or a vanishing interface can be shown on demand).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "collectors/neighbor_netlink.h"
#include "core/neighbor.h"

namespace arp {

using InterfaceNames = std::map<int, std::string>;  // ifindex -> name

class NeighborSource {
 public:
  virtual ~NeighborSource() = default;

  // The interfaces of this network namespace now.
  virtual InterfaceNames interfaces() const = 0;
  // Calls `visit` for every IPv4 and IPv6 entry. Throws std::runtime_error with context.
  virtual DumpResult neighbors(const std::function<void(const NeighborEntry&)>& visit) const = 0;
  // The arp_cache and ndisc_cache tables. Throws std::runtime_error with context.
  virtual std::vector<NeighborTableInfo> tables() const = 0;
};

// The kernel's tables over rtnetlink: a fresh socket for every read, so that nothing a failed
// read left behind can confuse the next scrape.
class NetlinkNeighborSource final : public NeighborSource {
 public:
  InterfaceNames interfaces() const override;
  DumpResult neighbors(const std::function<void(const NeighborEntry&)>& visit) const override;
  std::vector<NeighborTableInfo> tables() const override;
};

}  // namespace arp
