// Command line and config file (CLI11): every flag can also be a `key = value` line in the file
// named by --config.file, with the flag's long name as the key.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "collectors/arp_capture.h"
#include "collectors/capture_manager.h"
#include "collectors/logger.h"
#include "collectors/neighbor_collector.h"
#include "collectors/watch_list.h"
#include "core/claim_filter.h"
#include "core/claim_tracker.h"
#include "core/probe_planner.h"
#include "exporter/listen_address.h"

namespace arp {

inline constexpr const char* kDefaultListenAddress = ":10711";

struct ExporterConfig {
  ListenAddress listen;  // from --web.listen-address, kDefaultListenAddress unless given
  std::string telemetry_path = "/metrics";
  std::string web_config_file;  // --web.config.file: TLS, basic auth, headers; "" for none
  LogLevel log_level = LogLevel::info;
  LogFormat log_format = LogFormat::logfmt;

  InterfaceSelection interfaces;
  CaptureOptions capture;
  std::chrono::milliseconds rescan_interval{5000};
  ClaimTrackerConfig tracker;
  ClaimFilter filter;
  std::size_t max_address_series = 1000;
  std::vector<std::string> vendor_files;

  bool arp_enabled = true;  // the sniffer; off, the exporter needs no CAP_NET_RAW

  // Active verification: off (--no-collector.arp.probe), the exporter never sends a frame.
  bool probe_enabled = true;
  ProbePlannerConfig probe;
  std::vector<Ipv4Network> probe_watch;

  bool neighbor_enabled = true;
  NeighborCollectorOptions neighbor;  // watch list, series cap, interface filter
  int neighbor_event_buffer_bytes = 4 * 1024 * 1024;

  // This host's addresses whose IPv6 Duplicate Address Detection failed or is under way, from
  // netlink address events (--no-collector.dad: no socket, no series).
  bool dad_enabled = true;

  // `analyze FILE...`: read captures instead of serving metrics.
  bool analyze = false;
  std::vector<std::string> analyze_files;
  bool analyze_json = false;

  // `check IP`: ask the segment who answers for one address, print it, exit.
  bool check = false;
  IpAddress check_ip;           // either family: ARP probes for IPv4, DAD solicitations for IPv6
  std::string check_interface;  // empty: the interface whose subnet holds check_ip
  unsigned check_count = 3;
  Duration check_timeout = std::chrono::seconds(1);
  bool check_json = false;

  // Every flag's value as parsed (command line over config file over default), by its long
  // name without dashes: what a reload (SIGHUP) compares to see what changed.
  std::map<std::string, std::string, std::less<>> settings;
};

// The parsed configuration, or the exit code to leave with: 0 after --help or --version, 2 after
// a bad flag, value or config file (one line on `err` saying which).
std::variant<ExporterConfig, int> parse_command_line(int argc, const char* const* argv,
                                                     std::ostream& out, std::ostream& err);

}  // namespace arp
