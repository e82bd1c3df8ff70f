#include "collectors/arp_collector.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>
#include <variant>

#include "collectors/metric_family.h"

namespace arp {
namespace {

double seconds_since_epoch(Timestamp time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

double as_double(std::uint64_t value) { return static_cast<double>(value); }

// When a contested address's contest began: when its second claimant (oldest first) first
// claimed it within the window. Stable across scrapes, unlike the time of the last change.
Timestamp contest_start(const AddressReport& address) {
  return address.claimants.size() >= 2 ? address.claimants[1].first_seen : address.last_change;
}

// The contested addresses in the order the series cap keeps them: verified conflicts (two MACs
// answered one probe round) before unverified ones, then the oldest contest first (so that a
// flood of new conflicts cannot push out the ones already on a dashboard), then by interface,
// VLAN and IP, so that two scrapes of one state keep the same addresses.
std::vector<const AddressReport*> contested_by_priority(const TrackerSnapshot& tracker) {
  std::vector<const AddressReport*> contested;
  for (const auto& address : tracker.addresses) {
    if (address.state == AddressState::contested) contested.push_back(&address);
  }
  std::sort(contested.begin(), contested.end(), [](const auto* a, const auto* b) {
    if (a->verified != b->verified) return a->verified;
    const auto start_a = contest_start(*a);
    const auto start_b = contest_start(*b);
    if (start_a != start_b) return start_a < start_b;
    return std::tie(a->key.interface, a->key.vlan, a->key.ip) <
           std::tie(b->key.interface, b->key.vlan, b->key.ip);
  });
  return contested;
}

// Per-IP series for addresses in trouble, within --collector.arp.max-series *series* (samples
// of every per-IP family together). An address gets all of its series or none: a contested
// address shown with some of its claimants would mislead. By priority, each kind in a fixed
// order: own-address claims (a thief on this host's address; one series each, and few, as this
// host has few addresses), contested addresses (1 + 3 per claimant), this host's MACs answering
// from several interfaces, flapped addresses. Addresses left out are counted.
void render_address_series(const ArpState& state, const VendorRegistry& vendors,
                           std::size_t max_series,
                           std::vector<prometheus::MetricFamily>& families) {
  auto own = gauge("arp_own_address_claim_info",
                   "A MAC that is not this host's claims one of this host's IPv4 addresses.");
  auto claimants = gauge("arp_address_claimants",
                         "Distinct MACs that claimed the address within the window; present "
                         "only while the address is contested.");
  auto claim_info = gauge("arp_address_claim_info", "A MAC claiming a contested address.");
  auto first_seen = gauge("arp_address_claim_first_seen_timestamp_seconds",
                          "When this MAC first claimed the contested address within the window.");
  auto last_seen = gauge("arp_address_claim_last_seen_timestamp_seconds",
                         "When this MAC last claimed the contested address.");
  std::size_t budget = max_series;
  std::size_t omitted = 0;
  // Spends `series` of the budget on one address, or counts the address as left out.
  const auto take_series = [&](std::size_t series) {
    if (series > budget) {
      ++omitted;
      return false;
    }
    budget -= series;
    return true;
  };

  auto own_claims = state.own_claims;
  std::sort(own_claims.begin(), own_claims.end(), [](const auto& a, const auto& b) {
    return std::tie(a.interface, a.vlan, a.ip, a.claimant.mac) <
           std::tie(b.interface, b.vlan, b.ip, b.claimant.mac);
  });
  for (const auto& claim : own_claims) {
    if (!take_series(1)) continue;
    own.add({{"interface", claim.interface},
             {"vlan", claim.vlan.to_string()},
             {"ip", claim.ip.to_string()},
             {"mac", claim.claimant.mac.to_string()},
             {"vendor", std::string(vendors.lookup(claim.claimant.mac))}},
            1);
  }
  for (const auto* address : contested_by_priority(state.pipeline.tracker)) {
    if (!take_series(1 + 3 * address->claimants.size())) continue;
    const std::string interface = state.pipeline.tracker.interfaces.at(address->key.interface).name;
    const std::string vlan = address->key.vlan.to_string();
    const std::string ip = address->key.ip.to_string();
    claimants.add({{"interface", interface}, {"vlan", vlan}, {"ip", ip}},
                  as_double(address->claimants.size()));
    for (const auto& claimant : address->claimants) {
      const auto mac = claimant.mac.to_string();
      claim_info.add({{"interface", interface},
                      {"vlan", vlan},
                      {"ip", ip},
                      {"mac", mac},
                      {"vendor", std::string(vendors.lookup(claimant.mac))}},
                     1);
      first_seen.add({{"interface", interface}, {"vlan", vlan}, {"ip", ip}, {"mac", mac}},
                     seconds_since_epoch(claimant.first_seen));
      last_seen.add({{"interface", interface}, {"vlan", vlan}, {"ip", ip}, {"mac", mac}},
                    seconds_since_epoch(claimant.last_seen));
    }
  }
  // Lesser trouble last: the cap must never hide a conflict behind them.
  auto several = gauge("arp_own_address_macs",
                       "This host's own MACs that answered for one of its addresses, from "
                       "several interfaces (ARP flux); present only when two or more did.");
  auto own_macs = state.pipeline.own_macs;
  std::sort(own_macs.begin(), own_macs.end(),
            [](const auto& a, const auto& b) { return a.ip < b.ip; });
  for (const auto& macs : own_macs) {
    if (!take_series(1)) continue;
    several.add({{"ip", macs.ip.to_string()}}, as_double(macs.answering.size()));
  }
  auto flapped = gauge("arp_address_flapped_info",
                       "An address that went back to an earlier MAC once, unconfirmed: a stray "
                       "announcement (a VRRP backup), not a conflict.");
  std::vector<const AddressReport*> flaps;
  for (const auto& address : state.pipeline.tracker.addresses) {
    if (address.state == AddressState::flapped) flaps.push_back(&address);
  }
  std::sort(flaps.begin(), flaps.end(), [](const auto* a, const auto* b) {
    return std::tie(a->key.interface, a->key.vlan, a->key.ip) <
           std::tie(b->key.interface, b->key.vlan, b->key.ip);
  });
  for (const auto* address : flaps) {
    if (!take_series(1)) continue;
    flapped.add({{"interface", state.pipeline.tracker.interfaces.at(address->key.interface).name},
                 {"vlan", address->key.vlan.to_string()},
                 {"ip", address->key.ip.to_string()}},
                1);
  }
  for (auto* family :
       {&own, &several, &flapped, &claimants, &claim_info, &first_seen, &last_seen}) {
    families.push_back(family->build());
  }
  families.push_back(gauge("arp_address_series_omitted",
                           "Addresses in trouble whose per-IP series were left out on this "
                           "scrape because of --collector.arp.max-series.")
                         .add({}, as_double(omitted))
                         .build());
}

void render_interface_series(const ArpState& state,
                             std::vector<prometheus::MetricFamily>& families) {
  const auto& interfaces = state.pipeline.tracker.interfaces;
  auto tracked = gauge("arp_addresses_tracked", "Addresses with a live claim in the window.");
  auto contested = gauge("arp_addresses_contested",
                         "Addresses two or more MACs keep claiming within the window.");
  auto flapped = gauge("arp_addresses_flapped",
                       "Addresses that went back to an earlier MAC once within the window, "
                       "unconfirmed.");
  auto moved = gauge("arp_addresses_moved",
                     "Addresses whose MAC changed once within the window (NIC swap, migration, "
                     "failover).");
  auto frames = counter("arp_frames_total",
                        "ARP (family ipv4) and Neighbor Discovery (ipv6) frames decoded, by "
                        "RFC 826/5227 kind.");
  auto rejected = counter("arp_frames_rejected_total", "Frames the decoder refused, by reason.");
  auto ignored = counter("arp_frames_ignored_total", "ARP frames matching an ignore rule.");
  auto invalid = counter("arp_frames_sender_invalid_total",
                         "ARP and ND frames whose sender MAC is zero, broadcast or multicast.");
  auto mismatch =
      counter("arp_frames_source_mismatch_total",
              "ARP and ND frames whose Ethernet source differs from the sender MAC (ARP "
              "sender hardware address, ND link-layer address option).");
  auto own_probes = counter("arp_frames_own_probes_total",
                            "RFC 5227 probes this host sent, seen again by the capture.");
  auto changes = counter("arp_mac_changes_total",
                         "Times an address was claimed by a different MAC than the last one.");
  auto moves = counter("arp_address_moves_total",
                       "MAC changes to a MAC not seen for that address within the window.");
  auto flaps = counter("arp_address_flaps_total",
                       "MAC changes back to a MAC that claimed the address earlier in the window.");
  auto probes = counter("arp_probes_total",
                        "RFC 5227 probes (sender IP 0.0.0.0) and IPv6 DAD probes (from ::).");
  auto probes_claimed = counter("arp_probes_for_claimed_address_total",
                                "RFC 5227 and DAD probes for an address another MAC claims.");
  auto evictions = counter("arp_tracker_evictions_total",
                           "Addresses dropped because the tracker was full (oldest first).");
  auto claimant_evictions = counter("arp_tracker_claimant_evictions_total",
                                    "Claimants dropped because one address had too many MACs.");
  auto expirations = counter("arp_tracker_expirations_total",
                             "Addresses forgotten after no claim for a whole window.");

  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    const auto& report = interfaces[i];
    const auto& counters = state.pipeline.counters.at(i);
    const std::string& name = report.name;
    if (name.empty()) continue;  // a forgotten interface's slot
    tracked.add({{"interface", name}}, as_double(report.tracked));
    contested.add({{"interface", name}}, as_double(report.contested));
    moved.add({{"interface", name}}, as_double(report.moved));
    flapped.add({{"interface", name}}, as_double(report.flapped));
    for (const auto family : kAllIpFamilies) {
      for (const auto kind : kAllFrameKinds) {
        frames.add({{"interface", name},
                    {"family", std::string(to_string(family))},
                    {"kind", std::string(to_string(kind))}},
                   as_double(counters.frames.frames(family, kind)));
      }
    }
    for (const auto reason : kAllRejectReasons) {
      rejected.add({{"interface", name}, {"reason", std::string(to_string(reason))}},
                   as_double(counters.frames.rejected(reason)));
    }
    ignored.add({{"interface", name}}, as_double(counters.ignored));
    invalid.add({{"interface", name}}, as_double(counters.frames.invalid_sender()));
    mismatch.add({{"interface", name}}, as_double(counters.frames.source_mismatch()));
    own_probes.add({{"interface", name}}, as_double(counters.own_probes));
    changes.add({{"interface", name}}, as_double(report.mac_changes));
    moves.add({{"interface", name}}, as_double(report.moves));
    flaps.add({{"interface", name}}, as_double(report.flaps));
    probes.add({{"interface", name}}, as_double(report.probes));
    probes_claimed.add({{"interface", name}}, as_double(report.probes_for_claimed));
    evictions.add({{"interface", name}}, as_double(report.evictions));
    claimant_evictions.add({{"interface", name}}, as_double(report.claimant_evictions));
    expirations.add({{"interface", name}}, as_double(report.expirations));
  }
  for (auto* family : {&tracked, &contested, &moved, &flapped, &frames, &rejected, &ignored,
                       &invalid, &mismatch, &own_probes, &changes, &moves, &flaps, &probes,
                       &probes_claimed, &evictions, &claimant_evictions, &expirations}) {
    families.push_back(family->build());
  }
}

// What verification sent and heard. Zero-filled for every interface while probing is on, so
// that rate() works from the first probe; absent with --no-collector.arp.probe.
void render_verification_series(const ArpState& state,
                                std::vector<prometheus::MetricFamily>& families) {
  families.push_back(gauge("arp_verification_enabled",
                           "1 when the exporter sends ARP probes to verify claims, 0 when it is "
                           "strictly passive (--no-collector.arp.probe).")
                         .add({}, state.pipeline.probing ? 1 : 0)
                         .build());
  if (!state.pipeline.probing) return;
  auto sent = counter("arp_verification_probes_sent_total",
                      "ARP probes (sender IP 0.0.0.0) this exporter sent, by reason.");
  auto suppressed = counter("arp_verification_probes_suppressed_total",
                            "Verification rounds not sent because of a cap, by cap.");
  auto answers = counter("arp_verification_answers_total",
                         "Replies heard to a probe during a verification round.");
  auto rounds = counter("arp_verification_rounds_total",
                        "Verification rounds finished, by how many MACs answered.");
  const ProbeCounters none{};
  const auto& interfaces = state.pipeline.tracker.interfaces;
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    const auto& name = interfaces[i].name;
    if (name.empty()) continue;  // a forgotten interface's slot
    const auto& counters = i < state.pipeline.probes.size() ? state.pipeline.probes[i] : none;
    for (const auto reason : kAllProbeReasons) {
      sent.add({{"interface", name}, {"reason", std::string(to_string(reason))}},
               as_double(counters.sent[static_cast<std::size_t>(reason)]));
    }
    for (const auto limit : kAllProbeLimits) {
      suppressed.add({{"interface", name}, {"limit", std::string(to_string(limit))}},
                     as_double(counters.suppressed[static_cast<std::size_t>(limit)]));
    }
    for (const auto outcome : kAllRoundOutcomes) {
      rounds.add({{"interface", name}, {"outcome", std::string(to_string(outcome))}},
                 as_double(counters.rounds[static_cast<std::size_t>(outcome)]));
    }
    answers.add({{"interface", name}}, as_double(counters.answers));
  }
  for (auto* family : {&sent, &suppressed, &answers, &rounds}) families.push_back(family->build());
}

// This host's own MACs, so that alert rules can tell across the fleet that every MAC claiming
// an address belongs to one host. Bounded: a node with thousands of pod interfaces exports
// the first kMaxHostMacSeries.
void render_host_series(const ArpState& state, std::vector<prometheus::MetricFamily>& families) {
  constexpr std::size_t kMaxHostMacSeries = 256;
  auto macs = gauge("arp_host_mac_info", "A MAC address of one of this host's interfaces.");
  for (std::size_t i = 0; i < state.host_macs.size() && i < kMaxHostMacSeries; ++i) {
    const auto& [interface, mac] = state.host_macs[i];
    macs.add({{"interface", interface}, {"mac", mac.to_string()}}, 1);
  }
  families.push_back(macs.build());
}

void render_capture_series(const ArpState& state, std::vector<prometheus::MetricFamily>& families) {
  auto up = gauge("arp_capture_up", "1 while the ARP capture on the interface is running.");
  auto received = counter("arp_capture_received_frames_total",
                          "Frames the kernel passed to the capture (after the ARP filter).");
  auto dropped = counter("arp_capture_kernel_dropped_frames_total",
                         "Frames dropped because the capture buffer was full.");
  auto interface_dropped = counter("arp_capture_interface_dropped_frames_total",
                                   "Frames dropped by the network interface or its driver.");
  for (const auto& [name, statistics] : state.captures) {
    up.add({{"interface", name}}, statistics.up ? 1 : 0);
    received.add({{"interface", name}}, as_double(statistics.received));
    dropped.add({{"interface", name}}, as_double(statistics.dropped));
    interface_dropped.add({{"interface", name}}, as_double(statistics.interface_dropped));
  }
  for (auto* family : {&up, &received, &dropped, &interface_dropped}) {
    families.push_back(family->build());
  }
  families.push_back(counter("arp_capture_interfaces_forgotten_total",
                             "Vanished interfaces forgotten after --collector.arp.forget-after.")
                         .add({}, as_double(state.interfaces_forgotten))
                         .build());
}

}  // namespace

