// arp_health_exporter: finds duplicate IP addresses and ARP trouble before people feel it.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>

#include "collectors/arp_collector.h"
#include "collectors/capture_manager.h"
#include "collectors/dad_collector.h"
#include "collectors/neighbor_collector.h"
#include "collectors/process_collector.h"
#include "collectors/trouble_neighbor_feed.h"
#include "collectors/vendor_files.h"
#include "collectors/verifier.h"
#include "exporter/analyze.h"
#include "exporter/check.h"
#include "exporter/config.h"
#include "exporter/config_reload.h"
#include "exporter/http_server.h"
#include "exporter/metrics_endpoint.h"
#include "exporter/status_page.h"
#include "exporter/version.h"

namespace arp {
namespace {

// Neighbour entries whose changes are followed; the kernel's own limit (gc_thresh3) is far below.
constexpr std::size_t kMaxFollowedNeighbors = 4'000'000;
// This host's addresses in DAD trouble (tentative or failed) that are followed; a host has far
// fewer addresses than this in trouble at once, even at boot.
constexpr std::size_t kMaxDadAddresses = 1024;

// Blocks SIGINT, SIGTERM and SIGHUP in every thread started after this, so main can sigwait for
// them.
sigset_t block_handled_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Fails early, with the capability named, instead of logging a retry loop forever.
bool can_capture(std::string& error) {
  const auto probe_interface = "lo";
  std::string open_error;
  if (open_arp_capture(probe_interface, {}, open_error)) return true;
  if (open_error.find("CAP_NET_RAW") == std::string::npos) return true;  // not a privilege issue
  error =
      "packet capture needs the CAP_NET_RAW capability: run as root or grant it with "
      "setcap cap_net_raw+ep";
  return false;
}

// One line for all the missing files: the exporter runs on, every vendor "unknown". The
// commands that print to a terminal say it as they say their other warnings.
void warn_missing_vendor_files(const ExporterConfig& config,
                               const std::vector<std::filesystem::path>& missing, Logger& logger) {
  std::string files;
  for (const auto& path : missing) {
    if (!files.empty()) files += ',';
    files += path.string();
  }
  constexpr auto kWhat = "vendor registry files missing, vendors from them are \"unknown\"";
  constexpr auto kRemedy = "install ieee-data, or --vendor.files= to switch lookups off";
  if (config.analyze || config.check) {
    std::cerr << "warning: " << kWhat << ": " << files << " (" << kRemedy << ")\n";
  } else {
    logger.warn(kWhat, {{"files", files}, {"remedy", kRemedy}});
  }
}

int serve(const ExporterConfig& config, std::vector<std::string> arguments,
          const VendorRegistry& vendors, Logger& logger) {
  std::string error;
  if (config.arp_enabled && !can_capture(error)) {
    std::cerr << "arp_health_exporter: error: " << error << '\n';
    return 2;
  }
  const auto signals = block_handled_signals();

  // Without the sniffer the pipeline stays empty: nothing contested, an empty status page.
  SharedPipeline pipeline(config.tracker, config.filter,
                          config.arp_enabled && config.probe_enabled
                              ? std::optional<ProbePlannerConfig>(config.probe)
                              : std::nullopt);
  std::vector<NamedCollector> collectors;
  std::unique_ptr<CaptureManager> captures;
  std::unique_ptr<Verifier> verifier;
  std::shared_ptr<ArpCollector> arp_collector;
  if (config.arp_enabled) {
    captures = std::make_unique<CaptureManager>(config.interfaces, config.capture,
                                                config.rescan_interval, pipeline, vendors, logger);
    verifier = std::make_unique<Verifier>(
        VerifierOptions{.send_probes = config.probe_enabled, .watch = config.probe_watch}, pipeline,
        *captures, vendors, logger);
    arp_collector =
        std::make_shared<ArpCollector>(pipeline, *captures, vendors, config.max_address_series);
    collectors.push_back({"arp", arp_collector});
  }

  // This host's entries for the addresses in trouble, into their timelines (before the
  // listener that calls it, so it outlives the listener).
  std::unique_ptr<TroubleNeighborFeed> trouble_neighbors;
  if (config.arp_enabled) trouble_neighbors = std::make_unique<TroubleNeighborFeed>(pipeline);
  std::unique_ptr<NeighborEventListener> neighbor_events;
  std::shared_ptr<NeighborCollector> neighbor_collector;
  if (config.neighbor_enabled) {
    try {
      neighbor_events = std::make_unique<NeighborEventListener>(logger, kMaxFollowedNeighbors,
                                                                config.neighbor_event_buffer_bytes,
                                                                trouble_neighbors.get());
    } catch (const std::exception& failure) {
      // The table dump may still work on each scrape; only the change counts are lost.
      logger.error("neighbour events unavailable", {{"err", failure.what()}});
    }
    neighbor_collector = std::make_shared<NeighborCollector>(
        std::make_unique<NetlinkNeighborSource>(), neighbor_events.get(),
        config.arp_enabled ? &pipeline : nullptr, vendors, config.neighbor, logger);
    collectors.push_back({"neighbor", neighbor_collector});
  }
  std::unique_ptr<AddressEventListener> address_events;
  std::shared_ptr<DadCollector> dad_collector;
  if (config.dad_enabled) {
    try {
      address_events = std::make_unique<AddressEventListener>(logger, kMaxDadAddresses);
    } catch (const std::exception& failure) {
      // The collector then reports itself failed on every scrape, never "all addresses fine".
      logger.error("address events unavailable", {{"err", failure.what()}});
    }
    dad_collector = std::make_shared<DadCollector>(address_events.get());
    collectors.push_back({"dad", dad_collector});
  }
  const auto process_collector = std::make_shared<ProcessCollector>();
  collectors.push_back({"process", process_collector});
  const auto reloader = std::make_shared<ConfigReloader>(
      std::move(arguments), config,
      ReloadTargets{
          .pipeline = &pipeline, .verifier = verifier.get(), .neighbors = neighbor_collector.get()},
      logger);
  collectors.push_back({"config", reloader});
  // One snapshot of the sniffer per scrape, shared by the ARP and neighbour collectors.
  ScrapeSnapshot snapshot;
  if (arp_collector) {
    snapshot = [&] { return std::make_shared<const ArpState>(arp_collector->state()); };
  }
  const MetricsEndpoint endpoint(std::move(collectors), logger, std::move(snapshot));

  const NetlinkNeighborSource neighbors;  // the status page's view of this host's table
  std::atomic<bool> ready{false};         // /-/ready: captures started, netlink listener up
  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(
        config.listen, config.telemetry_path,
        [&] {
          return HttpResponse{"text/plain; version=0.0.4; charset=utf-8", endpoint.scrape()};
        },
        [&] {
          ArpState state;  // without the sniffer: nothing in trouble, as of now
          state.taken = std::chrono::system_clock::now();
          if (arp_collector) state = arp_collector->state(StateDetail::page);
          const auto here = host_entries_for(state, neighbors);
          // The page reads the entries anyway: they also give a timeline the entry as it stood
          // before any event changed it (the page shows them as of now either way).
          const auto now = pipeline.now();
          pipeline.with([&](ArpPipeline& p) {
            for (const auto& [address, entry] : here)
              p.note_neighbor(address.first, address.second, neighbor_mark(entry), now);
          });
          return HttpResponse{"text/html; charset=utf-8",
                              render_status_page(state, here, vendors, config.telemetry_path)};
        },
        HttpServerOptions{.web_config_file = config.web_config_file,
                          .ready = [&] { return ready.load(); },
                          .logger = &logger});
  } catch (const WebConfigError& failure) {
    std::cerr << "arp_health_exporter: error: " << failure.what() << '\n';
    return 2;
  } catch (const std::exception& failure) {
    std::cerr << "arp_health_exporter: error: " << failure.what() << '\n';
    return 1;
  }
  // Capture starts only once the port is ours: a failed start leaves nothing half-running.
  if (captures) captures->start();
  ready = true;  // the neighbour listener started above, before the server
  logger.info("listening", {{"address", config.listen.civetweb_option()},
                            {"telemetry_path", config.telemetry_path},
                            {"version", kVersion}});

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) reloader->reload();
  logger.info("shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return 0;
}

}  // namespace
}  // namespace arp

