#include "exporter/config.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>
#include <span>

#include "collectors/vendor_files.h"
#include "core/duration.h"
#include "exporter/version.h"

namespace arp {
namespace {

// CLI11 validators return an error text, or "" when the value is fine.
std::string check_duration(const std::string& text) {
  const auto duration = parse_duration(text);
  if (!duration || *duration <= Duration::zero()) {
    return "\"" + text + "\" is not a positive duration such as 30s, 5m or 1h";
  }
  return {};
}

std::string check_regex(const std::string& text) {
  try {
    std::regex pattern(text);
  } catch (const std::regex_error& error) {
    return "\"" + text + "\" is not a valid regular expression: " + error.what();
  }
  return {};
}

// The raw text of every option, converted and checked after CLI11 has parsed it all.
struct RawOptions {
  std::string listen_address = kDefaultListenAddress;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string include;
  std::string exclude;
  std::string neighbor_include;
  std::string neighbor_exclude;
  std::string window = "5m";
  std::string rescan = "5s";
  std::string forget_after = "30s";
  std::vector<std::string> ignore;
  std::vector<std::string> watch;
  std::string format = "text";
  std::string probe_address_interval = "10s";
  std::string probe_own_interval = "30s";
  std::string probe_watch_interval = "5m";
  std::vector<std::string> probe_watch;
  std::string check_ip;
  std::string check_timeout = "1s";
  std::string check_format = "text";
};

// Sweeping more than a /16 would take longer than any useful interval at a polite rate.
constexpr unsigned kWidestProbeWatch = 16;

void define_probe_options(CLI::App& app, ExporterConfig& config, RawOptions& raw) {
  app.add_flag("--collector.arp.probe,!--no-collector.arp.probe", config.probe_enabled,
               "Verify claims by sending ARP probes (sender 0.0.0.0) on captured interfaces "
               "(default on; off: strictly passive, nothing is ever sent)");
  app.add_option("--collector.arp.probe.rate", config.probe.probes_per_second,
                 "Most probes per second, every interface together")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1000.0));
  app.add_option("--collector.arp.probe.address-interval", raw.probe_address_interval,
                 "Least time between two verification rounds for one address")
      ->capture_default_str()
      ->check(check_duration);
  app.add_option("--collector.arp.probe.own-interval", raw.probe_own_interval,
                 "How often each of this host's own addresses is probed (RFC 5227 ongoing "
                 "detection; DAD solicitations for IPv6)")
      ->capture_default_str()
      ->check(check_duration);
  app.add_option("--collector.arp.probe.watch", raw.probe_watch,
                 "IPv4 address or CIDR (at most a /16) whose addresses to re-verify now and then, "
                 "to find silent rogues; repeatable")
      ->check([](const std::string& text) -> std::string {
        const auto network = Ipv4Network::parse(text);
        if (!network) return "\"" + text + "\" is not an IPv4 address or CIDR block";
        if (network->prefix_length() < kWidestProbeWatch) {
          return "\"" + text + "\" is wider than a /" + std::to_string(kWidestProbeWatch);
        }
        return std::string();
      });
  app.add_option("--collector.arp.probe.watch-interval", raw.probe_watch_interval,
                 "How often each watched address is re-verified")
      ->capture_default_str()
      ->check(check_duration);
}

