// libFuzzer target: any bytes as the file --config.file names, through CLI11's config reader and
// every option's check and conversion (parse_command_line, as main() calls it), under ASan and
// UBSan. The file is read once as the exporter's and once as `analyze -`'s, since the
// subcommand brings options of its own.
//
// What the exporter promises for a bad file is checked too: exit code 2 and exactly one line on
// err; nothing else but a configuration or --help/--version's 0.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <variant>
#include <vector>

#include "exporter/config.h"

namespace arp {
namespace {

// abort() rather than assert(): the fuzz build may define NDEBUG, and the check must stay.
void require(bool condition) {
  if (!condition) std::abort();
}

// --help's text is of no interest, and writing it would slow every run down.
class NullBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char* /*text*/, std::streamsize count) override { return count; }
};

// One file for the whole run, rewritten for each input and removed at exit: a new one each
// time would leave thousands behind when the fuzzer is killed.
class ConfigFile {
 public:
  ConfigFile() {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/config_file_fuzz.XXXXXX";
    const int fd = mkstemp(path_.data());
    require(fd >= 0);
    close(fd);
  }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  ~ConfigFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void parse(const std::vector<const char*>& argv) {
  NullBuffer null;
  std::ostream out(&null);
  std::ostringstream err;
  const auto result = parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
  if (std::holds_alternative<ExporterConfig>(result)) {
    require(err.str().empty());
    return;
  }
  const int code = std::get<int>(result);
  const auto text = err.str();
  if (code == 0) {
    require(text.empty());
    return;
  }
  require(code == 2);
  require(std::count(text.begin(), text.end(), '\n') == 1 && text.back() == '\n');
  require(text.starts_with("arp_health_exporter: error: "));
}

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  static const ConfigFile config;
  const auto& path = config.path();
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data),  // NOLINT: ostream's byte type
               static_cast<std::streamsize>(size));
    require(static_cast<bool>(file));
  }
  parse({"arp_health_exporter", "--config.file", path.c_str()});
  parse({"arp_health_exporter", "--config.file", path.c_str(), "analyze", "-"});
}

}  // namespace
}  // namespace arp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arp::fuzz_one(data, size);
  return 0;
}
