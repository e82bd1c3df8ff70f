// The edge that feeds the vendor registry: reads Debian's ieee-data CSV files from disk.
#pragma once

#include <filesystem>
#include <vector>

#include "core/vendor_registry.h"

namespace arp {

// Reads every file and adds it to one registry, in order (the first file to assign a prefix
// wins). Throws std::runtime_error with one line naming the file when a file cannot be read or
// does not parse: the exporter should refuse to start rather than label every MAC "unknown".
VendorRegistry load_vendor_registry(const std::vector<std::filesystem::path>& files);

// The MA-L, MA-M, MA-S and IAB registries as the ieee-data package installs them.
std::vector<std::filesystem::path> default_vendor_files();

}  // namespace arp
