// Reads tests/data/arp_frames.hex (or nd_frames.hex): named frames kept as reviewable hex text.
#pragma once

#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace arp::testing {

inline std::vector<std::byte> bytes_from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  std::vector<std::byte> bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

inline std::map<std::string, std::vector<std::byte>> load_frames(
    const std::string& file_name = "arp_frames.hex") {
  const std::string path = std::string(ARP_TEST_DATA_DIR) + "/" + file_name;
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::map<std::string, std::vector<std::byte>> frames;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string name;
    std::string hex;
    fields >> name >> hex;
    frames.emplace(name, bytes_from_hex(hex));
  }
  return frames;
}

}  // namespace arp::testing