void define_check_command(CLI::App& check, ExporterConfig& config, RawOptions& raw) {
  check.add_option("ip", raw.check_ip, "The IPv4 or IPv6 address to ask about")
      ->required()
      ->check([](const std::string& text) {
        const auto ip = IpAddress::parse(text);
        if (ip && ip->is_ipv6_multicast())
          return "\"" + text + "\" is a multicast address: nobody owns it";
        return ip && !ip->is_unspecified() ? std::string()
                                           : "\"" + text + "\" is not an IPv4 or IPv6 address";
      });
  check.add_option("-i,--interface", config.check_interface,
                   "Interface to probe on (default: the one whose subnet holds the address; "
                   "required for an IPv6 link-local address)");
  check.add_option("--count", config.check_count, "Probes to send, 250 ms apart")
      ->capture_default_str()
      ->check(CLI::Range(1U, 100U));
  check.add_option("--timeout", raw.check_timeout, "How long to listen after the last probe")
      ->capture_default_str()
      ->check(check_duration);
  check.add_option("--format", raw.check_format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
}

void define_exporter_options(CLI::App& app, ExporterConfig& config, RawOptions& raw) {
  app.add_option("--web.listen-address", raw.listen_address,
                 "Address to serve /metrics and the status page on: [host]:port, host numeric")
      ->capture_default_str()
      ->check([](const std::string& text) {
        return ListenAddress::parse(text) ? std::string()
                                          : "\"" + text +
                                                "\" is not [host]:port with a numeric host and a "
                                                "port from 1 to 65535";
      });
  app.add_option("--web.telemetry-path", config.telemetry_path, "Path of the metrics endpoint")
      ->capture_default_str()
      ->check([](const std::string& path) {
        return !path.empty() && path.front() == '/' && path != "/"
                   ? std::string()
                   : "must start with / and not be /";
      });
  app.add_option("--web.config.file", config.web_config_file,
                 "exporter-toolkit web configuration (YAML): TLS, client certificates, basic "
                 "auth, response headers; re-read on every request and TLS handshake");
  app.add_option("--log.level", raw.log_level, "debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log.format", raw.log_format, "logfmt or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"logfmt", "json"}));
  app.add_flag(
      "--collector.arp,!--no-collector.arp", config.arp_enabled,
      "Sniff ARP and Neighbor Discovery with libpcap, which needs CAP_NET_RAW (default on)");
  app.add_option("--collector.arp.interfaces-include", raw.include,
                 "Capture only on interfaces whose name matches this regex (then no IP "
                 "address is required: mirror ports)")
      ->check(check_regex);
  app.add_option("--collector.arp.interfaces-exclude", raw.exclude,
                 "Never capture on interfaces whose name matches this regex")
      ->check(check_regex);
  app.add_option("--collector.arp.snaplen", config.capture.snapshot_length,
                 "Bytes captured per frame")
      ->capture_default_str()
      ->check(CLI::Range(64, 65535));
  app.add_option("--collector.arp.buffer-size", config.capture.buffer_bytes,
                 "Kernel capture buffer per interface, bytes")
      ->capture_default_str()
      ->check(CLI::Range(64 * 1024, 1024 * 1024 * 1024));
  app.add_flag("--collector.arp.promiscuous", config.capture.promiscuous,
               "Capture in promiscuous mode (mirror/SPAN ports)");
  app.add_option("--collector.arp.rescan-interval", raw.rescan,
                 "How often to look for new, vanished or returning interfaces")
      ->capture_default_str()
      ->check(check_duration);
  app.add_option("--collector.arp.forget-after", raw.forget_after,
                 "How long a vanished interface keeps its capture state and series before it is "
                 "forgotten")
      ->capture_default_str()
      ->check(check_duration);
  app.add_option("--collector.arp.max-series", config.max_address_series,
                 "Most per-IP series (samples) for addresses in trouble; whole addresses are "
                 "left out beyond it, counted in arp_address_series_omitted")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
}

void define_tracker_options(CLI::App& app, ExporterConfig& config, RawOptions& raw) {
  app.add_option("--collector.arp.window", raw.window,
                 "How long a claim counts: two MACs claiming one IP within it is a conflict")
      ->capture_default_str()
      ->check(check_duration);
  app.add_option("--collector.arp.max-addresses", config.tracker.max_addresses,
                 "Most addresses tracked; the least recently claimed are evicted beyond it")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  app.add_option("--collector.arp.ignore", raw.ignore,
                 "IP, CIDR or MAC that legitimately shares addresses (VRRP/CARP virtual MAC, "
                 "bonding); repeatable")
      ->check([](const std::string& rule) {
        ClaimFilter probe;
        const auto result = probe.add_rule(rule);
        return result ? std::string() : result.error();
      });
  app.add_option("--vendor.files", config.vendor_files,
                 "IEEE registry CSV files (Debian's ieee-data) for MAC vendor names; missing ones "
                 "are one warning, an empty value (--vendor.files=) switches lookups off")
      ->capture_default_str();
}

void define_neighbor_options(CLI::App& app, ExporterConfig& config, RawOptions& raw) {
  app.add_flag("--collector.neighbor,!--no-collector.neighbor", config.neighbor_enabled,
               "Collect the kernel's neighbour table over netlink (default on)");
  app.add_option("--collector.neighbor.watch", raw.watch,
                 "IP or CIDR (IPv4 or IPv6) whose neighbour entry to export as "
                 "arp_neighbor_lladdr_info; repeatable")
      ->check([](const std::string& text) {
        WatchList probe;
        return probe.add(text).value_or(std::string());
      });
  app.add_option("--collector.neighbor.interfaces-include", raw.neighbor_include,
                 "Export neighbour series only for interfaces whose whole name matches this "
                 "regex (the gc_thresh totals still count every entry)")
      ->check(check_regex);
  app.add_option("--collector.neighbor.interfaces-exclude", raw.neighbor_exclude,
                 "Export no neighbour series for interfaces whose whole name matches this regex")
      ->check(check_regex);
  app.add_option("--collector.neighbor.max-series", config.neighbor.max_series,
                 "Most per-IP neighbour series per scrape")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
  app.add_option("--collector.neighbor.event-buffer-size", config.neighbor_event_buffer_bytes,
                 "Receive buffer of the netlink event socket, bytes (overruns resynchronise)")
      ->capture_default_str()
      ->check(CLI::Range(4096, 256 * 1024 * 1024));
}

void define_dad_options(CLI::App& app, ExporterConfig& config) {
  app.add_flag("--collector.dad,!--no-collector.dad", config.dad_enabled,
               "Report this host's addresses whose Duplicate Address Detection failed or is "
               "under way, from netlink address events (default on)");
}

void apply(const RawOptions& raw, ExporterConfig& config) {
  config.listen = *ListenAddress::parse(raw.listen_address);
  config.log_level = *parse_log_level(raw.log_level);
  config.log_format = *parse_log_format(raw.log_format);
  if (!raw.include.empty()) config.interfaces.include.emplace(raw.include);
  if (!raw.exclude.empty()) config.interfaces.exclude.emplace(raw.exclude);
  config.tracker.window = *parse_duration(raw.window);
  config.rescan_interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(*parse_duration(raw.rescan));
  config.capture.forget_after =
      std::chrono::duration_cast<std::chrono::milliseconds>(*parse_duration(raw.forget_after));
  for (const auto& rule : raw.ignore) (void)config.filter.add_rule(rule);
  for (const auto& network : raw.watch) (void)config.neighbor.watch.add(network);
  if (!raw.neighbor_include.empty())
    config.neighbor.interfaces_include.emplace(raw.neighbor_include);
  if (!raw.neighbor_exclude.empty())
    config.neighbor.interfaces_exclude.emplace(raw.neighbor_exclude);
  config.analyze_json = raw.format == "json";
  config.probe.address_interval = *parse_duration(raw.probe_address_interval);
  config.probe.own_interval = *parse_duration(raw.probe_own_interval);
  config.probe.watch_interval = *parse_duration(raw.probe_watch_interval);
  // One second's worth: at most rate x (seconds + 1) probes in any stretch of time.
  config.probe.burst = std::max(2.0, config.probe.probes_per_second);
  for (const auto& network : raw.probe_watch)
    config.probe_watch.push_back(*Ipv4Network::parse(network));
  if (!raw.check_ip.empty()) config.check_ip = *IpAddress::parse(raw.check_ip);
  config.check_timeout = *parse_duration(raw.check_timeout);
  config.check_json = raw.check_format == "json";
  // --vendor.files= (an empty value) means no registry at all, not a file named "".
  std::erase(config.vendor_files, std::string());
}

// "--name=" is the option with an empty value, as in Go's flag package (--vendor.files= turns
// lookups off). CLI11 would instead take the next argument as the value; given apart, the empty
// value is one. CLI11's parse(vector) wants the arguments in reverse order, program name left out.
std::vector<std::string> explicit_empty_values(int argc, const char* const* argv) {
  const std::span<const char* const> given(argv, static_cast<std::size_t>(argc));
  std::vector<std::string> arguments;
  for (std::size_t i = given.size(); i-- > 1;) {
    const std::string_view argument = given[i];
    if (argument.starts_with("--") && argument.size() > 3 && argument.ends_with('=') &&
        argument.find('=') == argument.size() - 1) {
      arguments.emplace_back();
      arguments.emplace_back(argument.substr(0, argument.size() - 1));
    } else {
      arguments.emplace_back(argument);
    }
  }
  return arguments;
}

// As the user gave it, or the default: the same input always gives the same text.
std::map<std::string, std::string, std::less<>> settings_of(const CLI::App& app) {
  std::map<std::string, std::string, std::less<>> settings;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_lnames().empty()) continue;
    std::string value = option->get_default_str();
    if (option->count() > 0) {
      value.clear();
      for (const auto& result : option->results()) {
        if (!value.empty()) value += ", ";
        value += result;
      }
    }
    settings.emplace(option->get_lnames().front(), std::move(value));
  }
  return settings;
}

}  // namespace