std::vector<prometheus::MetricFamily> render_arp_metrics(const ArpState& state,
                                                         const VendorRegistry& vendors,
                                                         std::size_t max_address_series) {
  std::vector<prometheus::MetricFamily> families;
  render_address_series(state, vendors, max_address_series, families);
  render_interface_series(state, families);
  render_capture_series(state, families);
  render_verification_series(state, families);
  render_host_series(state, families);
  return families;
}

namespace {

// Moves every time of a snapshot by `offset`: from the tracker's clock to the wall clock.
void shift_times(PipelineSnapshot& snapshot, Duration offset) {
  const auto shift = [&](Claimant& claimant) {
    claimant.first_seen += offset;
    claimant.last_seen += offset;
  };
  for (auto& address : snapshot.tracker.addresses) {
    address.last_change += offset;
    std::for_each(address.claimants.begin(), address.claimants.end(), shift);
  }
  for (auto& claim : snapshot.own_claims) shift(claim.claimant);
}

void shift_times(std::vector<AddressTimeline>& timelines, Duration offset) {
  for (auto& timeline : timelines) {
    timeline.last_active += offset;
    for (auto& claimant : timeline.claimants) {
      claimant.first_seen += offset;
      claimant.last_seen += offset;
    }
    for (auto& event : timeline.events) {
      event.at += offset;
      if (auto* round = std::get_if<RoundMark>(&event.what)) round->finished += offset;
    }
  }
}

}  // namespace

