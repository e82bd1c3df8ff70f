// process_* metrics with the meaning every Prometheus client library gives them (CPU, memory,
// file descriptors, start time), read from /proc/self on each scrape. The /proc text is parsed
// by pure functions, tested on fixed text.
#pragma once

#include <prometheus/collectable.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace arp {

// The fields of /proc/<pid>/stat (proc(5)) the metrics need.
struct ProcStat {
  std::uint64_t user_ticks = 0;      // utime, field 14
  std::uint64_t system_ticks = 0;    // stime, field 15
  std::uint64_t start_ticks = 0;     // starttime, field 22: clock ticks after boot
  std::uint64_t virtual_bytes = 0;   // vsize, field 23
  std::uint64_t resident_pages = 0;  // rss, field 24
};

// nullopt when the text is not a stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// The "btime" line of /proc/stat: boot time, seconds since the epoch.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

// The soft "Max open files" limit of /proc/<pid>/limits; +infinity for "unlimited".
std::optional<double> parse_max_open_files(std::string_view limits);

struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;
};

std::vector<prometheus::MetricFamily> render_process_metrics(const ProcessSample& sample);

class ProcessCollector : public prometheus::Collectable {
 public:
  // Throws std::runtime_error when /proc/self cannot be read (the scrape marks it failed).
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace arp
