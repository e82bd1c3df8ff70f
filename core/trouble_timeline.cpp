#include "core/trouble_timeline.h"

#include <algorithm>

namespace arp {
namespace {

// The newest mark of one kind, or null.
template <typename Mark>
const Mark* last_mark(const AddressTimeline& timeline) {
  const auto& events = timeline.events;
  const auto found = std::find_if(events.rbegin(), events.rend(), [](const TimelineEvent& event) {
    return std::holds_alternative<Mark>(event.what);
  });
  return found == events.rend() ? nullptr : &std::get<Mark>(found->what);
}

}  // namespace

void TroubleTimeline::observe(const AddressReport& address, AddressState previous, Timestamp now) {
  if (address.claimants.empty()) return;
  const bool known = follows(address.key);
  auto& timeline = timeline_for(address.key, now);
  if (!known) {
    // The claims that led here happened before the address was in trouble: the tracker still
    // has each claimant's first claim, which is where each MAC's lane begins.
    auto first = address.claimants;
    std::sort(first.begin(), first.end(),
              [](const Claimant& a, const Claimant& b) { return a.first_seen < b.first_seen; });
    for (const auto& claimant : first) {
      add(timeline, {claimant.first_seen, ClaimMark{.mac = claimant.mac, .frames = 1}}, now);
    }
  }
  // The MAC that claimed last holds the address now; a mark only when that changed hands.
  const auto current = std::find_if(address.claimants.begin(), address.claimants.end(),
                                    [&](const Claimant& c) { return c.mac == address.holder; });
  const auto* last_claim = last_mark<ClaimMark>(timeline);
  if (current != address.claimants.end() &&
      (last_claim == nullptr || last_claim->mac != current->mac)) {
    add(timeline, {current->last_seen, ClaimMark{.mac = current->mac, .frames = current->frames}},
        now);
  }
  if (previous != address.state) {
    add(timeline, {now, VerdictMark{.verdict = address.state, .previous = previous}}, now);
  }
  timeline.verdict = address.state;
  timeline.claimants = address.claimants;
}

void TroubleTimeline::round(const AddressKey& key, ProbeReason reason, Timestamp sent,
                            std::span<const MacAddress> answers, Timestamp now) {
  const auto found = timelines_.find(key);
  if (found == timelines_.end()) return;  // a routine round for an address in no trouble
  add(found->second,
      {sent, RoundMark{.reason = reason,
                       .finished = now,
                       .answers = std::vector<MacAddress>(answers.begin(), answers.end())}},
      now);
}

void TroubleTimeline::neighbor(const AddressKey& key, const NeighborMark& entry, Timestamp now) {
  const auto found = timelines_.find(key);
  if (found == timelines_.end()) return;
  const auto* last = last_neighbor(found->second);
  if (last != nullptr && *last == entry) return;
  add(found->second, {now, entry}, now);
}

std::vector<AddressKey> TroubleTimeline::keys() const {
  std::vector<AddressKey> keys;
  keys.reserve(timelines_.size());
  for (const auto& [key, timeline] : timelines_) keys.push_back(key);
  return keys;
}

void TroubleTimeline::drop_before(AddressTimeline& timeline, Timestamp horizon) {
  while (!timeline.events.empty() && timeline.events.front().at < horizon) {
    if (const auto* mark = std::get_if<NeighborMark>(&timeline.events.front().what)) {
      timeline.neighbor_before = *mark;
    }
    timeline.events.pop_front();
  }
}

void TroubleTimeline::expire(Timestamp now) {
  const auto horizon = now - config_.window;
  for (auto entry = timelines_.begin(); entry != timelines_.end();) {
    drop_before(entry->second, horizon);
    entry = entry->second.events.empty() ? timelines_.erase(entry) : std::next(entry);
  }
}

std::vector<AddressTimeline> TroubleTimeline::snapshot(Timestamp now) const {
  const auto horizon = now - config_.window;
  std::vector<AddressTimeline> copy;
  copy.reserve(timelines_.size());
  for (const auto& [key, timeline] : timelines_) {
    auto& story = copy.emplace_back(timeline);
    drop_before(story, horizon);
    if (story.events.empty()) copy.pop_back();
  }
  std::sort(copy.begin(), copy.end(), [](const AddressTimeline& a, const AddressTimeline& b) {
    return a.last_active > b.last_active;
  });
  return copy;
}

AddressTimeline& TroubleTimeline::timeline_for(const AddressKey& key, Timestamp now) {
  if (const auto found = timelines_.find(key); found != timelines_.end()) return found->second;
  if (timelines_.size() >= config_.max_addresses && !timelines_.empty()) {
    // A linear scan: at most a few hundred timelines, and only when a new one starts.
    const auto quietest = std::min_element(
        timelines_.begin(), timelines_.end(),
        [](const auto& a, const auto& b) { return a.second.last_active < b.second.last_active; });
    timelines_.erase(quietest);
  }
  auto& timeline = timelines_[key];
  timeline.key = key;
  timeline.last_active = now;
  return timeline;
}

void TroubleTimeline::add(AddressTimeline& timeline, TimelineEvent event, Timestamp now) const {
  // Most events happen now; a round is stamped with when it was sent (a second ago), a seeded
  // claim with its first frame: insert in time order, searching from the newest end.
  auto& events = timeline.events;
  const auto at = std::upper_bound(
      events.rbegin(), events.rend(), event.at,
      [](Timestamp time, const TimelineEvent& existing) { return time >= existing.at; });
  events.insert(at.base(), std::move(event));
  while (events.size() > config_.max_events) {
    if (const auto* mark = std::get_if<NeighborMark>(&events.front().what)) {
      timeline.neighbor_before = *mark;
    }
    events.pop_front();
  }
  timeline.last_active = std::max(timeline.last_active, now);
}

const NeighborMark* TroubleTimeline::last_neighbor(const AddressTimeline& timeline) {
  if (const auto* mark = last_mark<NeighborMark>(timeline)) return mark;
  return timeline.neighbor_before ? &*timeline.neighbor_before : nullptr;
}

}  // namespace arp
