#include "core/claim_tracker.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace arp {

std::size_t AddressKeyHash::operator()(const AddressKey& key) const noexcept {
  // Multiplicative mixing of the three fields; the low bits of an IP alone hash badly when a
  // whole subnet sits in one VLAN.
  std::uint64_t hash = key.ip.to_u32() * 0x9e37'79b9'7f4a'7c15ULL;
  hash ^= ((std::uint64_t{key.vlan.to_u32()} << 16U) | key.interface) * 0xc2b2'ae3d'27d4'eb4fULL;
  return static_cast<std::size_t>(hash ^ (hash >> 29U));
}

std::string_view to_string(AddressState state) {
  switch (state) {
    case AddressState::stable: return "stable";
    case AddressState::moved: return "moved";
    case AddressState::contested: return "contested";
  }
  return "unknown";
}

ClaimTracker::ClaimTracker(ClaimTrackerConfig config) : config_(config) {
  config_.max_addresses = std::max<std::size_t>(config_.max_addresses, 1);
  config_.max_claimants_per_address = std::max<std::size_t>(config_.max_claimants_per_address, 2);
}

InterfaceIndex ClaimTracker::add_interface(std::string_view name) {
  for (std::size_t i = 0; i < interfaces_.size(); ++i) {
    if (interfaces_[i].name == name) return static_cast<InterfaceIndex>(i);
  }
  interfaces_.push_back(InterfaceReport{.name = std::string(name)});
  return static_cast<InterfaceIndex>(interfaces_.size() - 1);
}

std::string_view ClaimTracker::interface_name(InterfaceIndex interface) const {
  return interfaces_.at(interface).name;
}

ClaimEvent ClaimTracker::observe(InterfaceIndex interface, const ArpFrame& frame, Timestamp now) {
  expire(now);
  if (frame.kind == ArpKind::probe) return observe_probe(interface, frame, now);
  if (frame.sender_mac_invalid || frame.sender_ip.is_unspecified()) return ClaimEvent::not_a_claim;
  return observe_claim(AddressKey{frame.sender_ip, frame.vlan, interface}, frame.sender_mac, now);
}

ClaimEvent ClaimTracker::observe_probe(InterfaceIndex interface, const ArpFrame& frame,
                                       Timestamp now) {
  auto& counters = interfaces_.at(interface);
  ++counters.probes;
  // A probe is an intent, never a claim: it only matters when someone else holds the address
  // (a DHCP server handing out a used lease, a host about to take a live IP).
  const auto live = claimants(AddressKey{frame.target_ip, frame.vlan, interface}, now);
  const bool claimed_by_other = std::any_of(live.begin(), live.end(), [&](const Claimant& c) {
    return c.mac != frame.sender_mac;
  });
  if (!claimed_by_other) return ClaimEvent::probe;
  ++counters.probes_for_claimed;
  return ClaimEvent::probe_for_claimed;
}

ClaimEvent ClaimTracker::observe_claim(const AddressKey& key, const MacAddress& mac,
                                       Timestamp now) {
  const auto found = index_.find(key);
  if (found != index_.end()) return update(found->second, mac, now);
  insert(key, mac, now);
  return ClaimEvent::new_address;
}

ClaimEvent ClaimTracker::update(std::uint32_t slot, const MacAddress& mac, Timestamp now) {
  unlink(slot);
  link_front(slot);
  auto& record = records_[slot];
  record.last_seen = std::max(record.last_seen, now);

  auto* current = &record.claimants[record.current];
  if (current->mac == mac) {  // the common case: the owner refreshing its claim
    ++current->frames;
    current->last_seen = std::max(current->last_seen, now);
    return ClaimEvent::refreshed;
  }

  prune_claimants(record, now - config_.window);
  auto& counters = interfaces_[record.key.interface];
  ++counters.mac_changes;
  record.last_change = now;
  notable_.insert(slot);

  const auto known = std::find_if(record.claimants.begin(), record.claimants.end(),
                                  [&](const Claimant& c) { return c.mac == mac; });
  if (known != record.claimants.end()) {
    ++known->frames;
    known->last_seen = std::max(known->last_seen, now);
    record.current = static_cast<std::uint32_t>(known - record.claimants.begin());
    record.last_flap = now;
    ++counters.flaps;
    return ClaimEvent::returning_claimant;
  }

  if (record.claimants.size() >= config_.max_claimants_per_address) {
    const auto stalest = std::min_element(
        record.claimants.begin(), record.claimants.end(),
        [](const Claimant& a, const Claimant& b) { return a.last_seen < b.last_seen; });
    record.claimants.erase(stalest);
    ++counters.claimant_evictions;
  }
  record.claimants.push_back(Claimant{.mac = mac, .frames = 1, .first_seen = now, .last_seen = now});
  record.current = static_cast<std::uint32_t>(record.claimants.size() - 1);
  ++counters.moves;
  return ClaimEvent::new_claimant;
}

