// The edge that feeds the vendor registry: reads Debian's ieee-data CSV files from disk.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "core/vendor_registry.h"

namespace arp {

struct LoadedVendors {
  VendorRegistry registry;
  std::vector<std::filesystem::path> missing;  // files that do not exist, skipped
};

// Reads every file and adds it to one registry, in order (the first file to assign a prefix
// wins). The registry is optional (an image without ieee-data still runs, with vendor
// "unknown"): a file that does not exist is skipped and listed in `missing`, for the caller to
// warn about. Throws std::runtime_error with one line naming the file when a file exists and
// cannot be read or does not parse: that is a wrong path or a broken file, not an absent package.
LoadedVendors load_available_vendor_registry(const std::vector<std::filesystem::path>& files);

// The same, but a missing file is an error too (tests, which rely on the real registry).
VendorRegistry load_vendor_registry(const std::vector<std::filesystem::path>& files);

// The MA-L, MA-M, MA-S and IAB registries as the ieee-data package installs them.
std::vector<std::filesystem::path> default_vendor_files();

}  // namespace arp
