#include "exporter/status_page.h"

#include <ctime>

#include "exporter/version.h"

namespace arp {
namespace {

std::string escape_html(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

std::string utc_time(Timestamp time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return {text.data(), length};
}

// What this host's table says of one claimant: whether packets from here go to that MAC.
std::string used_here(const HostEntries& here, const std::string& interface, Ipv4Address ip,
                      const MacAddress& mac) {
  const auto entry = here.find({interface, ip});
  if (entry == here.end() || !entry->second.lladdr || *entry->second.lladdr != mac) return "";
  return "this host sends here (" + std::string(to_string(entry->second.state)) + ")";
}

void append_claimant_row(std::string& html, std::string_view kind, const std::string& interface,
                         const Vlan& vlan, Ipv4Address ip, const Claimant& claimant,
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

}  // namespace

HostEntries host_entries_for(const ArpState& state, const NeighborSource& source) {
  const auto wanted = contested_untagged(state.pipeline.tracker);
  HostEntries here;
  if (wanted.empty()) return here;
  try {
    const auto names = source.interfaces();
    source.neighbors([&](const NeighborEntry& entry) {
      if (entry.key.family != NeighborFamily::inet) return;
      const auto name = names.find(entry.key.ifindex);
      if (name == names.end()) return;
      const NamedAddress key{name->second, ipv4_of(entry.key)};
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

  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ARP health exporter</title>"
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>\n"
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
        "<table id=\"trouble\"><tr><th>Problem</th><th>Interface</th><th>VLAN</th><th>IP</th>"
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
