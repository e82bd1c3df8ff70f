// The story of each address in trouble over the tracker's window, for people to look at: when
// each MAC took the address over, how the verdict changed, what each verification round heard,
// and where this host's own neighbour entry pointed. The tracker keeps only the present (who
// claims it, since when); an operator paged about a conflict wants to see how it unfolded.
//
// Bounded on every axis, since a hostile segment decides how much trouble there is: at most
// max_addresses addresses (the least recently active one makes room), max_events events each
// (the oldest goes), and nothing older than the window. Not thread-safe; the pipeline owns it.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/claim_tracker.h"
#include "core/neighbor.h"
#include "core/probe_planner.h"

namespace arp {

struct TimelineConfig {
  Duration window = std::chrono::minutes(5);  // the tracker's: the page shows what it weighs
  std::size_t max_addresses = 256;
  std::size_t max_events = 200;
};

// A MAC took the address over (or, when the address entered the timeline, first claimed it).
struct ClaimMark {
  MacAddress mac;
  std::uint32_t frames = 0;  // its claims inside the window so far
};
struct VerdictMark {
  AddressState verdict = AddressState::stable;
  AddressState previous = AddressState::stable;
};
// A verification round, stamped when its first probe went out; answers empty when none came.
struct RoundMark {
  ProbeReason reason = ProbeReason::change;
  Timestamp finished;
  std::vector<MacAddress> answers;
};
// This host's neighbour entry for the address, from here on (no MAC: unresolved or deleted).
struct NeighborMark {
  std::optional<MacAddress> mac;
  NudState state = NudState::none;

  friend bool operator==(const NeighborMark&, const NeighborMark&) = default;
};

struct TimelineEvent {
  Timestamp at;
  std::variant<ClaimMark, VerdictMark, RoundMark, NeighborMark> what;
};

struct AddressTimeline {
  AddressKey key;
  AddressState verdict = AddressState::stable;  // as last told
  std::vector<Claimant> claimants;              // as last told, oldest first_seen first
  std::deque<TimelineEvent> events;             // oldest first
  // The neighbour entry as it stood when the window began, once the change that set it left
  // the window: the lane still knows where this host sent at the left edge.
  std::optional<NeighborMark> neighbor_before;
  Timestamp last_active;
};

class TroubleTimeline {
 public:
  explicit TroubleTimeline(TimelineConfig config) : config_(config) {}

  // From the tracker's VerdictObserver: a change of verdict or of claimant on an address in
  // trouble. The first call for an address starts its timeline with every claimant so far.
  void observe(const AddressReport& address, AddressState previous, Timestamp now);

  // A finished verification round; kept only for an address the timeline follows.
  void round(const AddressKey& key, ProbeReason reason, Timestamp sent,
             std::span<const MacAddress> answers, Timestamp now);

  // This host's neighbour entry for an address the timeline follows; recorded only when it
  // differs from the last one recorded, so a sampler may call it as often as it likes.
  void neighbor(const AddressKey& key, const NeighborMark& entry, Timestamp now);

  bool follows(const AddressKey& key) const { return timelines_.contains(key); }
  std::vector<AddressKey> keys() const;

  // Drops the timelines of a vanished interface's addresses.
  void forget_interface(InterfaceIndex interface) {
    std::erase_if(timelines_,
                  [&](const auto& entry) { return entry.first.interface == interface; });
  }

  // Drops events older than the window, and addresses left with none.
  void expire(Timestamp now);

  // Most recently active first, as expire(now) would leave them; changes nothing.
  std::vector<AddressTimeline> snapshot(Timestamp now) const;

  const TimelineConfig& config() const { return config_; }

 private:
  AddressTimeline& timeline_for(const AddressKey& key, Timestamp now);  // creates, evicting
  void add(AddressTimeline& timeline, TimelineEvent event, Timestamp now) const;
  static const NeighborMark* last_neighbor(const AddressTimeline& timeline);
  // Drops the events before `horizon`, keeping where this host's entry pointed at the edge.
  static void drop_before(AddressTimeline& timeline, Timestamp horizon);

  TimelineConfig config_;
  std::unordered_map<AddressKey, AddressTimeline, AddressKeyHash> timelines_;
};

}  // namespace arp
