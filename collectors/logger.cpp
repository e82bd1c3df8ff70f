#include "collectors/logger.h"

#include <array>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <ostream>

namespace arp {
namespace {

// logfmt values are bare when they can be, quoted with \" and \\ escaped otherwise.
void append_logfmt_value(std::string& line, std::string_view value) {
  const bool bare = !value.empty() && value.find_first_of(" =\"\\\n\t") == std::string_view::npos;
  if (bare) {
    line += value;
    return;
  }
  line.push_back('"');
  for (const char c : value) {
    if (c == '"' || c == '\\') line.push_back('\\');
    if (c == '\n') {
      line += "\\n";
      continue;
    }
    line.push_back(c);
  }
  line.push_back('"');
}

std::string now_rfc3339() {
  const auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto millis = (now - seconds).count();
  const std::time_t time = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::array<char, 32> text{};
  const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  std::string result(text.data(), length);
  result += '.';
  result += std::to_string(1000 + millis).substr(1);
  result += 'Z';
  return result;
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (const auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    if (text == to_string(level)) return level;
  }
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "logfmt") return LogFormat::logfmt;
  if (text == "json") return LogFormat::json;
  return std::nullopt;
}

std::string format_log_line(LogFormat format, std::string_view timestamp, LogLevel level,
                            std::string_view message, const LogFields& fields) {
  if (format == LogFormat::json) {
    nlohmann::ordered_json line = {
        {"ts", timestamp}, {"level", to_string(level)}, {"msg", message}};
    for (const auto& [key, value] : fields) line[std::string(key)] = value;
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = "ts=";
  line += timestamp;
  line += " level=";
  line += to_string(level);
  line += " msg=";
  append_logfmt_value(line, message);
  for (const auto& [key, value] : fields) {
    line.push_back(' ');
    line += key;
    line.push_back('=');
    append_logfmt_value(line, value);
  }
  return line;
}

Logger::Logger(LogLevel level, LogFormat format, std::ostream& out)
    : level_(level), format_(format), out_(out) {}

void Logger::log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (!enabled(level)) return;
  const auto line = format_log_line(format_, now_rfc3339(), level, message, fields);
  const std::lock_guard lock(mutex_);
  out_ << line << '\n' << std::flush;
}

}  // namespace arp
