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
  // The network `address` lies in, as an interface's address and netmask give it.
  static Ipv4Network of(Ipv4Address address, unsigned prefix_length);

  bool contains(Ipv4Address address) const { return (address.to_u32() & mask()) == base_.to_u32(); }
  Ipv4Address base() const { return base_; }
  unsigned prefix_length() const { return prefix_length_; }
  // Number of addresses in the block: 1 for a /32, 2^32 for 0.0.0.0/0.
  std::uint64_t size() const { return std::uint64_t{1} << (32U - prefix_length_); }
  std::string to_string() const;

  friend bool operator==(const Ipv4Network&, const Ipv4Network&) = default;

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
