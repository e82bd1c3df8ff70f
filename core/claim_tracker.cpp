#include "core/claim_tracker.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <tuple>
#include <utility>

namespace arp {
namespace {

// MacAddress's defaulted comparison is a three-way one and calls memcmp; an equality test of
// six bytes compiles to two loads and compares.
bool same_mac(const MacAddress& a, const MacAddress& b) {
  return std::memcmp(a.bytes().data(), b.bytes().data(), a.bytes().size()) == 0;
}

}  // namespace

std::size_t AddressKeyHash::operator()(const AddressKey& key) const noexcept {
  // Multiplicative mixing of the fields; the low bits of an IP alone hash badly when a whole
  // subnet sits in one VLAN. An IPv4 address's upper words are the constant ::ffff: prefix.
  const auto& bytes = key.ip.bytes();
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::memcpy(&high, bytes.data(), sizeof high);
  std::memcpy(&low, bytes.data() + sizeof high, sizeof low);
  std::uint64_t hash = (low ^ (high * 0xff51'afd7'ed55'8ccdULL)) * 0x9e37'79b9'7f4a'7c15ULL;
  hash ^= ((std::uint64_t{key.vlan.to_u32()} << 16U) | key.interface) * 0xc2b2'ae3d'27d4'eb4fULL;
  return static_cast<std::size_t>(hash ^ (hash >> 29U));
}

std::string_view to_string(AddressState state) {
  switch (state) {
    case AddressState::stable:
      return "stable";
    case AddressState::moved:
      return "moved";
    case AddressState::flapped:
      return "flapped";
    case AddressState::contested:
      return "contested";
  }
  return "unknown";
}

ClaimTracker::ClaimTracker(ClaimTrackerConfig config) : config_(config) {
  config_.max_addresses = std::max<std::size_t>(config_.max_addresses, 1);
  config_.max_claimants_per_address = std::max<std::size_t>(config_.max_claimants_per_address, 2);
}

InterfaceIndex ClaimTracker::add_interface(std::string_view name) {
  if (const auto known = find_interface(name)) return *known;
  // Interfaces that come and go all day (containers' veths) must not grow the table.
  const auto forgotten = std::find_if(interfaces_.begin(), interfaces_.end(),
                                      [](const InterfaceReport& r) { return r.name.empty(); });
  if (forgotten != interfaces_.end()) {
    forgotten->name = std::string(name);
    return static_cast<InterfaceIndex>(forgotten - interfaces_.begin());
  }
  interfaces_.push_back(InterfaceReport{.name = std::string(name)});
  return static_cast<InterfaceIndex>(interfaces_.size() - 1);
}

std::set<NamedAddress> contested_untagged(const TrackerSnapshot& snapshot) {
  std::set<NamedAddress> contested;
  for (const auto& address : snapshot.addresses) {
    if (address.state == AddressState::contested && !address.key.vlan.tagged()) {
      contested.emplace(snapshot.interfaces.at(address.key.interface).name, address.key.ip);
    }
  }
  return contested;
}

void ClaimTracker::forget_interface(InterfaceIndex interface) {
  std::vector<std::uint32_t> slots;
  for (auto slot = head_; slot != kNone; slot = links_[slot].older) {
    if (records_[slot].key.interface == interface) slots.push_back(slot);
  }
  auto* const observer = std::exchange(observer_, nullptr);
  for (const auto slot : slots) remove(slot, Timestamp{});
  observer_ = observer;
  interfaces_.at(interface) = InterfaceReport{};
  std::erase_if(pending_probes_,
                [&](const PendingProbe& p) { return p.key.interface == interface; });
}

std::optional<InterfaceIndex> ClaimTracker::find_interface(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  for (std::size_t i = 0; i < interfaces_.size(); ++i) {
    if (interfaces_[i].name == name) return static_cast<InterfaceIndex>(i);
  }
  return std::nullopt;
}

std::string_view ClaimTracker::interface_name(InterfaceIndex interface) const {
  return interfaces_.at(interface).name;
}

ClaimEvent ClaimTracker::observe(InterfaceIndex interface, const ResolutionFrame& frame,
                                 Timestamp now) {
  expire(now);
  if (frame.kind == FrameKind::probe) return observe_probe(interface, frame, now);
  if (!frame.claims_address()) return ClaimEvent::not_a_claim;
  return observe_claim(AddressKey{frame.sender_ip, frame.vlan, interface}, frame.sender_mac, now);
}

std::size_t ClaimTracker::prefetch_bucket(InterfaceIndex interface,
                                          const ResolutionFrame& frame) const {
  if (index_.empty()) return kNoHint;
  // The key observe() looks up: the probed address for a probe, the claimed one otherwise.
  const bool probe = frame.kind == FrameKind::probe;
  if (!probe && !frame.claims_address()) return kNoHint;
  const auto bucket =
      home_bucket(AddressKey{probe ? frame.target_ip : frame.sender_ip, frame.vlan, interface});
  __builtin_prefetch(&index_[bucket]);
  return bucket;
}

void ClaimTracker::prefetch_record(std::size_t bucket) const {
  // The index may have grown since: then the bucket is someone else's, or past the end.
  if (bucket >= index_.size()) return;
  // Only the home bucket's slot: at most half full, the index mostly finds the key there.
  const auto slot = index_[bucket];
  if (slot == kNone) return;
  __builtin_prefetch(&records_[slot]);
  __builtin_prefetch(&links_[slot]);
}

ClaimEvent ClaimTracker::observe_probe(InterfaceIndex interface, const ResolutionFrame& frame,
                                       Timestamp now) {
  auto& counters = interfaces_.at(interface);
  ++counters.probes;
  // A probe is an intent, never a claim: it only matters when someone else holds the address
  // (a DHCP server handing out a used lease, a host about to take a live IP).
  const AddressKey probed{frame.target_ip, frame.vlan, interface};
  const auto slot = find(probed);
  if (slot == kNone) {
    if (pending_probes_.size() == kMaxPendingProbes) pending_probes_.erase(pending_probes_.begin());
    pending_probes_.push_back({.key = probed, .prober = frame.sender_mac, .at = now});
    return ClaimEvent::probe;
  }
  const auto horizon = now - config_.window;
  const auto held = claimants_of(records_[slot]);
  const bool claimed_by_other = std::any_of(held.begin(), held.end(), [&](const Claimant& c) {
    return c.last_seen >= horizon && !same_mac(c.mac, frame.sender_mac);
  });
  if (!claimed_by_other) return ClaimEvent::probe;
  ++counters.probes_for_claimed;
  return ClaimEvent::probe_for_claimed;
}

ClaimEvent ClaimTracker::observe_claim(const AddressKey& key, const MacAddress& mac,
                                       Timestamp now) {
  const auto slot = find(key);
  if (slot != kNone) return update(slot, mac, now);
  insert(key, mac, now);
  if (!pending_probes_.empty() && answers_pending_probe(key, mac, now)) {
    ++interfaces_[key.interface].probes_for_claimed;
    return ClaimEvent::probe_answered;
  }
  return ClaimEvent::new_address;
}

bool ClaimTracker::answers_pending_probe(const AddressKey& key, const MacAddress& mac,
                                         Timestamp now) {
  std::erase_if(pending_probes_,
                [&](const PendingProbe& p) { return p.at < now - kProbeAnswerTime; });
  const auto answered =
      std::find_if(pending_probes_.begin(), pending_probes_.end(),
                   [&](const PendingProbe& p) { return p.key == key && !same_mac(p.prober, mac); });
  if (answered == pending_probes_.end()) return false;
  pending_probes_.erase(answered);
  return true;
}

ClaimEvent ClaimTracker::update(std::uint32_t slot, const MacAddress& mac, Timestamp now) {
  unlink(slot);
  link_front(slot);
  auto& record = records_[slot];

  auto& current = record.contest ? record.contest->claimants[record.current] : record.sole;
  if (same_mac(current.mac, mac)) {  // the common case: the owner refreshing its claim
    ++current.frames;
    current.last_seen = std::max(current.last_seen, now);
    if (record.contest) record.contest->last_claim = std::max(record.contest->last_claim, now);
    return ClaimEvent::refreshed;
  }

  auto& contest = contest_of(slot);
  contest.holder_before_change = contest.claimants[record.current].mac;
  contest.last_claim = std::max(contest.last_claim, now);
  prune_claimants(record, now - config_.window);
  auto& counters = interfaces_[record.key.interface];
  ++counters.mac_changes;
  contest.last_change = now;
  if (contest.first_change_since_round <= contest.verified_at)
    contest.first_change_since_round = now;

  const auto known = std::find_if(contest.claimants.begin(), contest.claimants.end(),
                                  [&](const Claimant& c) { return same_mac(c.mac, mac); });
  if (known != contest.claimants.end()) {
    ++known->frames;
    known->last_seen = std::max(known->last_seen, now);
    record.current = static_cast<std::uint16_t>(known - contest.claimants.begin());
    const auto returned = std::find_if(contest.returns.begin(), contest.returns.end(),
                                       [&](const auto& r) { return same_mac(r.first, mac); });
    if (returned == contest.returns.end()) {
      contest.returns.emplace_back(mac, now);
    } else {
      returned->second = std::max(returned->second, now);
    }
    ++counters.flaps;
    judge(record, now, true);
    return ClaimEvent::returning_claimant;
  }

  if (contest.claimants.size() >= config_.max_claimants_per_address) {
    const auto stalest = std::min_element(
        contest.claimants.begin(), contest.claimants.end(),
        [](const Claimant& a, const Claimant& b) { return a.last_seen < b.last_seen; });
    contest.claimants.erase(stalest);
    ++counters.claimant_evictions;
  }
  contest.claimants.push_back(
      Claimant{.mac = mac, .frames = 1, .first_seen = now, .last_seen = now});
  record.current = static_cast<std::uint16_t>(contest.claimants.size() - 1);
  ++counters.moves;
  judge(record, now, true);
  return ClaimEvent::new_claimant;
}

ClaimTracker::Contest& ClaimTracker::contest_of(std::uint32_t slot) {
  auto& record = records_[slot];
  if (!record.contest) {
    record.contest = std::make_unique<Contest>();
    record.contest->claimants.push_back(record.sole);
    record.contest->last_claim = record.sole.last_seen;
    record.current = 0;
    notable_.insert(slot);
  }
  return *record.contest;
}

void ClaimTracker::verified(const AddressKey& key, const VerificationResult& result,
                            Timestamp now) {
  if (result.answers.empty()) return;  // nobody answered: the passive evidence decides
  const auto slot = find(key);
  if (slot == kNone) return;  // its claims left the window while the round ran
  auto& record = records_[slot];
  // The sole claimant answering alone is the everyday case: nothing to remember.
  if (!record.contest && result.answers.size() == 1 && same_mac(result.answers[0], record.sole.mac))
    return;
  auto& contest = contest_of(slot);
  contest.conflict_ended = contest.verified_answers.size() >= 2 && result.answers.size() == 1;
  // Who held the address when the round began. An answer is a claim too: by now an older
  // MAC that answered has taken the address back, and the holder is the one before.
  const auto started = result.started == Timestamp{} ? now : result.started;
  const bool changed_during_round =
      contest.last_change != Timestamp{} && contest.last_change >= started;
  const auto holder =
      changed_during_round ? contest.holder_before_change : contest.claimants[record.current].mac;
  const auto held = std::find_if(contest.claimants.begin(), contest.claimants.end(),
                                 [&](const Claimant& c) { return same_mac(c.mac, holder); });
  // A holder that last spoke in an answer to the round before is gone, not ignoring us.
  const bool volunteered =
      held != contest.claimants.end() &&
      (contest.verified_at == Timestamp{} || held->last_seen > contest.verified_at);
  contest.holder_ignored_round =
      volunteered && std::none_of(result.answers.begin(), result.answers.end(),
                                  [&](const MacAddress& mac) { return same_mac(mac, holder); });
  contest.verified_at = now;
  contest.verified_answers = result.answers;
  judge(record, now);
}

std::uint32_t ClaimTracker::insert(const AddressKey& key, const MacAddress& mac, Timestamp now) {
  if (tracked_ >= config_.max_addresses) {
    const auto victim = eviction_victim();
    ++interfaces_[records_[victim].key.interface].evictions;
    remove(victim, now);
  }
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(records_.size());
    records_.emplace_back();
    links_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  auto& record = records_[slot];
  record.key = key;
  record.current = 0;
  record.sole = Claimant{.mac = mac, .frames = 1, .first_seen = now, .last_seen = now};
  index_add(slot);
  link_front(slot);
  ++interfaces_[key.interface].tracked;
  return slot;
}

std::uint32_t ClaimTracker::eviction_victim() const {
  // A flood of new addresses (a scan, a hostile host) must not push a live conflict out of
  // sight: pass over addresses in a contest, but only so far, so that a flood of contests
  // cannot make every insert walk the whole list.
  constexpr int kContestsPassedOver = 64;
  auto slot = tail_;
  for (int passed = 0; passed < kContestsPassedOver && slot != kNone; ++passed) {
    if (!records_[slot].contest) return slot;
    slot = links_[slot].newer;
  }
  return tail_;
}

void ClaimTracker::remove(std::uint32_t slot, Timestamp now) {
  auto& record = records_[slot];
  if (record.contest && record.contest->verdict != AddressState::stable && observer_ != nullptr) {
    const auto previous = std::exchange(record.contest->verdict, AddressState::stable);
    observer_->verdict_changed(report_of(record, AddressState::stable), previous, now);
  }
  unlink(slot);
  index_remove(record.key);
  notable_.erase(slot);
  --interfaces_[record.key.interface].tracked;
  record.contest.reset();
  free_slots_.push_back(slot);
}

void ClaimTracker::expire(Timestamp now) {
  const auto horizon = now - config_.window;
  while (tail_ != kNone && last_claim(records_[tail_]) < horizon) {
    ++interfaces_[records_[tail_].key.interface].expirations;
    remove(tail_, now);
  }
}

std::span<const Claimant> ClaimTracker::claimants_of(const Record& record) {
  if (record.contest) return record.contest->claimants;
  return {&record.sole, 1};
}

void ClaimTracker::prune_claimants(Record& record, Timestamp horizon) {
  auto& claimants = record.contest->claimants;
  if (claimants.empty()) return;
  const auto current_mac = claimants[record.current].mac;
  std::erase_if(claimants, [&](const Claimant& c) { return c.last_seen < horizon; });
  std::erase_if(record.contest->returns, [&](const auto& r) {
    return r.second < horizon ||
           std::none_of(claimants.begin(), claimants.end(),
                        [&](const Claimant& c) { return same_mac(c.mac, r.first); });
  });
  const auto current = std::find_if(claimants.begin(), claimants.end(), [&](const Claimant& c) {
    return same_mac(c.mac, current_mac);
  });
  record.current =
      current == claimants.end() ? 0 : static_cast<std::uint16_t>(current - claimants.begin());
}

bool ClaimTracker::verified_now(const Contest& contest, Timestamp horizon) {
  return contest.verified_at != Timestamp{} && contest.verified_at >= horizon;
}

AddressState ClaimTracker::state_of(const Record& record, Timestamp now) const {
  const auto horizon = now - config_.window;
  const auto& contest = *record.contest;
  const bool several = contest.claimants.size() >= 2;
  const auto returned = std::count_if(contest.returns.begin(), contest.returns.end(),
                                      [&](const auto& r) { return r.second >= horizon; });
  if (verified_now(contest, horizon)) {
    // Two machines answering one round is the conflict itself, whatever happened since.
    if (contest.verified_answers.size() >= 2) return AddressState::contested;
    // One answer after the latest change settles it: the newest claimant answering is a move
    // (the old MAC is gone), an older one answering means the change did not last. After a
    // conflict, any single answer is a move: one of the two machines was unplugged or
    // reconfigured, and which of them claimed first says nothing about which (calling the
    // owner's survival a flap would warn of a failover that never happened).
    if (contest.verified_at >= contest.last_change) {
      if (!several) return AddressState::stable;
      if (contest.conflict_ended) return AddressState::moved;
      const auto newest = std::max_element(
          contest.claimants.begin(), contest.claimants.end(),
          [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; });
      const auto& answer = contest.verified_answers.front();
      // Two MACs kept taking the address in turn, and the one that had claimed it last when
      // asked stays silent while another answers: a claimant that ignores probes, not a
      // failover (there the new holder, which claimed last, is the one that answers). The
      // alternation stands. A change too soon after a round is asked about once the address
      // interval has passed (ProbePlanner::request), so such a round follows every burst of
      // returns; without this rule it would end a passive conflict each time.
      if (returned >= 2 && contest.holder_ignored_round) return AddressState::contested;
      return same_mac(newest->mac, answer) ? AddressState::moved : AddressState::flapped;
    }
  }
  // Passive evidence: a round was not possible, or nobody answered it.
  if (several && returned >= 2) {
    // Unless a round about the changes is still due after one that a single MAC answered:
    // then it decides (a failover's holder answers alone). Held once, never for an address
    // already contested, so that a claimant that ignores probes cannot make it flicker.
    const bool round_due = round_grace_ > Duration{} && verified_now(contest, horizon) &&
                           contest.verified_answers.size() == 1 &&
                           contest.first_change_since_round > contest.verified_at &&
                           now - contest.first_change_since_round < round_grace_;
    if (round_due && contest.verdict != AddressState::contested) return AddressState::flapped;
    return AddressState::contested;
  }
  if (several && returned == 1) return AddressState::flapped;
  if (several || (contest.last_change >= horizon && contest.last_change != Timestamp{})) {
    return AddressState::moved;
  }
  return AddressState::stable;
}

AddressReport ClaimTracker::report_of(const Record& record, AddressState state) {
  auto claimants = record.contest->claimants;
  const auto holder =
      record.current < claimants.size() ? claimants[record.current].mac : MacAddress{};
  std::sort(claimants.begin(), claimants.end(),
            [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; });
  return AddressReport{.key = record.key,
                       .state = state,
                       .claimants = std::move(claimants),
                       .holder = holder,
                       .last_change = record.contest->last_change,
                       .verified = record.contest->verified_at != Timestamp{}};
}

void ClaimTracker::judge(Record& record, Timestamp now, bool claims_changed) {
  const auto state = state_of(record, now);
  auto& contest = *record.contest;
  if (state == contest.verdict && !claims_changed) return;
  const auto previous = std::exchange(contest.verdict, state);
  if (observer_ != nullptr) observer_->verdict_changed(report_of(record, state), previous, now);
}

void ClaimTracker::refresh(Timestamp now) {
  expire(now);
  const auto horizon = now - config_.window;

  // expire() walks the recency list from its old end and stops at the first live address, so
  // after the clock went back (a capture file out of order) an address whose every claim left
  // the window can sit behind a live one. Pruned here it would keep no claimant at all, and
  // the next claim for it would read one that is not there: it expires now instead, as it
  // would have with a well-behaved clock.
  std::vector<std::uint32_t> lapsed;
  for (const auto slot : notable_) {
    prune_claimants(records_[slot], horizon);
    if (records_[slot].contest->claimants.empty()) lapsed.push_back(slot);
  }
  for (const auto slot : lapsed) {
    ++interfaces_[records_[slot].key.interface].expirations;
    remove(slot, now);
  }
  std::vector<std::uint32_t> settled;
  for (const auto slot : notable_) {
    judge(records_[slot], now);
    if (records_[slot].contest->verdict == AddressState::stable) settled.push_back(slot);
  }
  // A settled address has one claimant left: it goes back inside the record.
  for (const auto slot : settled) {
    auto& record = records_[slot];
    record.sole = record.contest->claimants.front();
    record.current = 0;
    record.contest.reset();
    notable_.erase(slot);
  }
}

TrackerSnapshot ClaimTracker::snapshot() const {
  TrackerSnapshot snapshot;
  snapshot.interfaces = interfaces_;
  for (const auto slot : notable_) {
    const auto& record = records_[slot];
    const auto state = record.contest->verdict;
    auto& report = snapshot.interfaces[record.key.interface];
    switch (state) {
      case AddressState::stable:  // until the next refresh() settles it
        continue;
      case AddressState::moved:
        ++report.moved;
        break;
      case AddressState::flapped:
        ++report.flapped;
        break;
      case AddressState::contested:
        ++report.contested;
        break;
    }
    snapshot.addresses.push_back(report_of(record, state));
  }
  std::sort(snapshot.addresses.begin(), snapshot.addresses.end(),
            [](const AddressReport& a, const AddressReport& b) {
              return std::tie(a.key.interface, a.key.vlan, a.key.ip) <
                     std::tie(b.key.interface, b.key.vlan, b.key.ip);
            });
  return snapshot;
}

std::vector<Claimant> ClaimTracker::claimants(const AddressKey& key, Timestamp now) const {
  const auto slot = find(key);
  if (slot == kNone) return {};
  const auto horizon = now - config_.window;
  std::vector<Claimant> live;
  for (const auto& claimant : claimants_of(records_[slot])) {
    if (claimant.last_seen >= horizon) live.push_back(claimant);
  }
  std::sort(live.begin(), live.end(),
            [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; });
  return live;
}

void ClaimTracker::link_front(std::uint32_t slot) {
  auto& links = links_[slot];
  links.newer = kNone;
  links.older = head_;
  if (head_ != kNone) links_[head_].newer = slot;
  head_ = slot;
  if (tail_ == kNone) tail_ = slot;
}

void ClaimTracker::unlink(std::uint32_t slot) {
  auto& links = links_[slot];
  (links.newer == kNone ? head_ : links_[links.newer].older) = links.older;
  (links.older == kNone ? tail_ : links_[links.older].newer) = links.newer;
  links.newer = kNone;
  links.older = kNone;
}

std::size_t ClaimTracker::home_bucket(const AddressKey& key) const {
  // Fibonacci hashing: the top bits of the product depend on every bit of the key's hash.
  const std::uint64_t hash = AddressKeyHash{}(key);
  return static_cast<std::size_t>((hash * 0x9e37'79b9'7f4a'7c15ULL) >> index_shift_);
}

std::uint32_t ClaimTracker::find(const AddressKey& key) const {
  if (index_.empty()) return kNone;
  const auto mask = index_.size() - 1;
  // Ends: the index is never more than half full.
  for (auto bucket = home_bucket(key);; bucket = (bucket + 1) & mask) {
    const auto slot = index_[bucket];
    if (slot == kNone || records_[slot].key == key) return slot;
  }
}

void ClaimTracker::index_add(std::uint32_t slot) {
  if (2 * (tracked_ + 1) > index_.size()) grow_index();
  const auto mask = index_.size() - 1;
  auto bucket = home_bucket(records_[slot].key);
  while (index_[bucket] != kNone) bucket = (bucket + 1) & mask;
  index_[bucket] = slot;
  ++tracked_;
}

void ClaimTracker::index_remove(const AddressKey& key) {
  const auto mask = index_.size() - 1;
  auto hole = home_bucket(key);
  while (records_[index_[hole]].key != key) hole = (hole + 1) & mask;
  // Backward-shift deletion instead of tombstones: each later entry of the probe run moves
  // into the hole unless that would put it before its home bucket, so lookups stay short and
  // never have to skip deleted entries.
  for (auto next = (hole + 1) & mask; index_[next] != kNone; next = (next + 1) & mask) {
    const auto home = home_bucket(records_[index_[next]].key);
    if (((next - home) & mask) >= ((next - hole) & mask)) {
      index_[hole] = index_[next];
      hole = next;
    }
  }
  index_[hole] = kNone;
  --tracked_;
}

void ClaimTracker::grow_index() {
  const auto previous = std::exchange(
      index_, std::vector<std::uint32_t>(std::max<std::size_t>(16, 2 * index_.size()), kNone));
  index_shift_ = 64U - static_cast<unsigned>(std::countr_zero(index_.size()));
  const auto mask = index_.size() - 1;
  for (const auto slot : previous) {
    if (slot == kNone) continue;
    auto bucket = home_bucket(records_[slot].key);
    while (index_[bucket] != kNone) bucket = (bucket + 1) & mask;
    index_[bucket] = slot;
  }
}

}  // namespace arp
