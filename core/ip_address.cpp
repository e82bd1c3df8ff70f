#include "core/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace arp {
namespace {

// Parses a decimal number that fills `text` exactly, without sign or leading zeros.
std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  std::uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const auto dot = text.find('.');
    const bool last = octet == 3;
    if (last != (dot == std::string_view::npos)) return std::nullopt;
    const auto part = parse_decimal(text.substr(0, dot), 255);
    if (!part) return std::nullopt;
    value = (value << 8U) | *part;
    text.remove_prefix(last ? text.size() : dot + 1);
  }
  return Ipv4Address(value);
}

std::string Ipv4Address::to_string() const {
  std::string text;
  text.reserve(15);
  for (int shift = 24; shift >= 0; shift -= 8) {
    text += std::to_string((value_ >> static_cast<unsigned>(shift)) & 0xffU);
    if (shift != 0) text.push_back('.');
  }
  return text;
}

std::optional<Ipv4Network> Ipv4Network::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = Ipv4Address::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  unsigned prefix_length = 32;
  if (slash != std::string_view::npos) {
    const auto parsed = parse_decimal(text.substr(slash + 1), 32);
    if (!parsed) return std::nullopt;
    prefix_length = *parsed;
  }
  Ipv4Network network(*address, prefix_length);
  // Host bits set ("192.0.2.10/24") is almost always a typo in an ignore list: refuse it.
  if ((address->to_u32() & ~network.mask()) != 0) return std::nullopt;
  return network;
}

Ipv4Network Ipv4Network::of(Ipv4Address address, unsigned prefix_length) {
  prefix_length = prefix_length > 32 ? 32 : prefix_length;
  const Ipv4Network network(Ipv4Address(), prefix_length);
  return {Ipv4Address(address.to_u32() & network.mask()), prefix_length};
}

std::string Ipv4Network::to_string() const {
  return base_.to_string() + "/" + std::to_string(prefix_length_);
}

std::string_view to_string(IpFamily family) { return family == IpFamily::ipv4 ? "ipv4" : "ipv6"; }

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (const auto ipv4 = Ipv4Address::parse(text)) return IpAddress(*ipv4);
  if (text.find(':') == std::string_view::npos || text.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  const std::string terminated(text);
  Bytes bytes{};
  if (inet_pton(AF_INET6, terminated.c_str(), bytes.data()) != 1) return std::nullopt;
  return from_bytes(bytes);
}

std::string IpAddress::to_string() const {
  if (is_ipv4()) return ipv4().to_string();
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(AF_INET6, bytes_.data(), text.data(), text.size());
  return text.data();
}

namespace {

// `address` with every bit after the first `prefix_length` (of 128) cleared.
IpAddress masked(const IpAddress& address, unsigned prefix_length) {
  auto bytes = address.bytes();
  for (unsigned bit = 0; bit < 128; bit += 8) {
    const unsigned kept = prefix_length > bit ? prefix_length - bit : 0;
    if (kept < 8) bytes[bit / 8] &= static_cast<std::uint8_t>(0xff00U >> kept);
  }
  return IpAddress::from_bytes(bytes);
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  if (const auto ipv4 = Ipv4Network::parse(text)) return IpNetwork(*ipv4);
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address || address->is_ipv4()) return std::nullopt;
  unsigned prefix_length = 128;
  if (slash != std::string_view::npos) {
    const auto parsed = parse_decimal(text.substr(slash + 1), 128);
    if (!parsed) return std::nullopt;
    prefix_length = *parsed;
  }
  // Host bits set is almost always a typo in an ignore list, as for IPv4: refuse it.
  if (masked(*address, prefix_length) != *address) return std::nullopt;
  return IpNetwork(*address, prefix_length);
}

IpNetwork IpNetwork::of(IpAddress address, unsigned prefix_length) {
  const unsigned bits = address.is_ipv4() ? 32 : 128;
  prefix_length = prefix_length > bits ? bits : prefix_length;
  const unsigned mapped = address.is_ipv4() ? prefix_length + 96 : prefix_length;
  return {masked(address, mapped), prefix_length};
}

bool IpNetwork::contains(const IpAddress& address) const {
  return address.family() == family() && masked(address, mapped_prefix_length()) == base_;
}

std::string IpNetwork::to_string() const {
  return base_.to_string() + "/" + std::to_string(prefix_length_);
}

}  // namespace arp