std::variant<ExporterConfig, int> parse_command_line(int argc, const char* const* argv,
                                                     std::ostream& out, std::ostream& err) {
  ExporterConfig config;
  for (const auto& file : default_vendor_files()) config.vendor_files.push_back(file.string());
  RawOptions raw;

  CLI::App app{"arp_health_exporter: finds duplicate IP addresses and ARP trouble, for Prometheus"};
  app.set_version_flag("--version", std::string("arp_health_exporter ") + kVersion);
  app.set_config("--config.file", "",
                 "Read flags from this file (key = value, keys are the "
                 "long flag names)");
  // Flag names contain dots; they must not be read as config-file sections.
  app.get_config_formatter_base()->parentSeparator('\0');
  app.allow_config_extras(false);  // a misspelt key is an error, not silently ignored
  define_exporter_options(app, config, raw);
  define_tracker_options(app, config, raw);
  define_neighbor_options(app, config, raw);
  define_probe_options(app, config, raw);
  define_dad_options(app, config);

  auto* analyze = app.add_subcommand("analyze",
                                     "Read pcap/pcapng files and report conflicts "
                                     "(exit 0: none, 1: conflicts, 2: error)");
  analyze->add_option("files", config.analyze_files, "Capture files (- reads standard input)")
      ->required()
      // "-" is standard input, which no file check would pass.
      ->check(
          [](const std::string& path) {
            return path == "-" ? std::string() : CLI::ExistingFile(path);
          },
          "FILE");
  analyze->add_option("--format", raw.format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));

  auto* check =
      app.add_subcommand("check",
                         "Ask the segment who answers for an IPv4 or IPv6 address (exit 0: one "
                         "MAC, 1: two or more, 3: none, 2: error)");
  define_check_command(*check, config, raw);

  if (argc > 0) app.name(argv[0]);  // as parse(argc, argv) would, for the usage line
  try {
    app.parse(explicit_empty_values(argc, argv));
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& version) {
    out << version.what() << '\n';
    return 0;
  } catch (const CLI::ParseError& error) {
    std::string message = error.what();
    // CLI11 words an unknown config-file key as a parse failure; say what it is.
    constexpr std::string_view kExtra = "INI was not able to parse ";
    if (message.starts_with(kExtra)) {
      message = "config file: unknown key \"" + message.substr(kExtra.size()) + "\"";
    }
    std::replace(message.begin(), message.end(), '\n', ' ');
    err << "arp_health_exporter: error: " << message << '\n';
    return 2;
  }
  config.analyze = analyze->parsed();
  config.check = check->parsed();
  apply(raw, config);
  config.settings = settings_of(app);
  return config;
}

}  // namespace arp
