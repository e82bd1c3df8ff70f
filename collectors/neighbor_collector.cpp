#include "collectors/neighbor_collector.h"

#include <functional>
#include <map>
#include <set>

#include "collectors/metric_family.h"

namespace arp {
namespace {

double as_double(std::uint64_t value) { return static_cast<double>(value); }

struct StateCount {
  int ifindex;
  NeighborFamily family;
  NudState state;
  friend auto operator<=>(const StateCount&, const StateCount&) = default;
};

// What the kernel said on this scrape. Every entry is counted; only the few that get a series
// of their own are copied.
struct KernelView {
  std::map<StateCount, std::uint64_t> states;
  std::vector<NeighborEntry> shown;    // watched or contested: arp_neighbor_lladdr_info
  std::vector<NeighborEntry> statics;  // permanent IPv4 entries on sniffed interfaces
  std::vector<NeighborTableInfo> tables;
  std::uint64_t interruptions = 0;
};

struct Interest {
  std::function<bool(const NeighborEntry&)> shown;
  std::function<bool(const NeighborEntry&)> sniffed;  // on an interface the ARP sniffer watches
};

// Throws std::runtime_error on a netlink error; `view` then holds what was read before it.
void read_kernel(const NeighborSource& source, const Interest& interest, KernelView& view) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    view.states.clear();
    view.shown.clear();
    view.statics.clear();
    const auto dump = source.neighbors([&](const NeighborEntry& entry) {
      ++view.states[{entry.key.ifindex, entry.key.family, entry.state}];
      if (!entry.lladdr) return;
      if (entry.state == NudState::permanent && entry.key.family == NeighborFamily::inet &&
          interest.sniffed(entry)) {
        view.statics.push_back(entry);
      }
      if (interest.shown(entry)) view.shown.push_back(entry);
    });
    if (!dump.interrupted) break;
    ++view.interruptions;  // the table changed under the dump: count it, try once more
  }
  view.tables = source.tables();
}

// What the ARP sniffer knows that the table is compared with.
struct WireView {
  std::set<NamedAddress> contested;
  std::set<std::string, std::less<>> sniffed;  // interface names
};

WireView read_wire(SharedPipeline* pipeline, std::chrono::system_clock::time_point now) {
  WireView wire;
  if (pipeline == nullptr) return wire;
  const auto snapshot = pipeline->with([&](ArpPipeline& arp) { return arp.snapshot(now); });
  for (const auto& interface : snapshot.tracker.interfaces) wire.sniffed.insert(interface.name);
  wire.contested = contested_untagged(snapshot.tracker);
  return wire;
}

// The MACs claiming, on the wire of the same interface, the IP of each static entry.
std::map<NamedAddress, std::vector<Claimant>> claims_on_static_addresses(
    SharedPipeline* pipeline, const std::vector<NeighborEntry>& statics,
    const InterfaceNames& names, std::chrono::system_clock::time_point now) {
  std::map<NamedAddress, std::vector<Claimant>> claims;
  if (pipeline == nullptr || statics.empty()) return claims;
  pipeline->with([&](ArpPipeline& arp) {
    const auto& tracker = arp.tracker();
    for (const auto& entry : statics) {
      const auto name = names.find(entry.key.ifindex);
      if (name == names.end()) continue;
      const auto index = tracker.find_interface(name->second);
      if (!index) continue;  // no capture there: nothing to compare with
      claims[{name->second, ipv4_of(entry.key)}] =
          tracker.claimants({ipv4_of(entry.key), Vlan{}, *index}, now);
    }
  });
  return claims;
}

void render_states(const InterfaceNames& names, const KernelView& kernel, Collection& result) {
  auto entries =
      gauge("arp_neighbor_entries",
            "Entries in this namespace's neighbour table, by interface, family and NUD state.");
  // Zero-filled for every interface that exists, so that rate() and absent() work.
  for (const auto& [index, name] : names) {
    for (const auto family : kAllNeighborFamilies) {
      for (const auto state : kAllNudStates) {
        const auto found = kernel.states.find({index, family, state});
        entries.add({{"interface", name},
                     {"family", std::string(to_string(family))},
                     {"state", std::string(to_string(state))}},
                    found == kernel.states.end() ? 0 : as_double(found->second));
      }
    }
  }
  result.families.push_back(entries.build());
}