std::uint32_t ClaimTracker::insert(const AddressKey& key, const MacAddress& mac, Timestamp now) {
  if (index_.size() >= config_.max_addresses) {
    ++interfaces_[records_[tail_].key.interface].evictions;
    remove(tail_);
  }
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(records_.size());
    records_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  auto& record = records_[slot];
  record.key = key;
  record.current = 0;
  record.last_seen = now;
  record.last_change = Timestamp{};
  record.last_flap = Timestamp{};
  record.claimants.assign(
      1, Claimant{.mac = mac, .frames = 1, .first_seen = now, .last_seen = now});
  index_.emplace(key, slot);
  link_front(slot);
  ++interfaces_[key.interface].tracked;
  return slot;
}

void ClaimTracker::remove(std::uint32_t slot) {
  auto& record = records_[slot];
  unlink(slot);
  index_.erase(record.key);
  notable_.erase(slot);
  --interfaces_[record.key.interface].tracked;
  // A slot that held a flood of claimants gives its memory back; a usual one keeps its
  // single-element buffer for the next address.
  if (record.claimants.capacity() > 1) std::vector<Claimant>().swap(record.claimants);
  record.claimants.clear();
  free_slots_.push_back(slot);
}

void ClaimTracker::expire(Timestamp now) {
  const auto horizon = now - config_.window;
  while (tail_ != kNone && records_[tail_].last_seen < horizon) {
    ++interfaces_[records_[tail_].key.interface].expirations;
    remove(tail_);
  }
}

void ClaimTracker::prune_claimants(Record& record, Timestamp horizon) const {
  const auto current_mac = record.claimants[record.current].mac;
  std::erase_if(record.claimants, [&](const Claimant& c) { return c.last_seen < horizon; });
  const auto current = std::find_if(record.claimants.begin(), record.claimants.end(),
                                    [&](const Claimant& c) { return c.mac == current_mac; });
  record.current = current == record.claimants.end()
                       ? 0
                       : static_cast<std::uint32_t>(current - record.claimants.begin());
}

AddressState ClaimTracker::state_of(const Record& record, Timestamp horizon) const {
  const bool several = record.claimants.size() >= 2;
  if (several && record.last_flap >= horizon && record.last_flap != Timestamp{}) {
    return AddressState::contested;
  }
  if (several || (record.last_change >= horizon && record.last_change != Timestamp{})) {
    return AddressState::moved;
  }
  return AddressState::stable;
}

TrackerSnapshot ClaimTracker::snapshot(Timestamp now) {
  expire(now);
  const auto horizon = now - config_.window;
  TrackerSnapshot snapshot;
  snapshot.interfaces = interfaces_;

  std::vector<std::uint32_t> settled;
  for (const auto slot : notable_) {
    auto& record = records_[slot];
    prune_claimants(record, horizon);
    const auto state = state_of(record, horizon);
    auto& report = snapshot.interfaces[record.key.interface];
    if (state == AddressState::stable) {
      settled.push_back(slot);
      continue;
    }
    ++(state == AddressState::contested ? report.contested : report.moved);
    auto claimants = record.claimants;
    std::sort(claimants.begin(), claimants.end(),
              [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; });
    snapshot.addresses.push_back(AddressReport{
        .key = record.key, .state = state, .claimants = std::move(claimants),
        .last_change = record.last_change});
  }
  for (const auto slot : settled) notable_.erase(slot);

  std::sort(snapshot.addresses.begin(), snapshot.addresses.end(),
            [](const AddressReport& a, const AddressReport& b) {
              return std::tie(a.key.interface, a.key.vlan, a.key.ip) <
                     std::tie(b.key.interface, b.key.vlan, b.key.ip);
            });
  return snapshot;
}

std::vector<Claimant> ClaimTracker::claimants(const AddressKey& key, Timestamp now) const {
  const auto found = index_.find(key);
  if (found == index_.end()) return {};
  const auto horizon = now - config_.window;
  std::vector<Claimant> live;
  for (const auto& claimant : records_[found->second].claimants) {
    if (claimant.last_seen >= horizon) live.push_back(claimant);
  }
  std::sort(live.begin(), live.end(),
            [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; });
  return live;
}

void ClaimTracker::link_front(std::uint32_t slot) {
  auto& record = records_[slot];
  record.newer = kNone;
  record.older = head_;
  if (head_ != kNone) records_[head_].newer = slot;
  head_ = slot;
  if (tail_ == kNone) tail_ = slot;
}

void ClaimTracker::unlink(std::uint32_t slot) {
  auto& record = records_[slot];
  (record.newer == kNone ? head_ : records_[record.newer].older) = record.older;
  (record.older == kNone ? tail_ : records_[record.older].newer) = record.newer;
  record.newer = kNone;
  record.older = kNone;
}

}  // namespace arp
