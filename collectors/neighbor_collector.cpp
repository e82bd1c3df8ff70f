#include "collectors/neighbor_collector.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <map>
#include <set>

#include "collectors/metric_family.h"

namespace arp {
namespace {

using InterfaceNames = std::map<int, std::string>;

InterfaceNames interface_names() {
  InterfaceNames names;
  struct if_nameindex* list = if_nameindex();
  if (list == nullptr) return names;
  for (const auto* item = list; item->if_index != 0; ++item) {
    names.emplace(static_cast<int>(item->if_index), item->if_name);
  }
  if_freenameindex(list);
  return names;
}

std::string address_text(const NeighborKey& key) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(key.family == NeighborFamily::inet ? AF_INET : AF_INET6, key.address.data(),
            text.data(), text.size());
  return text.data();
}

Ipv4Address ipv4_of(const NeighborKey& key) {
  return Ipv4Address((std::uint32_t{key.address[0]} << 24U) |
                     (std::uint32_t{key.address[1]} << 16U) |
                     (std::uint32_t{key.address[2]} << 8U) | key.address[3]);
}

double as_double(std::uint64_t value) { return static_cast<double>(value); }

struct StateCount {
  int ifindex;
  NeighborFamily family;
  NudState state;
  friend auto operator<=>(const StateCount&, const StateCount&) = default;
};

// What the tracker knows that the neighbour table is compared with, copied under its lock.
struct ClaimsView {
  std::set<std::pair<std::string, Ipv4Address>> contested;  // (interface, ip), untagged
  std::map<std::pair<std::string, Ipv4Address>, std::vector<Claimant>> claims_of_static;
};

}  // namespace

Collection NeighborCollector::collect() const {
  Collection result;
  const auto names = interface_names();
  const auto now = std::chrono::system_clock::now();

  // One pass over the dump: counts per state without allocating per entry, and a copy of just
  // the entries that need a closer look (watched, possibly contested, static).
  std::map<StateCount, std::uint64_t> states;
  std::vector<NeighborEntry> interesting;
  std::vector<NeighborEntry> statics;
  std::uint64_t interruptions = 0;
  std::vector<NeighborTableInfo> tables;
  try {
    auto socket = connect_route_socket();
    for (int attempt = 0; attempt < 2; ++attempt) {
      states.clear();
      interesting.clear();
      statics.clear();
      const auto dump = dump_neighbors(socket.get(), [&](const NeighborEntry& entry) {
        ++states[{entry.key.ifindex, entry.key.family, entry.state}];
        if (entry.state == NudState::permanent && entry.key.family == NeighborFamily::inet) {
          statics.push_back(entry);
        }
        if (entry.lladdr) interesting.push_back(entry);
      });
      if (!dump.interrupted) break;
      ++interruptions;  // the table changed under the dump: count it, try once more
    }
    tables = dump_neighbor_tables(socket.get());
  } catch (const std::exception& error) {
    result.complete = false;
    logger_.warn("neighbour collector", {{"err", error.what()}});
  }

  ClaimsView claims;
  if (pipeline_ != nullptr) {
    pipeline_->with([&](ArpPipeline& pipeline) {
      const auto snapshot = pipeline.snapshot(now);
      for (const auto& address : snapshot.tracker.addresses) {
        if (address.state == AddressState::contested && !address.key.vlan.tagged()) {
          claims.contested.emplace(snapshot.tracker.interfaces[address.key.interface].name,
                                   address.key.ip);
        }
      }
      for (const auto& entry : statics) {
        const auto name = names.find(entry.key.ifindex);
        if (name == names.end()) continue;
        const auto& reports = snapshot.tracker.interfaces;
        const auto tracked = std::find_if(reports.begin(), reports.end(),
                                          [&](const auto& r) { return r.name == name->second; });
        if (tracked == reports.end()) continue;
        const auto index = static_cast<InterfaceIndex>(tracked - reports.begin());
        claims.claims_of_static[{name->second, ipv4_of(entry.key)}] =
            pipeline.tracker().claimants({ipv4_of(entry.key), Vlan{}, index}, now);
      }
    });
  }

  auto entries =
      gauge("arp_neighbor_entries",
            "Entries in this namespace's neighbour table, by interface, family and NUD state.");
  for (const auto& [index, name] : names) {
    for (const auto family : kAllNeighborFamilies) {
      for (const auto state : kAllNudStates) {
        const auto found = states.find({index, family, state});
        entries.add({{"interface", name},
                     {"family", std::string(to_string(family))},
                     {"state", std::string(to_string(state))}},
                    found == states.end() ? 0 : as_double(found->second));
      }
    }
  }
  result.families.push_back(entries.build());

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
  for (const auto& table : tables) {
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

  auto changes = counter("arp_neighbor_lladdr_changes_total",
                         "Neighbour entries whose link-layer address changed (netlink events).");
  auto failures = counter("arp_neighbor_failed_transitions_total",
                          "Neighbour entries that went to FAILED: resolution got no answer.");
  auto overruns =
      counter("arp_neighbor_netlink_overruns_total",
              "Times the kernel dropped neighbour events (ENOBUFS) and a dump resynchronised.");
  if (events_ != nullptr) {
    const auto counts = events_->counts();
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
  }
  result.families.push_back(changes.build());
  result.families.push_back(failures.build());
  result.families.push_back(overruns.build());
  result.families.push_back(counter("arp_neighbor_dump_interruptions_total",
                                    "Neighbour dumps on this scrape that the kernel marked "
                                    "inconsistent (NLM_F_DUMP_INTR) and were retried.")
                                .add({}, as_double(interruptions))
                                .build());

  std::size_t budget = max_series_;
  std::size_t omitted = 0;
  auto lladdr = gauge("arp_neighbor_lladdr_info",
                      "This host's neighbour entry for a contested or watched address.");
  for (const auto& entry : interesting) {
    const auto name = names.find(entry.key.ifindex);
    if (name == names.end()) continue;
    const bool contested = entry.key.family == NeighborFamily::inet &&
                           claims.contested.contains({name->second, ipv4_of(entry.key)});
    if (!contested && !watch_.contains(entry.key)) continue;
    if (budget == 0) {
      ++omitted;
      continue;
    }
    --budget;
    lladdr.add({{"interface", name->second},
                {"family", std::string(to_string(entry.key.family))},
                {"ip", address_text(entry.key)},
                {"mac", entry.lladdr->to_string()},
                {"state", std::string(to_string(entry.state))}},
               1);
  }
  auto mismatch =
      gauge("arp_static_entry_mismatch_info",
            "A permanent neighbour entry whose MAC is not the one claiming the IP on the wire.");
  for (const auto& entry : statics) {
    const auto name = names.find(entry.key.ifindex);
    if (name == names.end() || !entry.lladdr) continue;
    const auto claimed = claims.claims_of_static.find({name->second, ipv4_of(entry.key)});
    if (claimed == claims.claims_of_static.end()) continue;
    for (const auto& claimant : claimed->second) {
      if (claimant.mac == *entry.lladdr) continue;
      if (budget == 0) {
        ++omitted;
        continue;
      }
      --budget;
      mismatch.add({{"interface", name->second},
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
