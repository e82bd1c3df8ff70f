// IPv4 addresses and networks, and IpAddress/IpNetwork, which hold either family: the tracker,
// the verifier and the ignore rules treat ARP and Neighbor Discovery claims alike.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
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

enum class IpFamily : std::uint8_t { ipv4, ipv6 };
// The `family` label value: "ipv4" or "ipv6".
std::string_view to_string(IpFamily family);
inline constexpr std::array kAllIpFamilies = {IpFamily::ipv4, IpFamily::ipv6};

// An IPv4 or IPv6 address in 16 bytes, IPv4 as the IPv4-mapped ::ffff:a.b.c.d (RFC 4291
// 2.5.5.2), so that both families compare, hash and sort in one key. Byte-aligned on purpose:
// it keeps AddressKey at 22 bytes and the tracker's records at one cache line.
class IpAddress {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  // 0.0.0.0.
  constexpr IpAddress() = default;
  // An IPv4 address is an IP address: implicit, like a narrower integer to a wider one.
  // NOLINTNEXTLINE(google-explicit-constructor,hicpp-explicit-conversions)
  constexpr IpAddress(Ipv4Address ipv4) {
    const std::uint32_t value = ipv4.to_u32();
    for (unsigned i = 0; i < 4; ++i) {
      bytes_[12 + i] = static_cast<std::uint8_t>(value >> (24U - 8U * i));
    }
  }
  // Network byte order, as an IPv6 header carries it. An IPv4-mapped address is IPv4.
  static constexpr IpAddress from_bytes(const Bytes& bytes) {
    IpAddress address;
    address.bytes_ = bytes;
    return address;
  }
  // An IPv4 address as an ARP packet carries it (network byte order), copied in as it is.
  static IpAddress from_ipv4_bytes(std::span<const std::byte, 4> network_order) {
    IpAddress address;
    std::memcpy(address.bytes_.data() + 12, network_order.data(), network_order.size());
    return address;
  }
  // Either family, as inet_pton accepts it: dotted quad, or IPv6 text (no zone, no prefix).
  static std::optional<IpAddress> parse(std::string_view text);

  constexpr IpFamily family() const {
    if (std::is_constant_evaluated()) {
      for (unsigned i = 0; i < kMappedPrefixBytes; ++i) {
        if (bytes_[i] != kUnspecifiedIpv4[i]) return IpFamily::ipv6;
      }
      return IpFamily::ipv4;
    }
    // Asked of every frame, in the tracker and the decoders: one 12-byte compare against a
    // constant, which the compiler makes two word compares, not a loop over the bytes.
    return std::memcmp(bytes_.data(), kUnspecifiedIpv4.data(), kMappedPrefixBytes) == 0
               ? IpFamily::ipv4
               : IpFamily::ipv6;
  }
  constexpr bool is_ipv4() const { return family() == IpFamily::ipv4; }
  // The IPv4 address; 0.0.0.0 for an IPv6 one.
  constexpr Ipv4Address ipv4() const {
    if (!is_ipv4()) return {};
    return Ipv4Address((std::uint32_t{bytes_[12]} << 24U) | (std::uint32_t{bytes_[13]} << 16U) |
                       (std::uint32_t{bytes_[14]} << 8U) | bytes_[15]);
  }
  constexpr const Bytes& bytes() const { return bytes_; }

  // 0.0.0.0, or :: (the source of a DAD probe, RFC 4862 5.4.2): nobody's address.
  constexpr bool is_unspecified() const {
    return *this == IpAddress() || *this == IpAddress::from_bytes(Bytes{});
  }
  // fe80::/10. Such addresses are per link, but two hosts with one of them on a link still
  // conflict.
  constexpr bool is_ipv6_link_local() const {
    return !is_ipv4() && bytes_[0] == 0xfe && (bytes_[1] & 0xc0U) == 0x80;
  }
  constexpr bool is_ipv6_multicast() const { return !is_ipv4() && bytes_[0] == 0xff; }

  // As inet_ntop prints it: "192.0.2.10", "2001:db8::10".
  std::string to_string() const;

  friend constexpr bool operator==(const IpAddress& a, const IpAddress& b) {
    if (std::is_constant_evaluated()) return a.bytes_ == b.bytes_;
    // Two 8-byte words, loaded straight from the addresses: comparing the arrays calls memcmp.
    return ((a.word_at(0) ^ b.word_at(0)) | (a.word_at(8) ^ b.word_at(8))) == 0;
  }
  friend constexpr auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  std::uint64_t word_at(std::size_t at) const {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes_.data() + at, sizeof word);
    return word;
  }

  // 0.0.0.0, mapped. A named constant, so that every default address (one in each decoded frame)
  // is one 16-byte copy of it instead of a zeroed block patched with two bytes and read back.
  static constexpr Bytes kUnspecifiedIpv4{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  // ::ffff:0:0/96, what every IPv4 address begins with.
  static constexpr std::size_t kMappedPrefixBytes = 12;
  Bytes bytes_ = kUnspecifiedIpv4;
};
static_assert(sizeof(IpAddress) == 16 && alignof(IpAddress) == 1);

// A CIDR block of either family: "198.51.100.0/24", "2001:db8::/32"; a bare address is a
// host route (/32 or /128). The prefix length counts bits of the family's own address.
class IpNetwork {
 public:
  static std::optional<IpNetwork> parse(std::string_view text);
  static IpNetwork of(IpAddress address, unsigned prefix_length);
  // NOLINTNEXTLINE(google-explicit-constructor,hicpp-explicit-conversions)
  IpNetwork(const Ipv4Network& network) : IpNetwork(of(network.base(), network.prefix_length())) {}

  bool contains(const IpAddress& address) const;
  IpAddress base() const { return base_; }
  IpFamily family() const { return base_.family(); }
  unsigned prefix_length() const { return prefix_length_; }
  std::string to_string() const;

  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;

 private:
  IpNetwork(IpAddress base, unsigned prefix_length) : base_(base), prefix_length_(prefix_length) {}
  // The prefix length over all 16 bytes (IPv4's /24 is the mapped /120).
  unsigned mapped_prefix_length() const {
    return base_.is_ipv4() ? prefix_length_ + 96 : prefix_length_;
  }

  IpAddress base_;
  unsigned prefix_length_ = 32;
};

}  // namespace arp
