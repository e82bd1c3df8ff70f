// Who claims which IP: per (interface, VLAN, IP), every MAC that asserted ownership inside a
// time window, and whether the address is stable, moved once, or contested.
//
// Not thread-safe: the collector that owns a tracker serialises access. Every call takes the
// time of the event, so the tracker runs the same on live captures, capture files and tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/resolution_frame.h"
#include "core/timestamp.h"

namespace arp {

using InterfaceIndex = std::uint16_t;

struct AddressKey {
  IpAddress ip;
  Vlan vlan;
  InterfaceIndex interface = 0;

  // The tracker's index compares keys on every frame. A defaulted comparison calls memcmp for
  // the address; the key has no padding (22 bytes: address, both tags, interface), so equality
  // is three 8-byte loads a side, the last one overlapping the second (bytes 14 to 21). Loaded
  // straight from the keys: copied into arrays first, the copies' stores and the words' loads
  // differ in width and stall.
  friend bool operator==(const AddressKey& a, const AddressKey& b) {
    constexpr std::size_t kLastWord = sizeof(AddressKey) - sizeof(std::uint64_t);
    return ((word_at(a, 0) ^ word_at(b, 0)) | (word_at(a, 8) ^ word_at(b, 8)) |
            (word_at(a, kLastWord) ^ word_at(b, kLastWord))) == 0;
  }

 private:
  static std::uint64_t word_at(const AddressKey& key, std::size_t at) {
    std::uint64_t word = 0;
    std::memcpy(&word, reinterpret_cast<const std::byte*>(&key) + at, sizeof word);  // NOLINT
    return word;
  }
};
static_assert(sizeof(AddressKey) ==
              sizeof(IpAddress) + 2 * sizeof(std::uint16_t) + sizeof(InterfaceIndex));

struct AddressKeyHash {
  std::size_t operator()(const AddressKey& key) const noexcept;
};

struct Claimant {
  MacAddress mac;
  std::uint32_t frames = 0;
  Timestamp first_seen;
  Timestamp last_seen;
};

// The verdicts, from least to most severe (see docs/architecture.md, "Verdicts").
enum class AddressState : std::uint8_t {
  stable,     // one MAC claims it
  moved,      // the MAC changed and only the new one answers: NIC swap, VM migration, failover
  flapped,    // one return to an earlier MAC, not confirmed: a VRRP backup's stray announcement
  contested,  // two or more MACs answered one verification round, or (unverified) kept
              // claiming it in turn: an IP conflict
};
std::string_view to_string(AddressState state);

// What one frame did, so the edge can log the interesting ones.
enum class ClaimEvent : std::uint8_t {
  not_a_claim,         // a request/reply whose sender cannot own an address
  new_address,         // first claim for this address in the window
  refreshed,           // the same MAC claimed it again
  new_claimant,        // a MAC unseen in the window took over: a move, or a conflict starting
  returning_claimant,  // a MAC from earlier in the window claims it again: a flap
  probe,               // RFC 5227 probe for an address nobody else claims
  probe_for_claimed,   // RFC 5227 probe for an address another MAC claims
  probe_answered,      // first claim for an address, by a MAC that is not the one probing for
                       // it just before: a holder defending it (the prober's DAD fails)
};

// What one verification round for an address heard: the distinct MACs that answered it.
struct VerificationResult {
  std::vector<MacAddress> answers;
  // When the round's first probe went out; epoch when unknown (then the round counts as
  // asked at the time it is reported).
  Timestamp started;
};

struct ClaimTrackerConfig {
  Duration window = std::chrono::minutes(5);
  std::size_t max_addresses = 100'000;
  // A flood of MACs for one IP must not grow one address without bound either.
  std::size_t max_claimants_per_address = 16;
};

// Counters only ever grow; gauges describe the state at snapshot time.
struct InterfaceReport {
  std::string name;
  std::uint64_t tracked = 0;    // gauge
  std::uint64_t contested = 0;  // gauge
  std::uint64_t moved = 0;      // gauge
  std::uint64_t flapped = 0;    // gauge
  std::uint64_t mac_changes = 0;
  std::uint64_t moves = 0;
  std::uint64_t flaps = 0;
  std::uint64_t probes = 0;
  std::uint64_t probes_for_claimed = 0;  // and probes answered by a holder unknown before
  std::uint64_t evictions = 0;
  std::uint64_t claimant_evictions = 0;
  std::uint64_t expirations = 0;
};

struct AddressReport {
  AddressKey key;
  AddressState state = AddressState::stable;
  std::vector<Claimant> claimants;  // oldest first_seen first
  // The MAC that claimed last, in the order the frames came: frames handed over in one batch
  // share a time, so the claimants' last_seen can tie and cannot tell who holds it now.
  MacAddress holder;
  Timestamp last_change;
  // Set once a verification round for the address was answered: the verdict weighs what the
  // segment said when asked, not only what it volunteered.
  bool verified = false;
};

// Told, as it happens, of every change of verdict and of every change of claimant on an
// address in trouble (then `previous` equals address.state), so an edge can log it and
// `analyze` can keep the history of a capture without a second history beside the tracker.
// Called with the tracker's state already updated and the time of the call that changed it;
// must not change the tracker.
class VerdictObserver {
 public:
  VerdictObserver() = default;
  VerdictObserver(const VerdictObserver&) = default;
  VerdictObserver& operator=(const VerdictObserver&) = default;
  VerdictObserver(VerdictObserver&&) = default;
  VerdictObserver& operator=(VerdictObserver&&) = default;
  virtual ~VerdictObserver() = default;
  virtual void verdict_changed(const AddressReport& address, AddressState previous,
                               Timestamp now) = 0;
};

struct TrackerSnapshot {
  std::vector<AddressReport> addresses;     // moved and contested ones only
  std::vector<InterfaceReport> interfaces;  // indexed by InterfaceIndex; "" names a forgotten slot
};

// An untagged address on a named interface: where the sniffer meets a host's neighbour
// table, which knows nothing of VLAN tags it does not terminate.
using NamedAddress = std::pair<std::string, IpAddress>;
// The contested untagged addresses of a snapshot.
std::set<NamedAddress> contested_untagged(const TrackerSnapshot& snapshot);

class ClaimTracker {
 public:
  explicit ClaimTracker(ClaimTrackerConfig config);

