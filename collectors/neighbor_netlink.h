// Reads the kernel's neighbour tables over rtnetlink with libnl: entries (RTM_GETNEIGH), table
// limits and statistics (RTM_GETNEIGHTBL), and change events (RTNLGRP_NEIGH).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "collectors/netlink_dump.h"
#include "core/neighbor.h"

struct nl_sock;
struct nlmsghdr;
struct nl_msg;

namespace arp {

// Parses one RTM_NEWNEIGH/RTM_DELNEIGH message; nullopt for other families (bridge FDB),
// proxy entries, or a message whose attributes are missing or of the wrong size.
std::optional<NeighborEntry> parse_neighbor_message(const nlmsghdr* header);

// Calls `visit` for every IPv4 and IPv6 neighbour entry, without allocating per entry.
// Throws std::runtime_error("neighbour dump: ...") on a netlink error.
DumpResult dump_neighbors(nl_sock* socket, const std::function<void(const NeighborEntry&)>& visit);

// The arp_cache and ndisc_cache tables. Throws std::runtime_error on a netlink error.
std::vector<NeighborTableInfo> dump_neighbor_tables(nl_sock* socket);

}  // namespace arp
