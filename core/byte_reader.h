// A bounds-checked cursor over untrusted bytes: every read asks whether the bytes are there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace arp {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size(); }
  bool has(std::size_t count) const { return bytes_.size() >= count; }

  // Each read returns nullopt, consuming nothing, when fewer bytes are left than it needs.
  std::optional<std::uint8_t> u8() {
    if (!has(1)) return std::nullopt;
    const auto value = std::to_integer<std::uint8_t>(bytes_[0]);
    bytes_ = bytes_.subspan(1);
    return value;
  }

  std::optional<std::uint16_t> be16() {
    if (!has(2)) return std::nullopt;
    const auto value = static_cast<std::uint16_t>((std::to_integer<unsigned>(bytes_[0]) << 8U) |
                                                  std::to_integer<unsigned>(bytes_[1]));
    bytes_ = bytes_.subspan(2);
    return value;
  }

  std::optional<std::uint32_t> be32() {
    if (!has(4)) return std::nullopt;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
      value = (value << 8U) | std::to_integer<std::uint8_t>(bytes_[i]);
    bytes_ = bytes_.subspan(4);
    return value;
  }

  // The next `count` bytes as a view, for a message that is walked or summed as a whole (an
  // ICMPv6 checksum, its options); empty and consuming nothing when fewer are left.
  std::span<const std::byte> take(std::size_t count) {
    if (!has(count)) return {};
    const auto taken = bytes_.first(count);
    bytes_ = bytes_.subspan(count);
    return taken;
  }

 private:
  std::span<const std::byte> bytes_;
};

}  // namespace arp
