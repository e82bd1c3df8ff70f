#include "core/arp_pipeline.h"

#include <algorithm>
#include <array>

#include "core/arp_probe.h"

namespace arp {

ArpPipeline::ArpPipeline(ClaimTrackerConfig tracker_config, ClaimFilter filter,
                         std::optional<ProbePlannerConfig> probing)
    : tracker_(tracker_config),
      filter_(std::move(filter)),
      timeline_(TimelineConfig{.window = tracker_config.window}) {
  if (probing) {
    planner_.emplace(*probing);
    tracker_.set_round_grace(round_grace(*probing));
  }
  tracker_.set_observer(this);
}

InterfaceIndex ArpPipeline::add_interface(std::string_view name) {
  const auto index = tracker_.add_interface(name);
  if (counters_.size() <= index) counters_.resize(index + 1U);
  return index;
}

bool ArpPipeline::forget_interface(std::string_view name) {
  const auto index = tracker_.find_interface(name);
  if (!index) return false;
  tracker_.forget_interface(*index);
  counters_.at(*index) = PipelineCounters{};
  if (planner_) planner_->forget_interface(*index);
  timeline_.forget_interface(*index);
  std::erase_if(contested_, [&](const auto& key) { return std::get<0>(key) == *index; });
  return true;
}

PipelineOutcome ArpPipeline::process(InterfaceIndex interface, std::span<const std::byte> frame,
                                     Timestamp captured) {
  const auto decoded = decode_frame(frame);
  const auto outcome = process_decoded(interface, decoded, captured);
  if (outcome.frame == nullptr) return outcome;
  last_frame_ = *outcome.frame;
  return {.frame = &last_frame_, .event = outcome.event};
}

PipelineOutcome ArpPipeline::process_decoded(InterfaceIndex interface, const DecodeResult& decoded,
                                             Timestamp captured) {
  auto& counters = counters_.at(interface);
  counters.frames.count(decoded);
  if (!decoded) return {};
  return {.frame = &*decoded, .event = handle(interface, counters, *decoded, captured)};
}

void ArpPipeline::process_batch(InterfaceIndex interface, std::span<const DecodeResult> decoded,
                                Timestamp captured, std::span<ClaimEvent> events) {
  auto& counters = counters_.at(interface);
  // How many frames ahead each hint is given: far enough for a cache miss (a few hundred ns
  // on a busy machine, some tens of ns of work a frame) to be over when the frame comes, near
  // enough that what was fetched is still in L1/L2 and the index slot read is still current.
  constexpr std::size_t kRecordAhead = 4;
  constexpr std::size_t kBucketAhead = 2 * kRecordAhead;
  // Frame i's bucket, from its first hint to its second: slot i % kBucketAhead.
  std::array<std::size_t, kBucketAhead> buckets{};
  const auto hint_bucket = [&](std::size_t i) {
    if (i < decoded.size()) buckets[i % kBucketAhead] = prefetch_bucket(interface, decoded[i]);
  };
  const auto hint_record = [&](std::size_t i) {
    if (i < decoded.size()) prefetch_record(buckets[i % kBucketAhead]);
  };
  for (std::size_t i = 0; i < kBucketAhead; ++i) hint_bucket(i);
  for (std::size_t i = 0; i < kRecordAhead; ++i) hint_record(i);
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    hint_bucket(i + kBucketAhead);
    hint_record(i + kRecordAhead);
    counters.frames.count(decoded[i]);
    events[i] =
        decoded[i] ? handle(interface, counters, *decoded[i], captured) : ClaimEvent::not_a_claim;
  }
}

ClaimEvent ArpPipeline::handle(InterfaceIndex interface, PipelineCounters& counters,
                               const ResolutionFrame& frame, Timestamp captured) {
  if (filter_.ignores(frame)) {
    ++counters.ignored;
    return ClaimEvent::not_a_claim;
  }
  // Our own probes come back through our own capture; they are no one's intent to take an
  // address, so they must not count as probes for a claimed one.
  if (frame.kind == FrameKind::probe && host_.is_own(frame.sender_mac)) {
    ++counters.own_probes;
    return ClaimEvent::not_a_claim;
  }
  const AddressKey key{frame.sender_ip, frame.vlan, interface};
  if (planner_ && answers_probe(frame)) planner_->answer(key, frame.sender_mac);
  const auto event = tracker_.observe(interface, frame, captured);
  if (planner_ && (event == ClaimEvent::new_claimant || event == ClaimEvent::returning_claimant)) {
    planner_->request(key, ProbeReason::change, captured);
  }
  return event;
}

