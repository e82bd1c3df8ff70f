#include "collectors/neighbor_collector.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "collectors/arp_collector.h"
#include "collectors/metric_family.h"

namespace arp {
namespace {

double as_double(std::uint64_t value) { return static_cast<double>(value); }

constexpr std::size_t kFamilies = kAllNeighborFamilies.size();
constexpr std::size_t kStates = static_cast<std::size_t>(NudState::none) + 1;
std::size_t index_of(NeighborFamily family) { return static_cast<std::size_t>(family); }
std::size_t index_of(NudState state) { return static_cast<std::size_t>(state); }

// One interface of this namespace, as the dump loop needs it: a single hash lookup per entry.
struct InterfaceSlot {
  const std::string* name = nullptr;
  bool exported = false;  // passes --collector.neighbor.interfaces-include/-exclude
  bool sniffed = false;   // the ARP sniffer captures there
  std::array<std::array<std::uint64_t, kStates>, kFamilies> states{};
};

// What the kernel said on this scrape. Every entry is counted; only the few that get a series
// of their own are copied.
struct KernelView {
  std::unordered_map<int, InterfaceSlot> interfaces;  // by ifindex
  std::array<std::uint64_t, kFamilies> gc_exempt{};   // permanent or externally managed, here
  std::vector<NeighborEntry> shown;                   // watched or contested
  std::vector<NeighborEntry> statics;  // permanent IPv4 entries on sniffed interfaces
  std::vector<NeighborTableInfo> tables;
  std::uint64_t interruptions = 0;
  bool consistent = false;  // false: every attempt was interrupted
};

// What the ARP sniffer knows that the table is compared with, from the scrape's snapshot.
struct WireView {
  std::set<NamedAddress> contested;
  std::set<std::string, std::less<>> sniffed;  // interface names
};

WireView read_wire(const ArpState* arp) {
  WireView wire;
  if (arp == nullptr) return wire;
  for (const auto& interface : arp->pipeline.tracker.interfaces)
    wire.sniffed.insert(interface.name);
  wire.contested = contested_untagged(arp->pipeline.tracker);
  return wire;
}

// The MACs claiming, on the wire of the same interface, the IP of each static entry. A targeted
// lookup, not a snapshot: a static entry's address is usually at peace, and the scrape's
// snapshot holds only the addresses in trouble.
std::map<NamedAddress, std::vector<Claimant>> claims_on_static_addresses(SharedPipeline* pipeline,
                                                                         const KernelView& kernel) {
  std::map<NamedAddress, std::vector<Claimant>> claims;
  if (pipeline == nullptr || kernel.statics.empty()) return claims;
  const auto now = pipeline->now();  // the tracker's own clock: monotonic, not the wall clock
  pipeline->read([&](const ArpPipeline& arp) {
    const auto& tracker = arp.tracker();
    for (const auto& entry : kernel.statics) {
      const auto& name = *kernel.interfaces.at(entry.key.ifindex).name;
      const auto index = tracker.find_interface(name);
      if (!index) continue;  // no capture there: nothing to compare with
      claims[{name, ip_of(entry.key)}] = tracker.claimants({ip_of(entry.key), Vlan{}, *index}, now);
    }
  });
  return claims;
}

// Interfaces in name order, so that the exposition does not reshuffle between scrapes.
std::vector<const InterfaceSlot*> by_name(const KernelView& kernel) {
  std::vector<const InterfaceSlot*> slots;
  for (const auto& [index, slot] : kernel.interfaces) {
    if (slot.exported) slots.push_back(&slot);
  }
  std::sort(slots.begin(), slots.end(),
            [](const auto* a, const auto* b) { return *a->name < *b->name; });
  return slots;
}

void render_states(const KernelView& kernel, Collection& result) {
  auto entries =
      gauge("arp_neighbor_entries",
            "Entries in this namespace's neighbour table, by interface, family and NUD state.");
  // Every state of a family that has entries on the interface, zeros included, so that a
  // state's series exists before it is needed; nothing for an interface without entries (a
  // node with hundreds of pod interfaces would export thousands of zeros).
  for (const auto* slot : by_name(kernel)) {
    for (const auto family : kAllNeighborFamilies) {
      const auto& counts = slot->states[index_of(family)];
      if (std::all_of(counts.begin(), counts.end(), [](auto count) { return count == 0; }))
        continue;
      for (const auto state : kAllNudStates) {
        entries.add({{"interface", *slot->name},
                     {"family", std::string(to_string(family))},
                     {"state", std::string(to_string(state))}},
                    as_double(counts[index_of(state)]));
      }
    }
  }
  result.families.push_back(entries.build());
}

void render_tables(const KernelView& kernel, Collection& result) {
  auto table_entries =
      gauge("arp_neighbor_table_entries",
            "Entries in the kernel's neighbour table (kernel-wide, all namespaces).");
  auto gc_entries = gauge("arp_neighbor_gc_entries",
                          "Entries that count against gc_thresh1..3: the table's, less the "
                          "permanent and externally managed entries of this namespace.");
  auto thresh1 =
      gauge("arp_neighbor_gc_thresh1", "Below this many entries the garbage collector never runs.");
  auto thresh2 = gauge("arp_neighbor_gc_thresh2",
                       "Soft limit: above it, entries older than 5 s are collected.");
  auto thresh3 = gauge("arp_neighbor_gc_thresh3",
                       "Hard limit: new entries fail beyond it (neighbour table overflow).");
  std::vector<FamilyBuilder> statistics;
  for (const auto name : kNeighborStatisticNames) {
    statistics.push_back(counter("arp_neighbor_" + std::string(name) + "_total",
                                 "Kernel neighbour table statistic ndts_" + std::string(name) +
                                     " (kernel-wide, all namespaces)."));
  }
  for (const auto& table : kernel.tables) {
    const std::string family(to_string(table.family));
    const auto exempt = kernel.gc_exempt[index_of(table.family)];
    table_entries.add({{"family", family}}, table.entries);
    // The two numbers come from two dumps a moment apart: never below zero.
    gc_entries.add({{"family", family}},
                   table.entries > exempt ? as_double(table.entries - exempt) : 0);
    thresh1.add({{"family", family}}, table.gc_thresh1);
    thresh2.add({{"family", family}}, table.gc_thresh2);
    thresh3.add({{"family", family}}, table.gc_thresh3);
    for (std::size_t i = 0; i < statistics.size(); ++i) {
      statistics[i].add({{"family", family}}, as_double(table.statistics[i]));
    }
  }
  for (auto* family : {&table_entries, &gc_entries, &thresh1, &thresh2, &thresh3}) {
    result.families.push_back(family->build());
  }
  for (auto& family : statistics) result.families.push_back(family.build());
}

void render_changes(const NeighborEventListener* events, const KernelView& kernel,
                    std::uint64_t interruptions, Collection& result) {
  auto changes = counter("arp_neighbor_lladdr_changes_total",
                         "Neighbour entries whose link-layer address changed (netlink events).");
  auto failures = counter("arp_neighbor_failed_transitions_total",
                          "Neighbour entries that went to FAILED: resolution got no answer.");
  auto overruns =
      counter("arp_neighbor_netlink_overruns_total",
              "Times the kernel dropped neighbour events (ENOBUFS) and a dump resynchronised.");
  auto buffer = gauge("arp_neighbor_event_buffer_bytes",
                      "Receive buffer the kernel granted the netlink event socket.");
  if (events != nullptr) {
    const auto counts = events->counts();
    for (const auto& [where, count] : counts.changes) {
      const auto slot = kernel.interfaces.find(where.ifindex);
      // A vanished interface's series go with it; a filtered one's are never shown.
      if (slot == kernel.interfaces.end() || !slot->second.exported) continue;
      const std::string family(to_string(where.family));
      changes.add({{"interface", *slot->second.name}, {"family", family}},
                  as_double(count.lladdr_changes));
      failures.add({{"interface", *slot->second.name}, {"family", family}},
                   as_double(count.failed_transitions));
    }
    overruns.add({}, as_double(counts.overruns));
    buffer.add({}, counts.receive_buffer_bytes);
  }
  result.families.push_back(changes.build());
  result.families.push_back(failures.build());
  result.families.push_back(overruns.build());
  result.families.push_back(buffer.build());
  result.families.push_back(counter("arp_neighbor_dump_interruptions_total",
                                    "Neighbour dumps the kernel marked inconsistent "
                                    "(NLM_F_DUMP_INTR) and that were read again.")
                                .add({}, as_double(interruptions))
                                .build());
}

}  // namespace

bool NeighborCollector::exports_interface(const std::string& name) const {
  if (options_.interfaces_exclude && std::regex_match(name, *options_.interfaces_exclude)) {
    return false;
  }
  return !options_.interfaces_include || std::regex_match(name, *options_.interfaces_include);
}

namespace {

// Reads the whole table, again when the kernel marks a dump inconsistent (NLM_F_DUMP_INTR), at
// most `attempts` times. Throws std::runtime_error on a netlink error.
void read_kernel(const NeighborSource& source, const WatchList& watch, const WireView& wire,
                 int attempts, KernelView& view) {
  for (int attempt = 0; attempt < attempts && !view.consistent; ++attempt) {
    view.gc_exempt = {};
    for (auto& [index, slot] : view.interfaces) slot.states = {};
    view.shown.clear();
    view.statics.clear();
    const auto dump = source.neighbors([&](const NeighborEntry& entry) {
      const auto family = index_of(entry.key.family);
      // Every entry of the namespace, whatever the interface filter: the limit is the kernel's.
      if (!counts_against_gc_thresh(entry)) ++view.gc_exempt[family];
      const auto found = view.interfaces.find(entry.key.ifindex);
      // An interface that vanished since the scrape listed them, or one filtered out.
      if (found == view.interfaces.end() || !found->second.exported) return;
      auto& slot = found->second;
      ++slot.states[family][index_of(entry.state)];
      if (!entry.lladdr) return;
      if (slot.sniffed && entry.state == NudState::permanent) view.statics.push_back(entry);
      if (watch.contains(entry.key) ||
          (!wire.contested.empty() && wire.contested.contains({*slot.name, ip_of(entry.key)}))) {
        view.shown.push_back(entry);
      }
    });
    if (dump.interrupted) {
      ++view.interruptions;
    } else {
      view.consistent = true;
    }
  }
  if (!view.consistent) return;
  view.tables = source.tables();
}

}  // namespace

Collection NeighborCollector::collect(const ScrapeContext& scrape) const {
  Collection result;
  const auto names = source_->interfaces();
  const auto wire = read_wire(scrape.arp);
  const auto watch = [&] {
    const std::lock_guard lock(watch_mutex_);
    return options_.watch;
  }();
  KernelView kernel;
  for (const auto& [index, name] : names) {
    kernel.interfaces[index] = {
        .name = &name, .exported = exports_interface(name), .sniffed = wire.sniffed.contains(name)};
  }
  // A failed or inconsistent dump exports nothing but arp_scrape_collector_success 0: a
  // partial count would read as entries that went away.
  try {
    read_kernel(*source_, watch, wire, kDumpAttempts, kernel);
  } catch (const std::exception& error) {
    logger_.warn("neighbour collector", {{"err", error.what()}});
    result.complete = false;
    return result;
  }
  const auto interruptions = interruptions_ += kernel.interruptions;
  if (!kernel.consistent) {
    logger_.warn("neighbour collector",
                 {{"err", "every neighbour dump was marked inconsistent (NLM_F_DUMP_INTR)"},
                  {"attempts", std::to_string(kDumpAttempts)}});
    result.complete = false;
    return result;
  }
  const auto static_claims = claims_on_static_addresses(pipeline_, kernel);

  render_states(kernel, result);
  render_tables(kernel, result);
  render_changes(events_, kernel, interruptions, result);

  // Per-IP series share one budget, so that neither kind can crowd the other out unnoticed.
  std::size_t budget = options_.max_series;
  std::size_t omitted = 0;
  const auto spend = [&] {
    if (budget == 0) {
      ++omitted;
      return false;
    }
    --budget;
    return true;
  };
  auto lladdr = gauge("arp_neighbor_lladdr_info",
                      "This host's neighbour entry for a contested or watched address.");
  for (const auto& entry : kernel.shown) {
    if (!spend()) continue;
    lladdr.add({{"interface", *kernel.interfaces.at(entry.key.ifindex).name},
                {"family", std::string(to_string(entry.key.family))},
                {"ip", address_text(entry.key)},
                {"mac", entry.lladdr->to_string()},
                {"state", std::string(to_string(entry.state))}},
               1);
  }
  auto mismatch =
      gauge("arp_static_entry_mismatch_info",
            "A permanent neighbour entry whose MAC is not the one claiming the IP on the wire.");
  for (const auto& entry : kernel.statics) {
    const auto& name = *kernel.interfaces.at(entry.key.ifindex).name;
    const auto claimed = static_claims.find({name, ip_of(entry.key)});
    if (claimed == static_claims.end()) continue;
    for (const auto& claimant : claimed->second) {
      if (claimant.mac == *entry.lladdr || !spend()) continue;
      mismatch.add({{"interface", name},
                    {"ip", address_text(entry.key)},
                    {"static_mac", entry.lladdr->to_string()},
                    {"observed_mac", claimant.mac.to_string()},
                    {"observed_vendor", std::string(vendors_.lookup(claimant.mac))}},
                   1);
    }
  }
  result.families.push_back(lladdr.build());
  result.families.push_back(mismatch.build());
  result.families.push_back(gauge("arp_neighbor_series_omitted",
                                  "Per-IP neighbour series left out on this scrape because of "
                                  "--collector.neighbor.max-series.")
                                .add({}, as_double(omitted))
                                .build());
  return result;
}

}  // namespace arp
