#include "exporter/html_text.h"

#include <array>
#include <ctime>

namespace arp {
namespace {

std::string format_utc(Timestamp time, const char* format) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const auto length = std::strftime(text.data(), text.size(), format, &utc);
  return {text.data(), length};
}

}  // namespace

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

std::string utc_time(Timestamp time) { return format_utc(time, "%Y-%m-%d %H:%M:%S UTC"); }
std::string utc_clock(Timestamp time) { return format_utc(time, "%H:%M:%S"); }

}  // namespace arp
