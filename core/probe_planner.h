// Which addresses to ask the segment about, when, and within which budget: the pure half of
// active verification. Like an RFC 5227 state machine it keeps no timer and no socket: it is
// told what happened and what time it is, and answers with the probes to send now. The edge
// sends them; the answers come back only as captured frames, through the pipeline.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/claim_tracker.h"

namespace arp {

enum class ProbeReason : std::uint8_t {
  change,       // a claim changed hands: who answers now?
  own_address,  // this host's address: does anyone else answer for it? (RFC 5227 2.4)
  watch,        // --collector.arp.probe.watch: a silent rogue for a server people care about
  recheck,      // a contested address, asked again so that a conflict that ended clears
};
inline constexpr std::array kAllProbeReasons = {ProbeReason::change, ProbeReason::own_address,
                                                ProbeReason::watch, ProbeReason::recheck};
std::string_view to_string(ProbeReason reason);

// The cap that kept a round from being sent.
enum class ProbeLimit : std::uint8_t {
  rate,              // the global probes-per-second budget was spent for too long
  address_interval,  // the address was asked too recently
};
inline constexpr std::array kAllProbeLimits = {ProbeLimit::rate, ProbeLimit::address_interval};
std::string_view to_string(ProbeLimit limit);

enum class RoundOutcome : std::uint8_t { unanswered, one_mac, several_macs };
inline constexpr std::array kAllRoundOutcomes = {RoundOutcome::unanswered, RoundOutcome::one_mac,
                                                 RoundOutcome::several_macs};
std::string_view to_string(RoundOutcome outcome);

struct ProbePlannerConfig {
  // Every interface together: however many changes arrive, no more than this goes out.
  double probes_per_second = 10;
  double burst = 20;
  // Between two rounds for one address, whatever asked for them.
  Duration address_interval = std::chrono::seconds(10);
  Duration own_interval = std::chrono::seconds(30);
  Duration watch_interval = std::chrono::minutes(5);
  Duration recheck_interval = std::chrono::seconds(30);
  // A round: probes this far apart, answers counted until it ends.
  std::uint32_t probes_per_round = 2;
  Duration probe_spacing = std::chrono::milliseconds(250);
  Duration round_duration = std::chrono::seconds(1);
  // A request that waited this long for the rate budget is dropped, and counted.
  Duration max_wait = std::chrono::seconds(5);
  std::size_t max_pending = 1024;
  std::size_t max_answers_per_round = 16;

  friend bool operator==(const ProbePlannerConfig&, const ProbePlannerConfig&) = default;
};

// How long after a change its round may end at the latest: the address interval (a change
// too soon is asked about once it has passed), the wait for the rate budget, the round itself.
inline Duration round_grace(const ProbePlannerConfig& config) {
  return config.address_interval + config.max_wait + config.round_duration;
}

struct Probe {
  AddressKey key;
  ProbeReason reason = ProbeReason::change;
};

struct FinishedRound {
  AddressKey key;
  ProbeReason reason = ProbeReason::change;
  VerificationResult result;  // with when its first probe went out
};

struct ProbeCounters {
  std::array<std::uint64_t, kAllProbeReasons.size()> sent{};
  std::array<std::uint64_t, kAllProbeLimits.size()> suppressed{};
  std::array<std::uint64_t, kAllRoundOutcomes.size()> rounds{};
  std::uint64_t answers = 0;  // answer frames heard during a round
};

class ProbePlanner {
 public:
  explicit ProbePlanner(ProbePlannerConfig config);

  // Takes a new configuration (the exporter's SIGHUP) and keeps everything the planner knows:
  // running and waiting rounds, when each address was last asked, the counters. A scheduled
  // address keeps its place relative to its last round: its next round is due one new interval
  // after it (at once when that has passed). The budget never exceeds the new burst.
  void reconfigure(ProbePlannerConfig config, Timestamp now);

  // Asks for a round for `key`. Nothing happens while a round for it is pending or running; a
  // change too soon after the last round is counted and postponed until the interval has
  // passed (one round for every change meanwhile); other reasons only wait their turn.
  void request(const AddressKey& key, ProbeReason reason, Timestamp now);

  // The addresses asked at a steady interval: this host's own, and the watched ones. Replaces
  // the previous lists; an address already listed keeps its place in the schedule.
  void schedule(const std::vector<AddressKey>& own, const std::vector<AddressKey>& watched,
                Timestamp now);

  // A captured frame that answers a probe (answers_probe()) for key.ip.
  void answer(const AddressKey& key, const MacAddress& mac);

  struct Step {
    std::vector<Probe> send;
    std::vector<FinishedRound> finished;
  };
  Step advance(Timestamp now);

  // Drops everything about a vanished interface: its rounds, queued requests, schedule and
  // counters, so that a new interface reusing its index starts clean.
  void forget_interface(InterfaceIndex interface);

  // Indexed by InterfaceIndex; interfaces never probed may be missing at the end.
  const std::vector<ProbeCounters>& counters() const { return counters_; }
  const ProbePlannerConfig& config() const { return config_; }

 private:
  struct Round {
    ProbeReason reason = ProbeReason::change;
    Timestamp started;
    Timestamp next_probe;
    std::uint32_t probes_sent = 0;
    std::vector<MacAddress> answers;
  };
  struct Pending {
    AddressKey key;
    Timestamp requested;
  };
  struct Scheduled {
    AddressKey key;
    ProbeReason reason = ProbeReason::own_address;
    Timestamp due;
  };

  ProbeCounters& counters_for(InterfaceIndex interface);
  bool take_token();
  void refill(Timestamp now);
  void queue_due(Timestamp now);
  void start_rounds(Timestamp now, Step& step);
  void continue_rounds(Timestamp now, Step& step);
  void finish_rounds(Timestamp now, Step& step);
  void forget_old_rounds(Timestamp now);
  Duration interval_for(ProbeReason reason) const;
  Duration schedule_interval(ProbeReason reason) const;

  ProbePlannerConfig config_;
  double tokens_;
  Timestamp refilled_;
  std::unordered_map<AddressKey, Round, AddressKeyHash> rounds_;  // running
  // One queue per reason, served in kAllProbeReasons order of urgency below.
  std::array<std::deque<Pending>, kAllProbeReasons.size()> pending_;
  std::unordered_set<AddressKey, AddressKeyHash> queued_;
  // Changes asked about too soon after a round for the address: one round each, once the
  // address interval since that round has passed (queue_due()).
  std::unordered_set<AddressKey, AddressKeyHash> postponed_;
  std::size_t pending_count_ = 0;
  // When each address was last asked; entries older than every interval are forgotten.
  std::unordered_map<AddressKey, Timestamp, AddressKeyHash> last_round_;
  Timestamp forgotten_;
  std::vector<Scheduled> scheduled_;
  std::vector<ProbeCounters> counters_;
};

}  // namespace arp