void render_tables(const KernelView& kernel, Collection& result) {
  auto table_entries =
      gauge("arp_neighbor_table_entries",
            "Entries in the kernel's neighbour table (kernel-wide, all namespaces).");
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
    table_entries.add({{"family", family}}, table.entries);
    thresh1.add({{"family", family}}, table.gc_thresh1);
    thresh2.add({{"family", family}}, table.gc_thresh2);
    thresh3.add({{"family", family}}, table.gc_thresh3);
    for (std::size_t i = 0; i < statistics.size(); ++i) {
      statistics[i].add({{"family", family}}, as_double(table.statistics[i]));
    }
  }
  for (auto* family : {&table_entries, &thresh1, &thresh2, &thresh3}) {
    result.families.push_back(family->build());
  }
  for (auto& family : statistics) result.families.push_back(family.build());
}

void render_changes(const NeighborEventListener* events, const InterfaceNames& names,
                    const KernelView& kernel, Collection& result) {
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
      const auto name = names.find(where.ifindex);
      if (name == names.end()) continue;  // the interface is gone, and its series with it
      const std::string family(to_string(where.family));
      changes.add({{"interface", name->second}, {"family", family}},
                  as_double(count.lladdr_changes));
      failures.add({{"interface", name->second}, {"family", family}},
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
                                    "Neighbour dumps on this scrape that the kernel marked "
                                    "inconsistent (NLM_F_DUMP_INTR) and were retried.")
                                .add({}, as_double(kernel.interruptions))
                                .build());
}

}  // namespace

Collection NeighborCollector::collect() const {
  Collection result;
  const auto names = source_->interfaces();
  // The tracker's own clock: it runs monotonic, not on the wall clock.
  const auto now = pipeline_ != nullptr ? pipeline_->now() : std::chrono::system_clock::now();
  const auto wire = read_wire(pipeline_, now);
  const auto watch = [&] {
    const std::lock_guard lock(watch_mutex_);
    return watch_;
  }();
  const auto name_of = [&](const NeighborEntry& entry) {
    const auto found = names.find(entry.key.ifindex);
    return found == names.end() ? nullptr : &found->second;
  };
  const Interest interest{
      .shown =
          [&](const NeighborEntry& entry) {
            if (watch.contains(entry.key)) return true;
            const auto* name = name_of(entry);
            return name != nullptr && entry.key.family == NeighborFamily::inet &&
                   wire.contested.contains({*name, ipv4_of(entry.key)});
          },
      .sniffed =
          [&](const NeighborEntry& entry) {
            const auto* name = name_of(entry);
            return name != nullptr && wire.sniffed.contains(*name);
          },
  };

  KernelView kernel;
  try {
    read_kernel(*source_, interest, kernel);
  } catch (const std::exception& error) {
    result.complete = false;
    logger_.warn("neighbour collector", {{"err", error.what()}});
  }
  const auto static_claims = claims_on_static_addresses(pipeline_, kernel.statics, names, now);

  render_states(names, kernel, result);
  render_tables(kernel, result);
  render_changes(events_, names, kernel, result);

  // Per-IP series share one budget, so that neither kind can crowd the other out unnoticed.
  std::size_t budget = max_series_;
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
    const auto* name = name_of(entry);
    if (name == nullptr || !spend()) continue;
    lladdr.add({{"interface", *name},
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
    const auto* name = name_of(entry);
    if (name == nullptr) continue;
    const auto claimed = static_claims.find({*name, ipv4_of(entry.key)});
    if (claimed == static_claims.end()) continue;
    for (const auto& claimant : claimed->second) {
      if (claimant.mac == *entry.lladdr || !spend()) continue;
      mismatch.add({{"interface", *name},
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
