#include "collectors/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "collectors/metric_family.h"

namespace arp {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Whitespace-separated words of one line.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t position = 0;
  while (position < line.size()) {
    const auto start = line.find_first_not_of(" \t\n", position);
    if (start == std::string_view::npos) break;
    const auto end = line.find_first_of(" \t\n", start);
    out.push_back(
        line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    position = end == std::string_view::npos ? line.size() : end;
  }
  return out;
}

std::string read_file(const char* path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error(std::string("cannot read ") + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Entries of /proc/self/fd, less the one reading it.
double count_open_fds() {
  DIR* directory = opendir("/proc/self/fd");
  if (directory == nullptr) throw std::runtime_error("cannot read /proc/self/fd");
  const int own = dirfd(directory);
  double count = 0;
  while (const dirent* entry = readdir(directory)) {
    const auto fd = number(entry->d_name);
    if (fd && static_cast<int>(*fd) != own) ++count;
  }
  closedir(directory);
  return count;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // After ')': field 3 (state) onwards.
  const auto fields = words(text.substr(close + 1));
  constexpr std::size_t kFirst = 3;
  const auto field = [&](std::size_t n) -> std::optional<std::uint64_t> {
    if (n - kFirst >= fields.size()) return std::nullopt;
    return number(fields[n - kFirst]);
  };
  const auto user = field(14);
  const auto system = field(15);
  const auto start = field(22);
  const auto vsize = field(23);
  const auto rss = field(24);
  if (!user || !system || !start || !vsize || !rss) return std::nullopt;
  return ProcStat{*user, *system, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
  std::size_t position = 0;
  while (position < proc_stat.size()) {
    const auto end = proc_stat.find('\n', position);
    const auto line = proc_stat.substr(
        position, end == std::string_view::npos ? std::string_view::npos : end - position);
    const auto parts = words(line);
    if (parts.size() == 2 && parts[0] == "btime") return number(parts[1]);
    if (end == std::string_view::npos) break;
    position = end + 1;
  }
  return std::nullopt;
}

std::optional<double> parse_max_open_files(std::string_view limits) {
  constexpr std::string_view kName = "Max open files";
  const auto at = limits.find(kName);
  if (at == std::string_view::npos) return std::nullopt;
  auto line = limits.substr(at + kName.size());
  line = line.substr(0, line.find('\n'));
  const auto parts = words(line);  // soft, hard, units
  if (parts.empty()) return std::nullopt;
  if (parts[0] == "unlimited") return std::numeric_limits<double>::infinity();
  const auto soft = number(parts[0]);
  if (!soft) return std::nullopt;
  return static_cast<double>(*soft);
}

std::vector<prometheus::MetricFamily> render_process_metrics(const ProcessSample& sample) {
  std::vector<prometheus::MetricFamily> families;
  families.push_back(
      counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
          .add({}, sample.cpu_seconds)
          .build());
  families.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
                         .add({}, sample.resident_bytes)
                         .build());
  families.push_back(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
                         .add({}, sample.virtual_bytes)
                         .build());
  families.push_back(gauge("process_open_fds", "Number of open file descriptors.")
                         .add({}, sample.open_fds)
                         .build());
  families.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.")
                         .add({}, sample.max_fds)
                         .build());
  families.push_back(
      gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
          .add({}, sample.start_time_seconds)
          .build());
  return families;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  const auto stat = parse_proc_stat(read_file("/proc/self/stat"));
  if (!stat) throw std::runtime_error("/proc/self/stat: unexpected format");
  const auto boot = parse_boot_time(read_file("/proc/stat"));
  if (!boot) throw std::runtime_error("/proc/stat: no btime line");
  const auto max_fds = parse_max_open_files(read_file("/proc/self/limits"));
  if (!max_fds) throw std::runtime_error("/proc/self/limits: no Max open files line");
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessSample sample;
  sample.cpu_seconds = static_cast<double>(stat->user_ticks + stat->system_ticks) / ticks;
  sample.resident_bytes = static_cast<double>(stat->resident_pages) * page;
  sample.virtual_bytes = static_cast<double>(stat->virtual_bytes);
  sample.open_fds = count_open_fds();
  sample.max_fds = *max_fds;
  sample.start_time_seconds =
      static_cast<double>(*boot) + static_cast<double>(stat->start_ticks) / ticks;
  return render_process_metrics(sample);
}

}  // namespace arp
