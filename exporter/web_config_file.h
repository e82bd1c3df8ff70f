// The --web.config.file as it stands now. exporter-toolkit reads the file on every request and
// every TLS handshake, so an edit (a new password hash, a rotated certificate) applies without a
// restart; so does this, re-parsing only when the text changed.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "collectors/logger.h"
#include "exporter/web_config.h"

namespace arp {

// The whole file, or nullopt with `error` set ("cannot read PATH: reason").
std::optional<std::string> read_text_file(const std::filesystem::path& path, std::string& error);

class WebConfigFile {
 public:
  // Throws WebConfigError ("web config PATH: ...") when the file cannot be read or used: at
  // start-up that is one line and exit 2.
  WebConfigFile(std::filesystem::path path, Logger& logger);

  // The configuration the file holds now; nullptr while it is unreadable or invalid, logged
  // once per change of the file. Callers fail closed on nullptr: nothing is served under a
  // configuration no one can read.
  std::shared_ptr<const WebConfig> current();

  // What was read at start-up: whether the port speaks TLS is decided once.
  const std::shared_ptr<const WebConfig>& initial() const { return initial_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  Logger& logger_;
  std::shared_ptr<const WebConfig> initial_;
  std::mutex mutex_;
  std::optional<std::string> text_;  // the text last read, nullopt when unreadable
  std::string error_;                // why it is unusable, "" when it is fine
  std::shared_ptr<const WebConfig> config_;
};

}  // namespace arp
