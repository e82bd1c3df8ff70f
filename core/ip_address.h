// IPv4 addresses and networks (IPv6 joins here when NDP decoding lands).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arp {

class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  // `value` in host byte order: 192.0.2.10 is 0xc000020a.
  constexpr explicit Ipv4Address(std::uint32_t value) : value_(value) {}

  // Dotted quad only, as inet_pton(AF_INET) accepts it.
  static std::optional<Ipv4Address> parse(std::string_view text);

  constexpr std::uint32_t to_u32() const { return value_; }
  // 0.0.0.0: the sender address of an RFC 5227 probe, never owned by anyone.
  constexpr bool is_unspecified() const { return value_ == 0; }

  // As inet_ntop prints it.
  std::string to_string() const;

  friend constexpr auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;

 private:
  std::uint32_t value_ = 0;
};

// A CIDR block such as 198.51.100.0/24; a bare address parses as /32.
class Ipv4Network {
 public:
  static std::optional<Ipv4Network> parse(std::string_view text);

  bool contains(Ipv4Address address) const { return (address.to_u32() & mask()) == base_.to_u32(); }
  std::string to_string() const;

 private:
  Ipv4Network(Ipv4Address base, unsigned prefix_length)
      : base_(base), prefix_length_(prefix_length) {}
  std::uint32_t mask() const {
    return prefix_length_ == 0 ? 0U : ~std::uint32_t{0} << (32U - prefix_length_);
  }

  Ipv4Address base_;
  unsigned prefix_length_ = 32;
};

}  // namespace arp
