// The kernel's neighbour table as plain data: entries, NUD states, table limits and statistics,
// and the counting of link-layer address changes between two views of an entry.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ip_address.h"
#include "core/mac_address.h"

namespace arp {

enum class NeighborFamily : std::uint8_t { inet, inet6 };
inline constexpr std::array kAllNeighborFamilies = {NeighborFamily::inet, NeighborFamily::inet6};
std::string_view to_string(NeighborFamily family);

// Neighbour Unreachability Detection states (RFC 4861 7.3.2, plus Linux's own).
enum class NudState : std::uint8_t {
  incomplete,
  reachable,
  stale,
  delay,
  probe,
  failed,
  noarp,
  permanent,
  none
};
inline constexpr std::array kAllNudStates = {
    NudState::incomplete, NudState::reachable, NudState::stale, NudState::delay,
    NudState::probe,      NudState::failed,    NudState::noarp, NudState::permanent};
std::string_view to_string(NudState state);
// The kernel's ndm_state is a bit set with one bit in use; values follow linux/neighbour.h.
NudState nud_state_from_kernel(std::uint16_t ndm_state);

struct NeighborKey {
  int ifindex = 0;
  NeighborFamily family = NeighborFamily::inet;
  std::array<std::uint8_t, 16> address{};  // IPv4 in the first 4 bytes

  friend auto operator<=>(const NeighborKey&, const NeighborKey&) = default;
};

// An IPv4 or IPv6 address as NeighborKey holds it.
struct NeighborAddress {
  NeighborFamily family = NeighborFamily::inet;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes
};
// Text as inet_pton reads it (no prefix, no zone); nullopt for anything else.
std::optional<NeighborAddress> parse_neighbor_address(std::string_view text);
// As inet_ntop prints it: the `ip` label.
std::string address_text(const NeighborKey& key);
// The address of a key, as the claim tracker keys it.
IpAddress ip_of(const NeighborKey& key);

struct NeighborKeyHash {
  std::size_t operator()(const NeighborKey& key) const noexcept;
};

struct NeighborEntry {
  NeighborKey key;
  std::optional<MacAddress> lladdr;  // absent while incomplete or failed
  NudState state = NudState::none;
  // NTF_EXT_LEARNED (or NTF_EXT_EXT_VALIDATED): put there by a control plane (EVPN, a switch
  // driver), not resolved by the kernel.
  bool externally_managed = false;
};

// Whether the kernel counts the entry against gc_thresh1..3: since Linux 4.20 permanent and
// externally managed entries are kept off the garbage collector's list (neigh_update_gc_list)
// and its count, which is what neigh_alloc compares with the thresholds.
inline bool counts_against_gc_thresh(const NeighborEntry& entry) {
  return entry.state != NudState::permanent && !entry.externally_managed;
}

// One table (arp_cache or ndisc_cache) as RTM_GETNEIGHTBL reports it. Outside the initial
// network namespace these are still the kernel-wide numbers, shared by every namespace.
struct NeighborTableInfo {
  NeighborFamily family = NeighborFamily::inet;
  std::uint32_t gc_thresh1 = 0;
  std::uint32_t gc_thresh2 = 0;
  std::uint32_t gc_thresh3 = 0;
  std::uint32_t entries = 0;
  // ndt_stats in kernel order: allocs, destroys, hash_grows, res_failed, lookups, hits,
  // rcv_probes_mcast, rcv_probes_ucast, periodic_gc_runs, forced_gc_runs, table_fulls.
  std::array<std::uint64_t, 11> statistics{};
};
inline constexpr std::array<std::string_view, 11> kNeighborStatisticNames = {
    "allocs",           "destroys",       "hash_grows",       "res_failed",
    "lookups",          "hits",           "rcv_probes_mcast", "rcv_probes_ucast",
    "periodic_gc_runs", "forced_gc_runs", "table_fulls"};

// Counts, per (interface, family), entries whose link-layer address changed and entries that
// went to FAILED, from netlink events and from the resynchronising dumps after an overrun.
class NeighborChangeCounter {
 public:
  struct Counts {
    std::uint64_t lladdr_changes = 0;
    std::uint64_t failed_transitions = 0;
  };
  struct InterfaceFamily {
    int ifindex = 0;
    NeighborFamily family = NeighborFamily::inet;
    friend auto operator<=>(const InterfaceFamily&, const InterfaceFamily&) = default;
  };

  explicit NeighborChangeCounter(std::size_t max_entries) : max_entries_(max_entries) {}

  // An RTM_NEWNEIGH (deleted = false) or RTM_DELNEIGH (deleted = true) event.
  void apply(const NeighborEntry& entry, bool deleted);

  // A full dump: changes against what was known are counted (events were lost, the changes
  // were not), entries missing from the dump are forgotten. The first dump only sets a
  // baseline. Fed entry by entry (begin_dump, dumped for each, end_dump), so that a dump of
  // the whole table needs no copy of it.
  void begin_dump();
  void dumped(const NeighborEntry& entry);
  void end_dump();
  void resynchronise(const std::vector<NeighborEntry>& dump);  // all three at once

  std::vector<std::pair<InterfaceFamily, Counts>> counts() const;
  std::size_t known() const { return known_.size(); }
  std::uint64_t dropped() const { return dropped_; }  // entries past max_entries, not followed

 private:
  // What is remembered of an entry: as little as a comparison needs, since there may be
  // hundreds of thousands.
  struct Known {
    std::optional<MacAddress> lladdr;  // the last one it had (unresolved entries carry none)
    NudState state = NudState::none;
    bool in_dump = false;  // shown by the dump under way
  };

  // Both return what is now known of the entry: null when max_entries_ left it unfollowed.
  Known* observe(const NeighborEntry& entry);   // counts what changed, then remembers it
  Known* remember(const NeighborEntry& entry);  // unless max_entries_ are known already
  void compare(const Known& before, const NeighborEntry& after);

  std::size_t max_entries_;
  bool baselined_ = false;  // the first dump has been seen
  std::unordered_map<NeighborKey, Known, NeighborKeyHash> known_;
  std::vector<std::pair<InterfaceFamily, Counts>> counts_;  // few interfaces: a flat list
  std::uint64_t dropped_ = 0;
};

}  // namespace arp
