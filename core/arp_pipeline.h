// decode -> count -> filter -> track -> verify: what happens to every captured frame, live or
// from a file. Not thread-safe; the live exporter serialises access, the analyzer is
// single-threaded.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <vector>

#include "core/claim_filter.h"
#include "core/claim_tracker.h"
#include "core/frame_counters.h"
#include "core/frame_decoder.h"
#include "core/host_identity.h"
#include "core/probe_planner.h"
#include "core/trouble_timeline.h"

namespace arp {

struct PipelineCounters {
  FrameCounters frames;
  std::uint64_t ignored = 0;     // matched an ignore rule
  std::uint64_t own_probes = 0;  // this host's probes, seen again by its own capture
};

struct PipelineSnapshot {
  TrackerSnapshot tracker;
  std::vector<PipelineCounters> counters;  // indexed by InterfaceIndex, like tracker.interfaces
  bool probing = false;                    // active verification is on
  std::vector<ProbeCounters> probes;       // indexed by InterfaceIndex, when probing
  std::vector<OwnAddressClaim> own_claims;
  std::vector<OwnAddressMacs> own_macs;
};

// What one frame did: the decoded frame (when it was ARP) and what the tracker made of it.
struct PipelineOutcome {
  const ResolutionFrame* frame = nullptr;  // valid until the next process() call
  ClaimEvent event = ClaimEvent::not_a_claim;
};

class ArpPipeline : private VerdictObserver {
 public:
  // Without a planner configuration the pipeline is passive: it never asks for a probe.
  ArpPipeline(ClaimTrackerConfig tracker_config, ClaimFilter filter,
              std::optional<ProbePlannerConfig> probing = std::nullopt);
  // The tracker holds a pointer to the pipeline (its observer): the pipeline stays put.
  ArpPipeline(const ArpPipeline&) = delete;
  ArpPipeline& operator=(const ArpPipeline&) = delete;
  ArpPipeline(ArpPipeline&&) = delete;
  ArpPipeline& operator=(ArpPipeline&&) = delete;
  ~ArpPipeline() override = default;

  InterfaceIndex add_interface(std::string_view name);
  // Forgets a vanished interface: its addresses, counters, timelines and probe rounds; its
  // index may be handed to the next new interface. False when the name is unknown.
  bool forget_interface(std::string_view name);
  PipelineOutcome process(InterfaceIndex interface, std::span<const std::byte> frame,
                          Timestamp captured);
  // process() for a frame the caller decoded; the outcome's frame is `decoded`'s.
  PipelineOutcome process_decoded(InterfaceIndex interface, const DecodeResult& decoded,
                                  Timestamp captured);
  // Hints that `decoded` is processed soon, as process_batch gives them: the bucket some eight
  // frames ahead, its record some four (ClaimTracker::prefetch_bucket). They change nothing;
  // for callers that read ahead, as `analyze` does.
  std::size_t prefetch_bucket(InterfaceIndex interface, const DecodeResult& decoded) const {
    return decoded ? tracker_.prefetch_bucket(interface, *decoded) : ClaimTracker::kNoHint;
  }
  void prefetch_record(std::size_t bucket) const { tracker_.prefetch_record(bucket); }
  // process() for each frame of a batch, in order, all captured at `captured`: the same
  // counters, verdicts and events as frames processed one by one, but decoded by the caller
  // (decode_frame needs no lock) and with the tracker's memory for the frames ahead fetched
  // while earlier ones are handled: on a busy machine a frame otherwise waits on two or three
  // cache misses in turn. events[i] is what decoded[i] did (not_a_claim when rejected).
  void process_batch(InterfaceIndex interface, std::span<const DecodeResult> decoded,
                     Timestamp captured, std::span<ClaimEvent> events);
  // What the pipeline holds, read without changing it: verdicts as the last advance() or
  // refresh() left them (own-address claims are read as of `now`). A scrape never decides.
  PipelineSnapshot snapshot(Timestamp now) const;
  // Applies what time alone changes: claims and timeline events leaving the window, verdicts
  // that follow. advance() does it too; for callers that do not verify (capture files, tests).
  void refresh(Timestamp now) {
    tracker_.refresh(now);
    timeline_.expire(now);
  }

  // This host's addresses and MACs, and the addresses to sweep (--collector.arp.probe.watch).
  // Ignored addresses are never probed.
  void set_host(const std::vector<HostAddress>& addresses, std::vector<MacAddress> macs,
                const std::vector<AddressKey>& watched, Timestamp now);

  // A reload (SIGHUP). New ignore rules apply to frames from now on; whatever the tracker
  // holds stays (an address tracked before it was ignored ages out of the window). Contested
  // addresses now ignored are no longer rechecked; the own and watch schedules drop ignored
  // addresses at the next set_host().
  void set_filter(ClaimFilter filter) { filter_ = std::move(filter); }
  const ClaimFilter& filter() const { return filter_; }
  // New probe settings for the planner, which keeps its rounds, schedule and counters; nothing
  // when the pipeline is passive (probing is switched on or off only at start-up).
  void reconfigure_probing(const ProbePlannerConfig& config, Timestamp now) {
    if (planner_) {
      planner_->reconfigure(config, now);
      tracker_.set_round_grace(round_grace(config));
    }
  }

  // Moves verification on: finished rounds become verdicts, and the probes to send now are
  // returned. Call it a few times a second; without probing it only refreshes verdicts.
  std::vector<Probe> advance(Timestamp now);

  // Told of every change of verdict (not owned; nullptr for none).
  void set_observer(VerdictObserver* observer) { observer_ = observer; }

  // This host's neighbour entry for an untagged address on a captured interface, for the
  // timeline of an address in trouble; ignored for any other address.
  void note_neighbor(std::string_view interface, IpAddress ip, const NeighborMark& entry,
                     Timestamp now);
  // The addresses whose timelines are kept, so an edge can pick the neighbour entries to feed.
  std::vector<AddressKey> timeline_keys() const { return timeline_.keys(); }
  // The timelines of the addresses in trouble, each with its claimants as the tracker has them
  // (frames and last claim), most recently active first; like snapshot(), as the last
  // advance() or refresh() left them.
  std::vector<AddressTimeline> timelines(Timestamp now) const;

  ClaimTracker& tracker() { return tracker_; }
  const ClaimTracker& tracker() const { return tracker_; }
  const HostIdentity& host() const { return host_; }

 private:
  void verdict_changed(const AddressReport& address, AddressState previous, Timestamp now) override;
  // process() after the decoding and counting.
  ClaimEvent handle(InterfaceIndex interface, PipelineCounters& counters,
                    const ResolutionFrame& frame, Timestamp captured);
  // What a finished round means for the tracker: on this host's own address, this host is
  // one of the machines holding it even though it never answers its own probe.
  VerificationResult with_this_host(const AddressKey& key, VerificationResult result,
                                    Timestamp now) const;

  ClaimTracker tracker_;
  ClaimFilter filter_;
  std::optional<ProbePlanner> planner_;
  HostIdentity host_;
  std::vector<PipelineCounters> counters_;
  ResolutionFrame last_frame_;
  VerdictObserver* observer_ = nullptr;
  TroubleTimeline timeline_;
  // Contested addresses, asked again now and then so that a conflict that ended clears.
  std::set<std::tuple<InterfaceIndex, Vlan, IpAddress>> contested_;
};

}  // namespace arp