  // Returns the index to pass to observe(); the same name always yields the same index while
  // it is not forgotten. A forgotten interface's slot is reused by the next new name.
  InterfaceIndex add_interface(std::string_view name);
  // Drops every address on the interface and its counters, telling the observer nothing (the
  // interface is gone, not at peace); its report keeps an empty name until the slot is reused.
  void forget_interface(InterfaceIndex interface);
  std::optional<InterfaceIndex> find_interface(std::string_view name) const;
  std::string_view interface_name(InterfaceIndex interface) const;
  std::size_t interface_count() const { return interfaces_.size(); }

  ClaimEvent observe(InterfaceIndex interface, const ResolutionFrame& frame, Timestamp now);

  // Hints for a batch of frames observed in order: the memory observe() of `frame` will read,
  // fetched while earlier frames are handled. They change nothing (a stale hint costs only a
  // wasted fetch), so a batch gives the same events as frames observed one by one. The first
  // fetches the index bucket of the key observe() will look up and returns where it is
  // (kNoHint when `frame` looks nothing up); the second, some frames later, reads that bucket
  // and fetches the record and recency links it names. With 100 k addresses a frame otherwise
  // waits on each in turn.
  static constexpr std::size_t kNoHint = ~std::size_t{0};
  std::size_t prefetch_bucket(InterfaceIndex interface, const ResolutionFrame& frame) const;
  void prefetch_record(std::size_t bucket) const;

  // What a verification round for `key` heard. Two or more MACs make the address contested,
  // whatever the passive evidence says; one MAC settles the latest change (a move if it is
  // the new MAC, a flap if the old one); none leaves the passive evidence to decide.
  void verified(const AddressKey& key, const VerificationResult& result, Timestamp now);

  // Re-evaluates the verdicts that time alone changes (a conflict ending because its evidence
  // left the window) and tells the observer; an address stable again gives up the history of
  // its trouble. O(addresses in trouble). The live exporter runs it a few times a second, so
  // that what a verdict becomes never depends on when somebody looked.
  void refresh(Timestamp now);

  // Not owned; nullptr for none.
  void set_observer(VerdictObserver* observer) { observer_ = observer; }

  // How long after a change a verification round about it may take at most (the planner's
  // address interval, a round, and the wait for the rate budget); zero (the default) when
  // nobody verifies. While a round about changes is due, alternation that follows a round one
  // MAC alone answered is held at flapped instead of contested: a VIP failing over twice
  // within the address interval looks like a conflict until its holder is asked.
  void set_round_grace(Duration grace) { round_grace_ = grace; }

  // Drops claims older than the window; observe() and refresh() call it too.
  void expire(Timestamp now);

  // The verdicts as the last refresh() or claim left them: reading changes nothing. Costs
  // O(interfaces + addresses that moved or are contested), not O(tracked).
  TrackerSnapshot snapshot() const;

  // The MACs that claimed `key` inside the window (empty if none), oldest first.
  std::vector<Claimant> claimants(const AddressKey& key, Timestamp now) const;

  std::size_t tracked() const { return tracked_; }
  const ClaimTrackerConfig& config() const { return config_; }

 private:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  // What an address needs once a second MAC claims it, until refresh() finds it stable
  // again: every claimant, and when the claims changed hands. Rare, so it lives on the heap
  // and keeps the records small.
  struct Contest {
    std::vector<Claimant> claimants;  // in the order they arrived
    Timestamp last_change;            // a different MAC took over
    // Each MAC that came back after another took over, with when it last did: two of them
    // inside the window is sustained alternation, one is a single flap.
    std::vector<std::pair<MacAddress, Timestamp>> returns;
    // The latest verification round that anyone answered (epoch if none).
    Timestamp verified_at;
    std::vector<MacAddress> verified_answers;
    // That latest round heard one MAC where the one before it heard several: the conflict is
    // over and the MAC that answered holds the address.
    bool conflict_ended = false;
    MacAddress holder_before_change;     // the MAC that had claimed last before last_change
    Timestamp first_change_since_round;  // the first change after verified_at (if later)
    // The round at verified_at left out the MAC that had claimed the address last when it
    // began, and that MAC had claimed it of its own accord since the round before: it claims,
    // but does not answer when asked.
    bool holder_ignored_round = false;
    Timestamp last_claim;                         // the latest claim by any claimant
    AddressState verdict = AddressState::stable;  // as last told to the observer
  };

