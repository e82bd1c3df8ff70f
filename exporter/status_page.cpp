#include "exporter/status_page.h"

#include <algorithm>
#include <optional>

#include "exporter/html_text.h"
#include "exporter/status_timeline.h"
#include "exporter/version.h"

namespace arp {
namespace {

// What this host's table says of one claimant: whether packets from here go to that MAC.
std::string used_here(const HostEntries& here, const std::string& interface, IpAddress ip,
                      const MacAddress& mac) {
  const auto entry = here.find({interface, ip});
  if (entry == here.end() || !entry->second.lladdr || *entry->second.lladdr != mac) return "";
  return "this host sends here (" + std::string(to_string(entry->second.state)) + ")";
}

void append_claimant_row(std::string& html, std::string_view kind, const std::string& interface,
                         const Vlan& vlan, IpAddress ip, const Claimant& claimant,
                         const HostEntries& here, const VendorRegistry& vendors) {
  // The host's table knows nothing of VLAN tags it does not terminate: untagged only.
  const auto used = vlan.tagged() ? "" : used_here(here, interface, ip, claimant.mac);
  html += "<tr><td>" + escape_html(kind) + "</td><td>" + escape_html(interface) + "</td><td>" +
          escape_html(vlan.to_string()) + "</td><td>" + ip.to_string() + "</td><td><code>" +
          claimant.mac.to_string() + "</code></td><td>" +
          escape_html(vendors.lookup(claimant.mac)) + "</td><td>" + utc_time(claimant.first_seen) +
          "</td><td>" + utc_time(claimant.last_seen) + "</td><td>" +
          std::to_string(claimant.frames) + "</td><td>" + used + "</td></tr>\n";
}

// The addresses the page calls in trouble, in the table's order, each once.
std::vector<AddressKey> troubled_keys(const ArpState& state) {
  std::vector<AddressKey> keys;
  const auto add = [&](const AddressKey& key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  };
  const auto& interfaces = state.pipeline.tracker.interfaces;
  for (const auto& claim : state.own_claims) {
    const auto interface =
        std::find_if(interfaces.begin(), interfaces.end(),
                     [&](const InterfaceReport& report) { return report.name == claim.interface; });
    if (interface == interfaces.end()) continue;
    add({claim.ip, claim.vlan, static_cast<InterfaceIndex>(interface - interfaces.begin())});
  }
  for (const auto& address : state.pipeline.tracker.addresses) {
    if (address.state == AddressState::contested) add(address.key);
  }
  return keys;
}

std::string render_timelines(const ArpState& state, const HostEntries& here,
                             const VendorRegistry& vendors) {
  std::string html;
  for (const auto& key : troubled_keys(state)) {
    const auto& interface = state.pipeline.tracker.interfaces.at(key.interface).name;
    const auto timeline = std::find_if(state.timelines.begin(), state.timelines.end(),
                                       [&](const AddressTimeline& t) { return t.key == key; });
    if (timeline == state.timelines.end()) {
      html += "<p class=\"no-timeline\"><code>" + key.ip.to_string() + "</code> on " +
              escape_html(interface) + ": no history recorded for it yet.</p>\n";
      continue;
    }
    std::optional<NeighborMark> now_here;
    if (!key.vlan.tagged()) {
      if (const auto entry = here.find({interface, key.ip}); entry != here.end()) {
        now_here = NeighborMark{.mac = entry->second.lladdr, .state = entry->second.state};
      }
    }
    html += render_timeline(*timeline, interface, now_here, state.taken, state.window, vendors);
  }
  return html;
}

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    "code,.mono{font-family:ui-monospace,monospace}"
    ".timeline{border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:1em 0;"
    "max-width:1240px}"
    ".timeline h3{margin:4px 0 8px;font-size:1.1em}"
    ".verdict{font-size:.8em;padding:2px 8px;border-radius:10px;color:#fff;background:#777;"
    "margin-left:.5em;text-transform:uppercase;letter-spacing:.05em}"
    ".verdict-contested{background:#c0392b}.verdict-flapped{background:#b7950b}"
    ".verdict-moved{background:#2874a6}.verdict-stable{background:#239b56}"
    ".timeline-chart text{font-size:12px;fill:#333}"
    ".timeline-chart .lane-title{font-size:13px;font-weight:600}"
    ".timeline-chart .lane-sub,.timeline-chart .tick{font-size:11px;fill:#666}"
    ".timeline-chart .round-count,.timeline-chart .entry-text{font-size:11px;fill:#fff;"
    "font-weight:600}"
    ".timeline-chart .verdict-label{font-size:11px;font-weight:700}"
    ".legend{font-size:.85em;color:#555}";

}  // namespace

HostEntries host_entries_for(const ArpState& state, const NeighborSource& source) {
  const auto wanted = contested_untagged(state.pipeline.tracker);
  HostEntries here;
  if (wanted.empty()) return here;
  try {
    const auto names = source.interfaces();
    source.neighbors([&](const NeighborEntry& entry) {
      const auto name = names.find(entry.key.ifindex);
      if (name == names.end()) return;
      const NamedAddress key{name->second, ip_of(entry.key)};
      if (wanted.contains(key)) here.insert_or_assign(key, entry);
    });
  } catch (const std::exception&) {
    return {};  // the page is still worth showing without this host's view
  }
  return here;
}

std::string render_status_page(const ArpState& state, const HostEntries& here,
                               const VendorRegistry& vendors, std::string_view telemetry_path) {
  std::string rows;
  for (const auto& claim : state.own_claims) {
    append_claimant_row(rows, "own address claimed by another MAC", claim.interface, claim.vlan,
                        claim.ip, claim.claimant, here, vendors);
  }
  for (const auto& address : state.pipeline.tracker.addresses) {
    if (address.state != AddressState::contested) continue;
    const auto& interface = state.pipeline.tracker.interfaces.at(address.key.interface).name;
    for (const auto& claimant : address.claimants) {
      append_claimant_row(rows, "contested", interface, address.key.vlan, address.key.ip, claimant,
                          here, vendors);
    }
  }

  std::string html = std::string(
                         "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                         // Refreshes itself: in an incident the page is left open on a screen.
                         "<meta http-equiv=\"refresh\" content=\"5\">"
                         "<title>ARP health exporter</title><style>") +
                     kStyle +
                     "</style></head><body>\n"
                     "<h1>ARP health exporter</h1>\n<p>Version " +
                     escape_html(kVersion) + " &middot; <a href=\"" + escape_html(telemetry_path) +
                     "\">Metrics</a> &middot; page generated " + utc_time(state.taken) + "</p>\n";
  html += "<h2>Addresses in trouble</h2>\n";
  if (rows.empty()) {
    html +=
        "<p id=\"no-trouble\">No contested addresses and no foreign claims on this host's "
        "addresses right now.</p>\n";
  } else {
    html +=
        "<p class=\"legend\">The window, one address at a time. One lane per MAC: &#9679; took the "
        "address "
        "over, &#9671; answered a verification probe, pale bar: claiming it. Rounds: red = two or "
        "more MACs answered, green = one, grey = none. Dashed lines: verdict changes. The last "
        "lane is where this host sends packets for the address.</p>\n" +
        render_timelines(state, here, vendors);
    html +=
        "<h2>Every claimant</h2>\n<table "
        "id=\"trouble\"><tr><th>Problem</th><th>Interface</th><th>VLAN</th><th>IP</th>"
        "<th>MAC</th><th>Vendor</th><th>First seen</th><th>Last seen</th><th>Frames</th>"
        "<th>This host's ARP entry</th></tr>\n" +
        rows + "</table>\n";
  }
  html +=
      "<h2>Captures</h2>\n<table><tr><th>Interface</th><th>Up</th><th>Frames</th>"
      "<th>Dropped</th></tr>\n";
  for (const auto& [name, statistics] : state.captures) {
    html += "<tr><td>" + escape_html(name) + "</td><td>" + (statistics.up ? "yes" : "no") +
            "</td><td>" + std::to_string(statistics.received) + "</td><td>" +
            std::to_string(statistics.dropped + statistics.interface_dropped) + "</td></tr>\n";
  }
  html += "</table>\n</body></html>\n";
  return html;
}

}  // namespace arp