void ArpPipeline::set_host(const std::vector<HostAddress>& addresses, std::vector<MacAddress> macs,
                           const std::vector<AddressKey>& watched, Timestamp now) {
  host_.update(addresses, std::move(macs), now);
  if (!planner_) return;
  std::vector<AddressKey> own;
  for (const auto& held : host_.addresses()) {
    if (!filter_.ignores(held.address.ip))
      own.push_back({held.address.ip, Vlan{}, held.address.interface});
  }
  std::vector<AddressKey> swept;
  for (const auto& key : watched) {
    if (!filter_.ignores(key.ip)) swept.push_back(key);
  }
  planner_->schedule(own, swept, now);
}

std::vector<Probe> ArpPipeline::advance(Timestamp now) {
  if (!planner_) {
    refresh(now);
    return {};
  }
  for (const auto& [interface, vlan, ip] : contested_) {
    // Ignored since it became contested (a reload): never probed, like any ignored address.
    if (filter_.ignores(ip)) continue;
    planner_->request({ip, vlan, interface}, ProbeReason::recheck, now);
  }
  auto step = planner_->advance(now);
  for (const auto& round : step.finished) {
    // What the segment said, before this host is counted in: the page shows who answered.
    timeline_.round(round.key, round.reason, round.result.started, round.result.answers, now);
    tracker_.verified(round.key, with_this_host(round.key, round.result, now), now);
  }
  refresh(now);
  return std::move(step.send);
}

VerificationResult ArpPipeline::with_this_host(const AddressKey& key, VerificationResult result,
                                               Timestamp now) const {
  if (result.answers.empty() || key.vlan.tagged()) return result;
  const auto& held = host_.addresses();
  const bool own = std::any_of(held.begin(), held.end(), [&](const HeldAddress& h) {
    return h.address.ip == key.ip && h.address.interface == key.interface;
  });
  const auto& answers = result.answers;
  if (!own || std::any_of(answers.begin(), answers.end(),
                          [&](const MacAddress& mac) { return host_.is_own(mac); })) {
    return result;
  }
  // The MAC this host claimed the address with, as the tracker saw it; any of its MACs if it
  // has not claimed it inside the window.
  const auto claimants = tracker_.claimants(key, now);
  const auto mine = std::find_if(claimants.begin(), claimants.end(),
                                 [&](const Claimant& c) { return host_.is_own(c.mac); });
  if (mine != claimants.end()) {
    result.answers.push_back(mine->mac);
  } else if (!host_.macs().empty()) {
    result.answers.push_back(host_.macs().front());
  }
  return result;
}

void ArpPipeline::verdict_changed(const AddressReport& address, AddressState previous,
                                  Timestamp now) {
  const auto key = std::make_tuple(address.key.interface, address.key.vlan, address.key.ip);
  if (address.state == AddressState::contested) {
    contested_.insert(key);
  } else {
    contested_.erase(key);
  }
  timeline_.observe(address, previous, now);
  if (observer_ != nullptr) observer_->verdict_changed(address, previous, now);
}

void ArpPipeline::note_neighbor(std::string_view interface, IpAddress ip, const NeighborMark& entry,
                                Timestamp now) {
  const auto index = tracker_.find_interface(interface);
  if (!index) return;
  timeline_.neighbor({ip, Vlan{}, *index}, entry, now);
}

std::vector<AddressTimeline> ArpPipeline::timelines(Timestamp now) const {
  auto timelines = timeline_.snapshot(now);
  for (auto& timeline : timelines) {
    if (auto claimants = tracker_.claimants(timeline.key, now); !claimants.empty()) {
      timeline.claimants = std::move(claimants);
    }
  }
  return timelines;
}

PipelineSnapshot ArpPipeline::snapshot(Timestamp now) const {
  PipelineSnapshot snapshot{
      .tracker = tracker_.snapshot(),
      .counters = counters_,
      .probing = planner_.has_value(),
      .probes = {},
      .own_claims = find_own_address_claims(host_, tracker_, now),
      .own_macs = find_own_address_macs(host_, tracker_, tracker_.interface_count(), now)};
  if (planner_) snapshot.probes = planner_->counters();
  return snapshot;
}

}  // namespace arp
