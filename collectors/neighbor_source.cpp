#include "collectors/neighbor_source.h"

#include <net/if.h>

#include <memory>

namespace arp {

InterfaceNames NetlinkNeighborSource::interfaces() const {
  InterfaceNames names;
  const std::unique_ptr<struct if_nameindex, decltype(&if_freenameindex)> list(if_nameindex(),
                                                                               &if_freenameindex);
  if (!list) return names;
  for (const auto* item = list.get(); item->if_index != 0; ++item) {
    names.emplace(static_cast<int>(item->if_index), item->if_name);
  }
  return names;
}

DumpResult NetlinkNeighborSource::neighbors(
    const std::function<void(const NeighborEntry&)>& visit) const {
  const auto socket = connect_route_socket();
  return dump_neighbors(socket.get(), visit);
}

std::vector<NeighborTableInfo> NetlinkNeighborSource::tables() const {
  const auto socket = connect_route_socket();
  return dump_neighbor_tables(socket.get());
}

}  // namespace arp
