// This host's addresses whose Duplicate Address Detection (RFC 4862) has not succeeded, as the
// kernel's address flags say: pure, fed by the address event listener and by its dumps, so it
// is tested without a kernel.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace arp {

// One address of one interface, as the kernel keys it: IPv6 allows an address once per
// interface; IPv4 allows one address with several prefix lengths, so its length is part of
// the key (0 for IPv6).
struct OwnAddressKey {
  int ifindex = 0;
  int family = 0;                        // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4
  unsigned prefix_length = 0;

  auto operator<=>(const OwnAddressKey&) const = default;
};

// As inet_ntop prints it ("2001:db8::10", "192.0.2.1").
std::string address_text(const OwnAddressKey& key);

enum class DadState {
  usable,     // DAD succeeded, or the address never needed it
  tentative,  // IFA_F_TENTATIVE: DAD under way, or waiting for carrier (not usable, unless
              // also IFA_F_OPTIMISTIC)
  failed,     // IFA_F_DADFAILED: another machine answered for it; the kernel keeps it tentative
              // for good and never uses it
};

// The kernel's address flags (IFA_F_*, all 32 bits of IFA_FLAGS) to a state. A failed address
// also carries IFA_F_TENTATIVE: failure wins, so one address is in one state.
DadState dad_state_of(std::uint32_t flags);

struct DadEntry {
  OwnAddressKey key;
  DadState state = DadState::usable;
};

// The addresses in DAD trouble (tentative or failed), at most `max_addresses` of them: the
// usable ones, nearly all of a host's, take no memory. Every change of an address comes as a
// message carrying its whole state, so the latest message for an address is its state.
class DadTable {
 public:
  explicit DadTable(std::size_t max_addresses) : max_addresses_(max_addresses) {}

  // An RTM_NEWADDR (deleted false) or RTM_DELADDR (true) for `key`, with its flags. An address
  // in trouble that finds the table full is not followed and counted in overflows(); its next
  // message (DAD done or failed) is applied afresh, so nothing stays wrong once there is room.
  void apply(const OwnAddressKey& key, std::uint32_t flags, bool deleted);

  // What a dump found replaces what the table held; the overflow count keeps growing.
  void adopt(DadTable&& dumped);

  // In key order (interface index, family, address), so the exposition does not reshuffle.
  std::vector<DadEntry> entries() const;
  std::uint64_t overflows() const { return overflows_; }

 private:
  std::size_t max_addresses_;
  std::map<OwnAddressKey, DadState> trouble_;
  std::uint64_t overflows_ = 0;
};

}  // namespace arp
