#include "collectors/vendor_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

namespace arp {
namespace {

// The largest registry (oui.csv) is about 3 MiB. A limit keeps a wrong path such as /dev/zero
// from eating memory before the parser could reject it.
constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20U;
// How much more to read when the file turns out longer than fstat said.
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

// The unique_ptr is the owner; the project does not use gsl::owner, hence the NOLINTs.
struct FileCloser {
  void operator()(std::FILE* file) const {
    std::fclose(file);  // NOLINT(cppcoreguidelines-owning-memory)
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error("vendor registry " + path.string() + ": " + what);
}

// Reads the file into `text`, replacing what it held; false when the file does not exist.
// One buffer for all the files, sized from fstat and filled by reads straight into it: growing a
// string 64 KiB at a time copied each registry about twice over and faulted in fresh pages for
// every copy, which was most of the exporter's start-up (page faults cost microseconds here).
bool read_whole_file(const std::filesystem::path& path, std::string& text) {
  const File file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) return false;
    fail(path, "cannot open: " + errno_text(error));
  }
  // The size is only a hint (0 for /dev/zero or a pipe, stale if the file grows): reading goes
  // on until end of file, growing the buffer as needed, up to one byte past the limit.
  struct stat info {};
  std::size_t expected = 0;
  if (::fstat(::fileno(file.get()), &info) == 0 && S_ISREG(info.st_mode)) {
    expected = static_cast<std::size_t>(info.st_size);
  }
  constexpr std::size_t kLimitPlusOne = kMaxFileBytes + 1;
  // +1: a read that fills the buffer exactly has not yet seen the end of the file.
  text.resize(std::min(expected + 1, kLimitPlusOne));
  std::size_t length = 0;
  for (;;) {
    if (length == text.size()) {
      if (length == kLimitPlusOne) {
        fail(path, "larger than " + std::to_string(kMaxFileBytes >> 20U) +
                       " MiB, not an IEEE registry file");
      }
      text.resize(std::min(2 * length + kReadChunk, kLimitPlusOne));
    }
    const std::size_t got = std::fread(text.data() + length, 1, text.size() - length, file.get());
    length += got;
    if (length < text.size()) {
      // A directory opens fine and fails here, with EISDIR.
      if (std::ferror(file.get()) != 0) fail(path, "cannot read: " + errno_text(errno));
      text.resize(length);  // keeps the capacity for the next file
      return true;
    }
  }
}

}  // namespace

LoadedVendors load_available_vendor_registry(const std::vector<std::filesystem::path>& files) {
  LoadedVendors loaded;
  std::string text;
  for (const auto& path : files) {
    if (!read_whole_file(path, text)) {
      loaded.missing.push_back(path);
      continue;
    }
    const auto added = loaded.registry.add_csv(text);
    if (!added) {
      fail(path, added.error());
    }
  }
  return loaded;
}

VendorRegistry load_vendor_registry(const std::vector<std::filesystem::path>& files) {
  auto loaded = load_available_vendor_registry(files);
  if (!loaded.missing.empty()) fail(loaded.missing.front(), "cannot open: no such file");
  return std::move(loaded.registry);
}

std::vector<std::filesystem::path> default_vendor_files() {
  const std::filesystem::path directory = "/usr/share/ieee-data";
  return {directory / "oui.csv", directory / "mam.csv", directory / "oui36.csv",
          directory / "iab.csv"};
}

}  // namespace arp