std::vector<NamedOwnAddressClaim> name_own_claims(const PipelineSnapshot& snapshot) {
  std::vector<NamedOwnAddressClaim> named;
  for (const auto& claim : snapshot.own_claims) {
    named.push_back({.interface = snapshot.tracker.interfaces.at(claim.key.interface).name,
                     .vlan = claim.key.vlan,
                     .ip = claim.key.ip,
                     .claimant = claim.claimant});
  }
  return named;
}

ArpState take_arp_state(const SharedPipeline& pipeline, const CaptureView& captures,
                        StateDetail detail) {
  ArpState state;
  const auto now = pipeline.now();
  pipeline.read([&](const ArpPipeline& p) {
    state.pipeline = p.snapshot(now);
    state.window = p.tracker().config().window;
    // In the same critical section: the page's timelines and table describe the same moment.
    if (detail == StateDetail::page) state.timelines = p.timelines(now);
  });
  const auto offset = pipeline.wall(now) - now;
  shift_times(state.pipeline, offset);
  shift_times(state.timelines, offset);
  state.taken = now + offset;
  state.captures = captures.captures;
  state.interfaces_forgotten = captures.forgotten;
  state.own_claims = name_own_claims(state.pipeline);
  for (const auto& interface : captures.host) {
    if (interface.ethernet && !interface.loopback)
      state.host_macs.emplace_back(interface.name, interface.mac);
  }
  return state;
}

ArpState ArpCollector::state(StateDetail detail) const {
  return take_arp_state(pipeline_, captures_.view(), detail);
}

Collection ArpCollector::collect(const ScrapeContext& scrape) const {
  if (scrape.arp != nullptr)
    return {render_arp_metrics(*scrape.arp, vendors_, max_address_series_)};
  return {render_arp_metrics(state(), vendors_, max_address_series_)};
}

}  // namespace arp