int main(int argc, char** argv) {
  using namespace arp;
  auto parsed = parse_command_line(argc, argv, std::cout, std::cerr);
  if (const auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  auto& config = std::get<ExporterConfig>(parsed);

  Logger logger(config.log_level, config.log_format, std::cerr);
  // Loaded on a second thread: `analyze` reads its capture meanwhile (the registry's 4 MB of CSV
  // took a sixth of a million-frame run); check and the exporter wait for it here.
  const std::vector<std::filesystem::path> vendor_files(config.vendor_files.begin(),
                                                        config.vendor_files.end());
  auto loading = std::async(
      std::launch::async, [&vendor_files] { return load_available_vendor_registry(vendor_files); });
  std::optional<VendorRegistry> loaded_vendors;
  const auto vendors = [&]() -> const VendorRegistry& {
    if (!loaded_vendors) {
      auto loaded = loading.get();  // rethrows why the registry cannot be used
      if (!loaded.missing.empty()) warn_missing_vendor_files(config, loaded.missing, logger);
      loaded_vendors = std::move(loaded.registry);
    }
    return *loaded_vendors;
  };
  try {
    if (config.analyze) {
      AnalyzeOptions options;
      options.files = config.analyze_files;
      options.format =
          config.analyze_json ? AnalyzeOptions::Format::json : AnalyzeOptions::Format::text;
      options.tracker = config.tracker;
      options.filter = config.filter;
      return run_analyze(options, vendors, std::cout, std::cerr);
    }
    vendors();
  } catch (const std::exception& error) {
    std::cerr << "arp_health_exporter: error: " << error.what() << '\n';
    return 2;
  }

  if (config.check) return run_check(config, vendors(), std::cout, std::cerr);
  try {
    return serve(config, std::vector<std::string>(argv, argv + argc), vendors(), logger);
  } catch (const std::exception& failure) {
    // What the edges throw and serve() does not handle (a netlink socket that cannot be made,
    // memory) ends as one line and an exit code, never as std::terminate.
    std::cerr << "arp_health_exporter: error: " << failure.what() << '\n';
    return 1;
  }
}
