#include "core/mac_address.h"

namespace arp {
namespace {

std::optional<std::uint8_t> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

// Reads twelve hex digits, allowing `separator` exactly after every `group` digits.
std::optional<MacAddress> parse_grouped(std::string_view text, std::size_t group, char separator) {
  const std::size_t expected_length = 12 + (12 / group) - 1;
  if (text.size() != expected_length) return std::nullopt;
  MacAddress::Bytes bytes{};
  std::size_t digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool separator_position = (i + 1) % (group + 1) == 0;
    if (separator_position) {
      if (text[i] != separator) return std::nullopt;
      continue;
    }
    const auto digit = hex_digit(text[i]);
    if (!digit) return std::nullopt;
    auto& byte = bytes[digits / 2];
    byte = static_cast<std::uint8_t>((byte << 4U) | *digit);
    ++digits;
  }
  return MacAddress(bytes);
}

}  // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  if (text.size() == 17) {
    return parse_grouped(text, 2, text[2] == '-' ? '-' : ':');
  }
  if (text.size() == 14) return parse_grouped(text, 4, '.');
  return std::nullopt;
}

std::uint64_t MacAddress::to_u64() const {
  std::uint64_t value = 0;
  for (const auto byte : bytes_) value = (value << 8U) | byte;
  return value;
}

std::string MacAddress::to_string() const {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string text;
  text.reserve(17);
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (i != 0) text.push_back(':');
    text.push_back(kHex[bytes_[i] >> 4U]);
    text.push_back(kHex[bytes_[i] & 0x0fU]);
  }
  return text;
}

}  // namespace arp
