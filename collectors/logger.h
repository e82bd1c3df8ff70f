// One line per event, logfmt (or JSON) on stderr, where journald and kubectl logs pick it up.
#pragma once

#include <atomic>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arp {

enum class LogLevel { debug, info, warn, error };
enum class LogFormat { logfmt, json };

std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);
std::optional<LogFormat> parse_log_format(std::string_view text);

using LogFields = std::vector<std::pair<std::string_view, std::string>>;

// Thread-safe: capture threads, the HTTP workers and main all log through one Logger.
class Logger {
 public:
  Logger(LogLevel level, LogFormat format, std::ostream& out);

  void log(LogLevel level, std::string_view message, const LogFields& fields = {});
  void debug(std::string_view message, const LogFields& fields = {}) {
    log(LogLevel::debug, message, fields);
  }
  void info(std::string_view message, const LogFields& fields = {}) {
    log(LogLevel::info, message, fields);
  }
  void warn(std::string_view message, const LogFields& fields = {}) {
    log(LogLevel::warn, message, fields);
  }
  void error(std::string_view message, const LogFields& fields = {}) {
    log(LogLevel::error, message, fields);
  }
  bool enabled(LogLevel level) const { return level >= level_.load(std::memory_order_relaxed); }
  // SIGHUP: lines logged from the next call on, on every thread, use the new level.
  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }

 private:
  std::atomic<LogLevel> level_;
  LogFormat format_;
  std::ostream& out_;
  std::mutex mutex_;
};

// Formats one line without the trailing newline; exposed for tests.
std::string format_log_line(LogFormat format, std::string_view timestamp, LogLevel level,
                            std::string_view message, const LogFields& fields);

}  // namespace arp