  // Exactly one cache line, so that a refresh (the owner claiming its address again: nearly
  // every frame) touches no other memory of the address. Records were 104 bytes, with the
  // claimants in a heap vector, and the tracker waited on memory three times per frame. The
  // 16-byte key of either family fits because the key is byte-aligned (22 bytes, `current`
  // in its tail) and the time of the last claim is the sole claimant's (or the contest's).
  struct alignas(64) Record {
    AddressKey key;
    std::uint16_t current = 0;         // index in claimants_of() of the MAC that claimed last
    Claimant sole;                     // the one claimant while there is no contest
    std::unique_ptr<Contest> contest;  // set exactly while the slot is in notable_
  };
  static_assert(sizeof(AddressKey) == 22 && sizeof(Record) == 64);

  // The recency list, most recently claimed at head_, lives apart from the records: every
  // frame relinks its record between two random neighbours, and eight bytes per address stay
  // in cache where whole records would not.
  struct Links {
    std::uint32_t newer = kNone;
    std::uint32_t older = kNone;
  };

  ClaimEvent observe_probe(InterfaceIndex interface, const ResolutionFrame& frame, Timestamp now);
  ClaimEvent observe_claim(const AddressKey& key, const MacAddress& mac, Timestamp now);
  // Whether `mac`'s first claim for `key` answers another MAC's recent probe for it (and
  // forgets that probe, so that one probe counts once).
  bool answers_pending_probe(const AddressKey& key, const MacAddress& mac, Timestamp now);
  ClaimEvent update(std::uint32_t slot, const MacAddress& mac, Timestamp now);
  std::uint32_t insert(const AddressKey& key, const MacAddress& mac, Timestamp now);
  std::uint32_t eviction_victim() const;  // least recently claimed, preferring no contest
  void remove(std::uint32_t slot, Timestamp now);
  static std::span<const Claimant> claimants_of(const Record& record);
  // When anyone last claimed the address: what the recency list is ordered by.
  static Timestamp last_claim(const Record& record) {
    return record.contest ? record.contest->last_claim : record.sole.last_seen;
  }
  static void prune_claimants(Record& record, Timestamp horizon);    // needs a contest
  AddressState state_of(const Record& record, Timestamp now) const;  // needs a contest
  static bool verified_now(const Contest& contest, Timestamp horizon);
  Contest& contest_of(std::uint32_t slot);  // creates the contest if there is none
  static AddressReport report_of(const Record& record, AddressState state);
  // Tells the observer when the record's verdict differs from the one it was last told, or
  // when its claims changed hands.
  void judge(Record& record, Timestamp now, bool claims_changed = false);
  void link_front(std::uint32_t slot);
  void unlink(std::uint32_t slot);

  // The index from key to slot: open addressing with linear probing over slot ids, at most
  // half full. It replaced std::unordered_map, whose node per address cost a cache miss (and
  // an allocation) on every lookup.
  std::size_t home_bucket(const AddressKey& key) const;
  std::uint32_t find(const AddressKey& key) const;  // kNone if absent
  void index_add(std::uint32_t slot);
  void index_remove(const AddressKey& key);
  void grow_index();

  ClaimTrackerConfig config_;
  std::vector<InterfaceReport> interfaces_;
  std::vector<Record> records_;
  std::vector<Links> links_;  // parallel to records_
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> index_;  // slot ids, kNone where free; size a power of two
  unsigned index_shift_ = 0;          // 64 - log2(index_.size())
  std::size_t tracked_ = 0;
  // Slots with a contest: the only ones snapshot() visits.
  std::unordered_set<std::uint32_t> notable_;
  std::uint32_t head_ = kNone;
  std::uint32_t tail_ = kNone;
  // Probes for addresses nobody claimed in the window, for as long as a holder takes to
  // defend one (RFC 4862 DAD: one RetransTimer, 1 s; RFC 5227: PROBE_MAX + ANNOUNCE_WAIT):
  // the holder of an address it had no reason to mention before answers only now. Few and
  // short-lived, so a small vector, oldest first, capped.
  struct PendingProbe {
    AddressKey key;
    MacAddress prober;
    Timestamp at;
  };
  static constexpr std::size_t kMaxPendingProbes = 64;
  static constexpr Duration kProbeAnswerTime = std::chrono::seconds(3);
  std::vector<PendingProbe> pending_probes_;
  VerdictObserver* observer_ = nullptr;
  Duration round_grace_{};
};

}  // namespace arp
