#include "collectors/vendor_files.h"

#include <array>
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

// Nothing when the file does not exist.
std::optional<std::string> read_whole_file(const std::filesystem::path& path) {
  const File file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) return std::nullopt;
    fail(path, "cannot open: " + errno_text(error));
  }
  std::string text;
  std::array<char, std::size_t{64} * 1024> chunk{};
  for (;;) {
    const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get());
    // A directory opens fine and fails here, with EISDIR.
    if (got < chunk.size() && std::ferror(file.get()) != 0) {
      fail(path, "cannot read: " + errno_text(errno));
    }
    text.append(chunk.data(), got);
    if (text.size() > kMaxFileBytes) {
      fail(path, "larger than " + std::to_string(kMaxFileBytes >> 20U) +
                     " MiB, not an IEEE registry file");
    }
    if (got < chunk.size()) {
      return text;
    }
  }
}

}  // namespace

LoadedVendors load_available_vendor_registry(const std::vector<std::filesystem::path>& files) {
  LoadedVendors loaded;
  for (const auto& path : files) {
    const auto text = read_whole_file(path);
    if (!text) {
      loaded.missing.push_back(path);
      continue;
    }
    const auto added = loaded.registry.add_csv(*text);
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
