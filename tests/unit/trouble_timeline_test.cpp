#include "core/trouble_timeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "tests/unit/fake_clock.h"

namespace arp {
namespace {

using std::chrono::seconds;

MacAddress mac(const char* text) { return *MacAddress::parse(text); }

const AddressKey kKey{*Ipv4Address::parse("192.0.2.10"), Vlan{}, 0};
const MacAddress kOwner = mac("00:1b:21:0a:00:0a");
const MacAddress kRogue = mac("00:50:56:0b:00:0b");

// Held by `holder`, or else by the claimant seen last.
AddressReport report(const AddressKey& key, AddressState state, std::vector<Claimant> claimants,
                     std::optional<MacAddress> holder = std::nullopt) {
  if (!holder && !claimants.empty()) {
    holder = std::max_element(
                 claimants.begin(), claimants.end(),
                 [](const Claimant& a, const Claimant& b) { return a.last_seen < b.last_seen; })
                 ->mac;
  }
  return {.key = key,
          .state = state,
          .claimants = std::move(claimants),
          .holder = holder.value_or(MacAddress{}),
          .last_change = {},
          .verified = false};
}

template <typename Mark>
std::vector<const Mark*> marks(const AddressTimeline& timeline) {
  std::vector<const Mark*> found;
  for (const auto& event : timeline.events) {
    if (const auto* mark = std::get_if<Mark>(&event.what)) found.push_back(mark);
  }
  return found;
}

class TroubleTimelineTest : public ::testing::Test {
 protected:
  testing::FakeClock clock;
  TroubleTimeline timeline{TimelineConfig{.window = std::chrono::minutes(5)}};

