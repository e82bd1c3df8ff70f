#include "exporter/config_reload.h"

#include <algorithm>
#include <sstream>

#include "collectors/metric_family.h"

namespace arp {
namespace {

bool reloadable(std::string_view setting) {
  return std::find(kReloadableSettings.begin(), kReloadableSettings.end(), setting) !=
         kReloadableSettings.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty()) text += ',';
    text += name;
  }
  return text;
}

// parse_command_line's one line, without its program prefix and newline.
std::string error_line(const std::string& err) {
  constexpr std::string_view kPrefix = "arp_health_exporter: error: ";
  std::string line = err.substr(0, err.find('\n'));
  if (line.starts_with(kPrefix)) line.erase(0, kPrefix.size());
  return line.empty() ? "the configuration could not be read" : line;
}

}  // namespace

ConfigChanges compare_settings(const ExporterConfig& running, const ExporterConfig& next) {
  ConfigChanges changes;
  const auto differs = [&](const std::string& name, const std::string& value) {
    const auto other = running.settings.find(name);
    if (other != running.settings.end() && other->second == value) return;
    (reloadable(name) ? changes.applied : changes.need_restart).push_back(name);
  };
  for (const auto& [name, value] : next.settings) differs(name, value);
  // A setting the running configuration had and the new one lacks cannot arise from one
  // binary's parser; counted all the same, so that nothing changes unseen.
  for (const auto& [name, value] : running.settings) {
    if (!next.settings.contains(name)) changes.need_restart.push_back(name);
  }
  return changes;
}

ExporterConfig merge_reloadable(const ExporterConfig& running, const ExporterConfig& next) {
  ExporterConfig merged = running;
  merged.filter = next.filter;
  merged.probe = next.probe;
  merged.probe_watch = next.probe_watch;
  merged.neighbor.watch = next.neighbor.watch;
  merged.log_level = next.log_level;
  for (const auto setting : kReloadableSettings) {
    const auto value = next.settings.find(setting);
    if (value != next.settings.end()) merged.settings.insert_or_assign(value->first, value->second);
  }
  return merged;
}

ConfigReloader::ConfigReloader(std::vector<std::string> arguments, ExporterConfig running,
                               ReloadTargets targets, Logger& logger)
    : arguments_(std::move(arguments)),
      running_(std::move(running)),
      targets_(targets),
      logger_(logger) {}

bool ConfigReloader::reload() {
  std::vector<const char*> argv;
  argv.reserve(arguments_.size() + 1);
  for (const auto& argument : arguments_) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  std::ostringstream out;
  std::ostringstream err;
  auto parsed = parse_command_line(static_cast<int>(arguments_.size()), argv.data(), out, err);
  const auto* next = std::get_if<ExporterConfig>(&parsed);
  const auto file = running_.settings.contains("config.file") ? running_.settings.at("config.file")
                                                              : std::string();
  if (next == nullptr) {
    {
      const std::lock_guard lock(status_mutex_);
      ++failures_;
      last_successful_ = false;
    }
    logger_.error("configuration reload failed, keeping the running configuration",
                  {{"file", file}, {"err", error_line(err.str())}});
    return false;
  }

  const auto changes = compare_settings(running_, *next);
  apply(*next, changes);
  {
    const std::lock_guard lock(status_mutex_);
    ++successes_;
    last_successful_ = true;
    last_success_ = std::chrono::system_clock::now();
  }
  // The line that says a level changed is logged at the more verbose of the two levels.
  const bool more_verbose = next->log_level < running_.log_level;
  if (more_verbose) logger_.set_level(next->log_level);
  logger_.info(
      "configuration reloaded",
      {{"file", file}, {"changed", changes.applied.empty() ? "none" : joined(changes.applied)}});
  if (!changes.need_restart.empty()) {
    logger_.warn("configuration change needs a restart, keeping the running value",
                 {{"settings", joined(changes.need_restart)}});
  }
  if (!more_verbose) logger_.set_level(next->log_level);
  running_ = merge_reloadable(running_, *next);
  return true;
}

void ConfigReloader::apply(const ExporterConfig& next, const ConfigChanges& changes) {
  const auto changed = [&](std::string_view setting) {
    return std::find(changes.applied.begin(), changes.applied.end(), setting) !=
           changes.applied.end();
  };
  const bool probing_changed =
      changed("collector.arp.probe.rate") || changed("collector.arp.probe.address-interval") ||
      changed("collector.arp.probe.own-interval") || changed("collector.arp.probe.watch-interval");
  if (targets_.pipeline != nullptr && (changed("collector.arp.ignore") || probing_changed)) {
    const auto now = targets_.pipeline->now();
    targets_.pipeline->with([&](ArpPipeline& pipeline) {
      if (changed("collector.arp.ignore")) pipeline.set_filter(next.filter);
      if (probing_changed) pipeline.reconfigure_probing(next.probe, now);
    });
  }
  if (targets_.verifier != nullptr && changed("collector.arp.probe.watch")) {
    targets_.verifier->set_watch(next.probe_watch);
  }
  if (targets_.neighbors != nullptr && changed("collector.neighbor.watch")) {
    targets_.neighbors->set_watch(next.neighbor.watch);
  }
}

std::vector<prometheus::MetricFamily> ConfigReloader::Collect() const {
  const std::lock_guard lock(status_mutex_);
  const std::chrono::duration<double> since_epoch = last_success_.time_since_epoch();
  return {
      counter("arp_exporter_config_reloads_total",
              "Reloads of --config.file (SIGHUP), by result: failure keeps the running "
              "configuration.")
          .add({{"result", "success"}}, static_cast<double>(successes_))
          .add({{"result", "failure"}}, static_cast<double>(failures_))
          .build(),
      gauge("arp_exporter_config_last_reload_successful",
            "1 if the last configuration load (start-up or SIGHUP) succeeded, 0 if it failed.")
          .add({}, last_successful_ ? 1 : 0)
          .build(),
      gauge("arp_exporter_config_last_reload_success_timestamp_seconds",
            "When the configuration was last loaded successfully (start-up or SIGHUP), Unix time.")
          .add({}, since_epoch.count())
          .build(),
  };
}

}  // namespace arp
