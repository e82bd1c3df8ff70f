#include "exporter/web_config_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace arp {

std::optional<std::string> read_text_file(const std::filesystem::path& path, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot read " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    error = "cannot read " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return text.str();
}

WebConfigFile::WebConfigFile(std::filesystem::path path, Logger& logger)
    : path_(std::move(path)), logger_(logger) {
  std::string error;
  const auto text = read_text_file(path_, error);
  if (!text) throw WebConfigError("web config: " + error);
  try {
    config_ = std::make_shared<const WebConfig>(parse_web_config(*text, path_.parent_path()));
  } catch (const WebConfigError& invalid) {
    throw WebConfigError("web config " + path_.string() + ": " + invalid.what());
  }
  text_ = *text;
  initial_ = config_;
}

std::shared_ptr<const WebConfig> WebConfigFile::current() {
  std::string error;
  const auto text = read_text_file(path_, error);
  const std::lock_guard lock(mutex_);
  if (text && text == text_ && error_.empty()) return config_;
  if (text && text != text_) {
    text_ = *text;
    try {
      config_ = std::make_shared<const WebConfig>(parse_web_config(*text, path_.parent_path()));
      if (!error_.empty()) logger_.info("web config valid again", {{"file", path_.string()}});
      error_.clear();
      return config_;
    } catch (const WebConfigError& invalid) {
      error = invalid.what();
    }
  }
  if (error.empty()) return nullptr;  // the same broken text as before: already logged
  if (error != error_) {
    logger_.error("web config unusable, refusing requests until it is fixed",
                  {{"file", path_.string()}, {"err", error}});
  }
  error_ = error;
  config_ = nullptr;
  if (!text) text_.reset();  // so the text, once readable again, is parsed again
  return nullptr;
}

}  // namespace arp
