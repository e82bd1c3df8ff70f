#include "core/neighbor.h"

#include <arpa/inet.h>

#include <algorithm>

namespace arp {
namespace {

// linux/neighbour.h NUD_* bits; the core includes no kernel header.
constexpr std::uint16_t kNudIncomplete = 0x01;
constexpr std::uint16_t kNudReachable = 0x02;
constexpr std::uint16_t kNudStale = 0x04;
constexpr std::uint16_t kNudDelay = 0x08;
constexpr std::uint16_t kNudProbe = 0x10;
constexpr std::uint16_t kNudFailed = 0x20;
constexpr std::uint16_t kNudNoarp = 0x40;
constexpr std::uint16_t kNudPermanent = 0x80;

}  // namespace

std::string_view to_string(NeighborFamily family) {
  return family == NeighborFamily::inet ? "inet" : "inet6";
}

std::string_view to_string(NudState state) {
  switch (state) {
    case NudState::incomplete:
      return "incomplete";
    case NudState::reachable:
      return "reachable";
    case NudState::stale:
      return "stale";
    case NudState::delay:
      return "delay";
    case NudState::probe:
      return "probe";
    case NudState::failed:
      return "failed";
    case NudState::noarp:
      return "noarp";
    case NudState::permanent:
      return "permanent";
    case NudState::none:
      return "none";
  }
  return "none";
}

NudState nud_state_from_kernel(std::uint16_t ndm_state) {
  // Permanent and noarp first: they may be combined with others in odd kernels' output.
  if ((ndm_state & kNudPermanent) != 0) return NudState::permanent;
  if ((ndm_state & kNudNoarp) != 0) return NudState::noarp;
  if ((ndm_state & kNudFailed) != 0) return NudState::failed;
  if ((ndm_state & kNudIncomplete) != 0) return NudState::incomplete;
  if ((ndm_state & kNudReachable) != 0) return NudState::reachable;
  if ((ndm_state & kNudStale) != 0) return NudState::stale;
  if ((ndm_state & kNudDelay) != 0) return NudState::delay;
  if ((ndm_state & kNudProbe) != 0) return NudState::probe;
  return NudState::none;
}

std::optional<NeighborAddress> parse_neighbor_address(std::string_view text) {
  const std::string terminated(text);
  NeighborAddress address;
  if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) return address;
  address.family = NeighborFamily::inet6;
  if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

std::string address_text(const NeighborKey& key) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(key.family == NeighborFamily::inet ? AF_INET : AF_INET6, key.address.data(),
            text.data(), text.size());
  return text.data();
}

IpAddress ip_of(const NeighborKey& key) {
  if (key.family == NeighborFamily::inet6) {
    IpAddress::Bytes bytes{};
    std::copy(key.address.begin(), key.address.begin() + bytes.size(), bytes.begin());
    return IpAddress::from_bytes(bytes);
  }
  return Ipv4Address((std::uint32_t{key.address[0]} << 24U) |
                     (std::uint32_t{key.address[1]} << 16U) |
                     (std::uint32_t{key.address[2]} << 8U) | key.address[3]);
}

std::size_t NeighborKeyHash::operator()(const NeighborKey& key) const noexcept {
  std::uint64_t hash = 0xcbf2'9ce4'8422'2325ULL;  // FNV-1a
  const auto mix = [&](std::uint8_t byte) { hash = (hash ^ byte) * 0x100'0000'01b3ULL; };
  for (const auto byte : key.address) mix(byte);
  mix(static_cast<std::uint8_t>(key.family));
  for (unsigned shift = 0; shift < 32; shift += 8) {
    mix(static_cast<std::uint8_t>(static_cast<unsigned>(key.ifindex) >> shift));
  }
  return static_cast<std::size_t>(hash);
}

void NeighborChangeCounter::compare(const Known& before, const NeighborEntry& after) {
  const bool lladdr_changed = before.lladdr && after.lladdr && *before.lladdr != *after.lladdr;
  const bool failed = after.state == NudState::failed && before.state != NudState::failed;
  if (!lladdr_changed && !failed) return;
  const InterfaceFamily where{after.key.ifindex, after.key.family};
  auto found = std::find_if(counts_.begin(), counts_.end(),
                            [&](const auto& item) { return item.first == where; });
  if (found == counts_.end()) found = counts_.insert(counts_.end(), {where, Counts{}});
  if (lladdr_changed) ++found->second.lladdr_changes;
  if (failed) ++found->second.failed_transitions;
}

void NeighborChangeCounter::apply(const NeighborEntry& entry, bool deleted) {
  if (deleted) {
    known_.erase(entry.key);
    return;
  }
  observe(entry);
}

void NeighborChangeCounter::resynchronise(const std::vector<NeighborEntry>& dump) {
  begin_dump();
  for (const auto& entry : dump) dumped(entry);
  end_dump();
}

void NeighborChangeCounter::begin_dump() {
  for (auto& [key, known] : known_) known.in_dump = false;
}

void NeighborChangeCounter::dumped(const NeighborEntry& entry) {
  Known* known = nullptr;
  if (baselined_) {
    known = observe(entry);
  } else if (const auto found = known_.find(entry.key); found != known_.end()) {
    known = &found->second;  // the first dump describes how things were: nothing happened
  } else {
    known = remember(entry);
  }
  if (known != nullptr) known->in_dump = true;
}

void NeighborChangeCounter::end_dump() {
  if (baselined_) std::erase_if(known_, [](const auto& item) { return !item.second.in_dump; });
  baselined_ = true;
}

NeighborChangeCounter::Known* NeighborChangeCounter::observe(const NeighborEntry& entry) {
  const auto found = known_.find(entry.key);
  if (found == known_.end()) {
    // A new entry that is born FAILED (resolution of an absent address) still failed.
    if (entry.state == NudState::failed) compare(Known{}, entry);
    return remember(entry);
  }
  compare(found->second, entry);
  // An entry going INCOMPLETE/FAILED loses its lladdr in the message (and in a dump); keep the
  // last one known, so a later answer from a different MAC still counts as a change.
  if (entry.lladdr) found->second.lladdr = entry.lladdr;
  found->second.state = entry.state;
  return &found->second;
}

NeighborChangeCounter::Known* NeighborChangeCounter::remember(const NeighborEntry& entry) {
  if (known_.size() >= max_entries_) {
    ++dropped_;
    return nullptr;
  }
  return &known_.emplace(entry.key, Known{.lladdr = entry.lladdr, .state = entry.state})
              .first->second;
}

std::vector<std::pair<NeighborChangeCounter::InterfaceFamily, NeighborChangeCounter::Counts>>
NeighborChangeCounter::counts() const {
  return counts_;
}

}  // namespace arp
