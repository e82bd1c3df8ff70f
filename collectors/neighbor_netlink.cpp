#include "collectors/neighbor_netlink.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace arp {
namespace {

// linux/neighbour.h of Linux 6.16; Debian 12's headers predate it.
constexpr std::uint32_t kNtfExtExtValidated = 1U << 2U;

std::optional<NeighborFamily> family_of(int family) {
  if (family == AF_INET) return NeighborFamily::inet;
  if (family == AF_INET6) return NeighborFamily::inet6;
  return std::nullopt;
}

}  // namespace

std::optional<NeighborEntry> parse_neighbor_message(const nlmsghdr* header) {
  if (header->nlmsg_type != RTM_NEWNEIGH && header->nlmsg_type != RTM_DELNEIGH) return std::nullopt;
  std::array<nlattr*, NDA_MAX + 1> attributes{};
  // nlmsg_parse checks that the header and every attribute fit inside the message.
  if (nlmsg_parse(const_cast<nlmsghdr*>(header), sizeof(ndmsg), attributes.data(), NDA_MAX,
                  nullptr) < 0) {
    return std::nullopt;
  }
  ndmsg neighbor{};
  std::memcpy(&neighbor, nlmsg_data(header), sizeof neighbor);
  const auto family = family_of(neighbor.ndm_family);
  if (!family || (neighbor.ndm_flags & NTF_PROXY) != 0) return std::nullopt;

  NeighborEntry entry;
  entry.key.ifindex = neighbor.ndm_ifindex;
  entry.key.family = *family;
  entry.state = nud_state_from_kernel(neighbor.ndm_state);
  const auto* destination = attributes[NDA_DST];
  const int expected = *family == NeighborFamily::inet ? 4 : 16;
  if (destination == nullptr || nla_len(destination) != expected) return std::nullopt;
  std::memcpy(entry.key.address.data(), nla_data(destination), static_cast<std::size_t>(expected));
  // Exempt from the kernel's garbage collection, and so from gc_thresh (neigh_update_gc_list):
  // externally learned entries, and since Linux 6.16 externally validated ones.
  const auto flags_ext = read_attribute<std::uint32_t>(attributes[NDA_FLAGS_EXT]).value_or(0);
  entry.externally_managed =
      (neighbor.ndm_flags & NTF_EXT_LEARNED) != 0 || (flags_ext & kNtfExtExtValidated) != 0;
  const auto* lladdr = attributes[NDA_LLADDR];
  if (lladdr != nullptr && nla_len(lladdr) == 6) {
    MacAddress::Bytes bytes{};
    std::memcpy(bytes.data(), nla_data(lladdr), bytes.size());
    entry.lladdr = MacAddress(bytes);
  }
  return entry;
}

DumpResult dump_neighbors(nl_sock* socket, const std::function<void(const NeighborEntry&)>& visit) {
  DumpResult result;
  const std::function<void(const nlmsghdr*)> handle = [&](const nlmsghdr* header) {
    if (const auto entry = parse_neighbor_message(header)) visit(*entry);
  };
  // One family at a time: an AF_UNSPEC dump would also walk every bridge's FDB.
  for (const int family : {AF_INET, AF_INET6}) {
    ndmsg request{};
    request.ndm_family = static_cast<std::uint8_t>(family);
    result.interrupted |=
        dump_route(socket, RTM_GETNEIGH, request, "neighbour dump", handle).interrupted;
  }
  return result;
}

std::vector<NeighborTableInfo> dump_neighbor_tables(nl_sock* socket) {
  std::vector<NeighborTableInfo> tables;
  const std::function<void(const nlmsghdr*)> handle = [&](const nlmsghdr* header) {
    std::array<nlattr*, NDTA_MAX + 1> attributes{};
    if (header->nlmsg_type != RTM_NEWNEIGHTBL ||
        nlmsg_parse(const_cast<nlmsghdr*>(header), sizeof(ndtmsg), attributes.data(), NDTA_MAX,
                    nullptr) < 0) {
      return;
    }
    ndtmsg message{};
    std::memcpy(&message, nlmsg_data(header), sizeof message);
    const auto family = family_of(message.ndtm_family);
    const auto thresh1 = read_attribute<std::uint32_t>(attributes[NDTA_THRESH1]);
    // Per-device parameter messages carry no thresholds: only the table's own message counts.
    if (!family || !thresh1) return;
    NeighborTableInfo table{.family = *family, .gc_thresh1 = *thresh1};
    table.gc_thresh2 = read_attribute<std::uint32_t>(attributes[NDTA_THRESH2]).value_or(0);
    table.gc_thresh3 = read_attribute<std::uint32_t>(attributes[NDTA_THRESH3]).value_or(0);
    if (const auto config = read_attribute<ndt_config>(attributes[NDTA_CONFIG])) {
      table.entries = config->ndtc_entries;
    }
    // Older kernels send a shorter ndt_stats (no table_fulls): copy what is there.
    if (const auto* stats = attributes[NDTA_STATS]; stats != nullptr) {
      ndt_stats kernel{};
      std::memcpy(&kernel, nla_data(stats),
                  std::min(sizeof kernel, static_cast<std::size_t>(std::max(nla_len(stats), 0))));
      table.statistics = {
          kernel.ndts_allocs,           kernel.ndts_destroys,         kernel.ndts_hash_grows,
          kernel.ndts_res_failed,       kernel.ndts_lookups,          kernel.ndts_hits,
          kernel.ndts_rcv_probes_mcast, kernel.ndts_rcv_probes_ucast, kernel.ndts_periodic_gc_runs,
          kernel.ndts_forced_gc_runs,   kernel.ndts_table_fulls};
    }
    // A dump that needs several reads repeats the table's own message each time it resumes
    // inside that table's per-device list (the kernel's neightbl_dump_info): keep one.
    const auto known = std::find_if(tables.begin(), tables.end(),
                                    [&](const auto& seen) { return seen.family == table.family; });
    if (known == tables.end()) {
      tables.push_back(table);
    } else {
      *known = table;
    }
  };
  ndtmsg request{};
  request.ndtm_family = AF_UNSPEC;
  dump_route(socket, RTM_GETNEIGHTBL, request, "neighbour table dump", handle);
  return tables;
}

}  // namespace arp
