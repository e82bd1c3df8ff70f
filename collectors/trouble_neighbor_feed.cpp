#include "collectors/trouble_neighbor_feed.h"

#include <net/if.h>

#include <array>
#include <string>

namespace arp {
namespace {

// Soon enough that an address that just got into trouble is followed from its first seconds.
constexpr auto kRefreshInterval = std::chrono::seconds(1);

}  // namespace

NeighborMark neighbor_mark(const NeighborEntry& entry, bool deleted) {
  if (deleted) return {.mac = std::nullopt, .state = NudState::none};
  return {.mac = entry.lladdr, .state = entry.state};
}

void TroubleNeighborFeed::neighbor_event(const NeighborEntry& entry, bool deleted) {
  const auto now = std::chrono::steady_clock::now();
  if (now - refreshed_ >= kRefreshInterval) {
    refreshed_ = now;
    watched_.clear();
    pipeline_.with([&](ArpPipeline& p) {
      for (const auto& key : p.timeline_keys()) {
        // The host's table knows nothing of VLAN tags it does not terminate.
        if (!key.vlan.tagged()) watched_.insert(key.ip);
      }
    });
  }
  const auto ip = ip_of(entry.key);
  if (!watched_.contains(ip)) return;
  std::array<char, IF_NAMESIZE> name{};
  if (if_indextoname(static_cast<unsigned>(entry.key.ifindex), name.data()) == nullptr) return;
  const auto mark = neighbor_mark(entry, deleted);
  const auto at = pipeline_.now();
  pipeline_.with([&](ArpPipeline& p) { p.note_neighbor(name.data(), ip, mark, at); });
}

}  // namespace arp
