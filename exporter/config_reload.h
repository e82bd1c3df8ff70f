// SIGHUP: read --config.file again, merged with the command line exactly as at start-up (the
// same parse_command_line), and apply what can change while the exporter runs, keeping every
// claim, verdict, timeline and counter. What cannot change without a restart keeps its running
// value and is named in one log line; a file that does not parse changes nothing.
#pragma once

#include <prometheus/collectable.h>

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/logger.h"
#include "collectors/neighbor_collector.h"
#include "collectors/shared_pipeline.h"
#include "collectors/verifier.h"
#include "exporter/config.h"

namespace arp {

// The settings a reload applies while running (long flag names); every other one needs a restart.
inline constexpr std::array<std::string_view, 8> kReloadableSettings = {
    "collector.arp.ignore",
    "collector.arp.probe.rate",
    "collector.arp.probe.address-interval",
    "collector.arp.probe.own-interval",
    "collector.arp.probe.watch",
    "collector.arp.probe.watch-interval",
    "collector.neighbor.watch",
    "log.level",
};

struct ConfigChanges {
  std::vector<std::string> applied;       // reloadable settings whose value changed
  std::vector<std::string> need_restart;  // the others whose value changed, kept as they run
  bool empty() const { return applied.empty() && need_restart.empty(); }
};

// Which settings differ between the running configuration and the one just read.
ConfigChanges compare_settings(const ExporterConfig& running, const ExporterConfig& next);

// The configuration to run with after a reload: `running` with the reloadable settings of `next`.
ExporterConfig merge_reloadable(const ExporterConfig& running, const ExporterConfig& next);

// What a reload changes in the running exporter; a null part is switched off.
struct ReloadTargets {
  SharedPipeline* pipeline = nullptr;      // ignore list, probe settings
  Verifier* verifier = nullptr;            // probe watch sweep
  NeighborCollector* neighbors = nullptr;  // neighbour watch list
};

// Also the collector of the reload metrics (arp_exporter_config_*).
class ConfigReloader : public prometheus::Collectable {
 public:
  // `arguments`: the program's argv, as at start-up; `running`: what it was parsed into.
  ConfigReloader(std::vector<std::string> arguments, ExporterConfig running, ReloadTargets targets,
                 Logger& logger);

  // Reads the file again and applies it; one log line either way (and one more naming the
  // settings that need a restart). False when the file could not be read or was invalid.
  bool reload();

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void apply(const ExporterConfig& next, const ConfigChanges& changes);

  const std::vector<std::string> arguments_;
  ExporterConfig running_;  // only the thread calling reload() touches it
  const ReloadTargets targets_;
  Logger& logger_;

  mutable std::mutex status_mutex_;  // reload() writes, scrapes read
  std::uint64_t successes_ = 0;
  std::uint64_t failures_ = 0;
  bool last_successful_ = true;  // the configuration read at start-up counts as a success
  std::chrono::system_clock::time_point last_success_ = std::chrono::system_clock::now();
};

}  // namespace arp