  // The owner claimed 30 s ago, the rogue takes over now.
  void rogue_takes_over(const AddressKey& key = kKey) {
    const auto start = clock.now() - seconds(30);
    timeline.observe(report(key, AddressState::moved,
                            {{kOwner, 30, start, clock.now() - seconds(1)},
                             {kRogue, 1, clock.now(), clock.now()}}),
                     AddressState::stable, clock.now());
  }
};

TEST_F(TroubleTimelineTest, StartsWithEveryClaimantAndTheVerdictInTimeOrder) {
  EXPECT_FALSE(timeline.follows(kKey));
  rogue_takes_over();
  ASSERT_TRUE(timeline.follows(kKey));
  const auto snapshot = timeline.snapshot(clock.now());
  ASSERT_EQ(snapshot.size(), 1U);
  const auto& story = snapshot.front();
  EXPECT_EQ(story.verdict, AddressState::moved);
  ASSERT_EQ(story.claimants.size(), 2U);
  const auto claims = marks<ClaimMark>(story);
  ASSERT_EQ(claims.size(), 2U);  // the owner's first claim, the rogue's takeover: no duplicate
  EXPECT_EQ(claims[0]->mac, kOwner);
  EXPECT_EQ(claims[1]->mac, kRogue);
  const auto verdicts = marks<VerdictMark>(story);
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_EQ(verdicts[0]->previous, AddressState::stable);
  EXPECT_EQ(verdicts[0]->verdict, AddressState::moved);
  EXPECT_TRUE(
      std::is_sorted(story.events.begin(), story.events.end(),
                     [](const TimelineEvent& a, const TimelineEvent& b) { return a.at < b.at; }));
  EXPECT_EQ(story.events.front().at, clock.now() - seconds(30));
}

TEST_F(TroubleTimelineTest, MarksEachChangeOfClaimantAndNotTheSameClaimantTwice) {
  rogue_takes_over();
  clock.advance(seconds(2));
  const auto start = clock.now() - seconds(32);
  // The owner claims again: the address is contested now.
  timeline.observe(report(kKey, AddressState::contested,
                          {{kOwner, 31, start, clock.now()},
                           {kRogue, 1, clock.now() - seconds(2), clock.now() - seconds(2)}}),
                   AddressState::moved, clock.now());
  // The same state told again (another observer call with the owner still current): no mark.
  timeline.observe(report(kKey, AddressState::contested,
                          {{kOwner, 32, start, clock.now()},
                           {kRogue, 1, clock.now() - seconds(2), clock.now() - seconds(2)}}),
                   AddressState::contested, clock.now());
  const auto story = timeline.snapshot(clock.now()).front();
  const auto claims = marks<ClaimMark>(story);
  ASSERT_EQ(claims.size(), 3U);
  EXPECT_EQ(claims[2]->mac, kOwner);
  EXPECT_EQ(claims[2]->frames, 31U);
  EXPECT_EQ(marks<VerdictMark>(story).size(), 2U);
  EXPECT_EQ(story.verdict, AddressState::contested);
}

TEST_F(TroubleTimelineTest, MarksTheHolderTheTrackerNamesWhenClaimsShareATime) {
  // Frames handed over in one batch share a time: the owner and the rogue both claimed "now",
  // the rogue last. Who holds the address cannot be read from last_seen, only from the report.
  rogue_takes_over();
  clock.advance(seconds(2));
  const auto start = clock.now() - seconds(32);
  const auto both_now = [&](const MacAddress& holder) {
    return report(kKey, AddressState::contested,
                  {{kOwner, 31, start, clock.now()}, {kRogue, 2, start + seconds(30), clock.now()}},
                  holder);
  };
  timeline.observe(both_now(kOwner), AddressState::moved, clock.now());
  clock.advance(seconds(1));
  timeline.observe(both_now(kRogue), AddressState::contested, clock.now());
  clock.advance(seconds(1));
  timeline.observe(both_now(kOwner), AddressState::contested, clock.now());
  const auto story = timeline.snapshot(clock.now()).front();
  const auto claims = marks<ClaimMark>(story);
  ASSERT_EQ(claims.size(), 5U);  // owner, rogue, then owner, rogue, owner again
  EXPECT_EQ(claims[2]->mac, kOwner);
  EXPECT_EQ(claims[3]->mac, kRogue);
  EXPECT_EQ(claims[4]->mac, kOwner);
}

TEST_F(TroubleTimelineTest, KeepsRoundsWithAndWithoutAnswersAtTheTimeTheyWereSent) {
  rogue_takes_over();
  const auto sent = clock.now();
  clock.advance(seconds(1));
  const std::vector<MacAddress> both = {kOwner, kRogue};
  timeline.round(kKey, ProbeReason::change, sent, both, clock.now());
  clock.advance(seconds(30));
  timeline.round(kKey, ProbeReason::recheck, clock.now() - seconds(1), {}, clock.now());
  // A round for an address in no trouble is no one's story.
  timeline.round({*Ipv4Address::parse("192.0.2.20"), Vlan{}, 0}, ProbeReason::own_address,
                 clock.now() - seconds(1), both, clock.now());

  const auto snapshot = timeline.snapshot(clock.now());
  ASSERT_EQ(snapshot.size(), 1U);
  const auto rounds = marks<RoundMark>(snapshot.front());
  ASSERT_EQ(rounds.size(), 2U);
  EXPECT_EQ(rounds[0]->answers, both);
  EXPECT_EQ(rounds[0]->reason, ProbeReason::change);
  EXPECT_EQ(rounds[0]->finished, sent + seconds(1));
  EXPECT_TRUE(rounds[1]->answers.empty());
  EXPECT_EQ(rounds[1]->reason, ProbeReason::recheck);
  // A round is stamped when it was sent, a second before it finished: still in time order.
  const auto& events = snapshot.front().events;
  EXPECT_TRUE(
      std::is_sorted(events.begin(), events.end(),
                     [](const TimelineEvent& a, const TimelineEvent& b) { return a.at < b.at; }));
}

TEST_F(TroubleTimelineTest, RecordsThisHostsNeighbourEntryOnlyWhenItChanges) {
  rogue_takes_over();
  const NeighborMark to_owner{.mac = kOwner, .state = NudState::reachable};
  const NeighborMark to_rogue{.mac = kRogue, .state = NudState::reachable};
  timeline.neighbor(kKey, to_owner, clock.now());
  clock.advance(seconds(1));
  timeline.neighbor(kKey, to_owner, clock.now());  // a sampler seeing the same entry again
  clock.advance(seconds(1));
  timeline.neighbor(kKey, to_rogue, clock.now());
  clock.advance(seconds(1));
  timeline.neighbor(kKey, {.mac = std::nullopt, .state = NudState::failed}, clock.now());
  // Not followed: ignored.
  timeline.neighbor({*Ipv4Address::parse("192.0.2.99"), Vlan{}, 0}, to_owner, clock.now());

  const auto snapshot = timeline.snapshot(clock.now());
  ASSERT_EQ(snapshot.size(), 1U);
  const auto entries = marks<NeighborMark>(snapshot.front());
  ASSERT_EQ(entries.size(), 3U);
  EXPECT_EQ(*entries[0], to_owner);
  EXPECT_EQ(*entries[1], to_rogue);
  EXPECT_FALSE(entries[2]->mac);
  EXPECT_EQ(entries[2]->state, NudState::failed);
}

TEST_F(TroubleTimelineTest, ForgetsWhatLeftTheWindowButWhereThisHostSentAtItsEdge) {
  rogue_takes_over();
  timeline.neighbor(kKey, {.mac = kRogue, .state = NudState::reachable}, clock.now());
  clock.advance(std::chrono::minutes(4));
  timeline.round(kKey, ProbeReason::recheck, clock.now() - seconds(1), {}, clock.now());
  clock.advance(std::chrono::minutes(2));  // the takeover and the entry are 6 minutes old

  auto snapshot = timeline.snapshot(clock.now());
  ASSERT_EQ(snapshot.size(), 1U);
  EXPECT_TRUE(marks<ClaimMark>(snapshot.front()).empty());
  EXPECT_TRUE(marks<NeighborMark>(snapshot.front()).empty());
  ASSERT_TRUE(snapshot.front().neighbor_before);
  EXPECT_EQ(snapshot.front().neighbor_before->mac, kRogue);
  EXPECT_EQ(marks<RoundMark>(snapshot.front()).size(), 1U);

  clock.advance(std::chrono::minutes(4));  // and now the round too: nothing left to tell
  EXPECT_TRUE(timeline.snapshot(clock.now()).empty());
  EXPECT_TRUE(timeline.follows(kKey));  // a snapshot only reads; expire() forgets
  timeline.expire(clock.now());
  EXPECT_FALSE(timeline.follows(kKey));
}

TEST_F(TroubleTimelineTest, KeepsAtMostMaxEventsPerAddressDroppingTheOldest) {
  TroubleTimeline small(TimelineConfig{.window = std::chrono::minutes(5), .max_events = 10});
  small.observe(report(kKey, AddressState::moved, {{kOwner, 1, clock.now(), clock.now()}}),
                AddressState::stable, clock.now());
  for (int i = 0; i < 50; ++i) {
    clock.advance(seconds(1));
    small.round(kKey, ProbeReason::recheck, clock.now(), {}, clock.now());
  }
  const auto story = small.snapshot(clock.now()).front();
  ASSERT_EQ(story.events.size(), 10U);
  EXPECT_EQ(story.events.back().at, clock.now());
  EXPECT_EQ(story.events.front().at, clock.now() - seconds(9));
}

TEST_F(TroubleTimelineTest, KeepsAtMostMaxAddressesDroppingTheLeastRecentlyActive) {
  TroubleTimeline small(TimelineConfig{.window = std::chrono::minutes(5), .max_addresses = 3});
  const auto key = [](std::uint32_t i) {
    return AddressKey{Ipv4Address(0xC0000200U + i), Vlan{}, 0};
  };
  for (std::uint32_t i = 1; i <= 3; ++i) {
    clock.advance(seconds(1));
    small.observe(report(key(i), AddressState::moved, {{kOwner, 1, clock.now(), clock.now()}}),
                  AddressState::stable, clock.now());
  }
  clock.advance(seconds(1));
  small.round(key(1), ProbeReason::change, clock.now(), {}, clock.now());  // 1 is active again
  clock.advance(seconds(1));
  small.observe(report(key(4), AddressState::moved, {{kOwner, 1, clock.now(), clock.now()}}),
                AddressState::stable, clock.now());
  EXPECT_TRUE(small.follows(key(1)));
  EXPECT_FALSE(small.follows(key(2)));  // the quietest
  EXPECT_TRUE(small.follows(key(3)));
  EXPECT_TRUE(small.follows(key(4)));
  const auto snapshot = small.snapshot(clock.now());
  ASSERT_EQ(snapshot.size(), 3U);
  EXPECT_EQ(snapshot.front().key, key(4));  // most recently active first
  EXPECT_EQ(snapshot.back().key, key(3));
}

}  // namespace
}  // namespace arp
