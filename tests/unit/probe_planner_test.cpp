#include "core/probe_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "tests/unit/fake_clock.h"

namespace arp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");
const auto kRogueMac = *MacAddress::parse("00:50:56:0b:00:0b");

using testing::FakeClock;

// Whole seconds since `start`, printable when a test fails.
long long seconds_since(Timestamp start, Timestamp now) {
  return std::chrono::duration_cast<seconds>(now - start).count();
}

AddressKey key_for(std::uint32_t host, InterfaceIndex interface = 0) {
  return AddressKey{Ipv4Address(0xc0000200 + host), Vlan{}, interface};
}

std::uint64_t sent(const ProbeCounters& counters, ProbeReason reason) {
  return counters.sent[static_cast<std::size_t>(reason)];
}
std::uint64_t suppressed(const ProbeCounters& counters, ProbeLimit limit) {
  return counters.suppressed[static_cast<std::size_t>(limit)];
}
std::uint64_t rounds(const ProbeCounters& counters, RoundOutcome outcome) {
  return counters.rounds[static_cast<std::size_t>(outcome)];
}

class ProbePlannerTest : public ::testing::Test {
 protected:
  FakeClock clock;

  // Advances the clock in `step`s for `total`, collecting everything the planner did.
  ProbePlanner::Step run(ProbePlanner& planner, Duration total, Duration step = milliseconds(10)) {
    ProbePlanner::Step all;
    for (Duration elapsed{}; elapsed < total; elapsed += step) {
      clock.advance(step);
      auto now = planner.advance(clock.now());
      all.send.insert(all.send.end(), now.send.begin(), now.send.end());
      all.finished.insert(all.finished.end(), now.finished.begin(), now.finished.end());
    }
    return all;
  }
};

TEST_F(ProbePlannerTest, ARoundSendsItsProbesSpacedAndFinishesWithTheDistinctAnswers) {
  ProbePlanner planner({});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  auto step = planner.advance(clock.now());
  ASSERT_EQ(step.send.size(), 1U);
  EXPECT_EQ(step.send[0].key, key);
  EXPECT_EQ(step.send[0].reason, ProbeReason::change);

  clock.advance(milliseconds(200));  // before probe_spacing: nothing more yet
  EXPECT_TRUE(planner.advance(clock.now()).send.empty());
  planner.answer(key, kOwnerMac);
  planner.answer(key, kOwnerMac);
  clock.advance(milliseconds(50));
  step = planner.advance(clock.now());
  EXPECT_EQ(step.send.size(), 1U);  // the second probe of the round
  planner.answer(key, kRogueMac);
  planner.answer(key, kOwnerMac);

  clock.advance(milliseconds(740));  // 990 ms into the round
  EXPECT_TRUE(planner.advance(clock.now()).finished.empty());
  clock.advance(milliseconds(10));
  step = planner.advance(clock.now());
  EXPECT_TRUE(step.send.empty());
  ASSERT_EQ(step.finished.size(), 1U);
  EXPECT_EQ(step.finished[0].key, key);
  EXPECT_EQ(step.finished[0].reason, ProbeReason::change);
  EXPECT_EQ(step.finished[0].result.answers, (std::vector{kOwnerMac, kRogueMac}));

  const auto& counters = planner.counters().at(0);
  EXPECT_EQ(sent(counters, ProbeReason::change), 2U);
  EXPECT_EQ(counters.answers, 4U);
  EXPECT_EQ(rounds(counters, RoundOutcome::several_macs), 1U);
  // Answers after the round are no one's.
  planner.answer(key, kRogueMac);
  EXPECT_EQ(planner.counters().at(0).answers, 4U);
}

TEST_F(ProbePlannerTest, AnUnansweredRoundFinishesEmptyAndIsCounted) {
  ProbePlanner planner({});
  planner.request(key_for(10), ProbeReason::change, clock.now());
  const auto all = run(planner, seconds(2));
  EXPECT_EQ(all.send.size(), 2U);
  ASSERT_EQ(all.finished.size(), 1U);
  EXPECT_TRUE(all.finished[0].result.answers.empty());
  EXPECT_EQ(rounds(planner.counters().at(0), RoundOutcome::unanswered), 1U);
}

TEST_F(ProbePlannerTest, CountersAreKeptPerInterface) {
  ProbePlanner planner({});
  planner.request(key_for(10, 2), ProbeReason::change, clock.now());
  planner.request(key_for(11, 0), ProbeReason::watch, clock.now());
  planner.advance(clock.now());
  planner.answer(key_for(10, 2), kOwnerMac);
  run(planner, seconds(2));
  ASSERT_EQ(planner.counters().size(), 3U);
  EXPECT_EQ(sent(planner.counters()[2], ProbeReason::change), 2U);
  EXPECT_EQ(sent(planner.counters()[2], ProbeReason::watch), 0U);
  EXPECT_EQ(rounds(planner.counters()[2], RoundOutcome::one_mac), 1U);
  EXPECT_EQ(planner.counters()[2].answers, 1U);
  EXPECT_EQ(sent(planner.counters()[0], ProbeReason::watch), 2U);
  EXPECT_EQ(rounds(planner.counters()[0], RoundOutcome::unanswered), 1U);
  EXPECT_EQ(sent(planner.counters()[1], ProbeReason::change), 0U);
}

// However many changes arrive, what goes out stays within burst + rate * elapsed at every
// moment, and every request ends as a round or as a counted drop.
TEST_F(ProbePlannerTest, AFloodOfChangesNeverExceedsTheRateCap) {
  const ProbePlannerConfig config{.probes_per_second = 10, .burst = 20};
  ProbePlanner planner(config);
  const auto start = clock.now();
  std::uint64_t probes = 0;
  const auto check = [&](const ProbePlanner::Step& step) {
    probes += step.send.size();
    const double elapsed = std::chrono::duration<double>(clock.now() - start).count();
    ASSERT_LE(static_cast<double>(probes), config.burst + config.probes_per_second * elapsed)
        << "after " << elapsed << " s";
  };
  for (std::uint32_t i = 0; i < 1000; ++i) {
    planner.request(key_for(i), ProbeReason::change, clock.now());
    check(planner.advance(clock.now()));
    clock.advance(milliseconds(1));
  }
  for (int i = 0; i < 2000; ++i) {  // 20 s more
    clock.advance(milliseconds(10));
    check(planner.advance(clock.now()));
  }
  EXPECT_GT(probes, 20U);  // it did send, up to the cap
  const auto& counters = planner.counters().at(0);
  EXPECT_EQ(sent(counters, ProbeReason::change), probes);
  EXPECT_GT(suppressed(counters, ProbeLimit::rate), 0U);
  EXPECT_EQ(rounds(counters, RoundOutcome::unanswered) + suppressed(counters, ProbeLimit::rate),
            1000U);
}

TEST_F(ProbePlannerTest, ARoundTooSoonForOneAddressIsSuppressedAndCounted) {
  ProbePlanner planner({.address_interval = seconds(10)});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 1U);
  clock.advance(milliseconds(500));
  planner.request(key, ProbeReason::change, clock.now());  // its round is running: nothing
  run(planner, seconds(2));
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 0U);

  planner.request(key, ProbeReason::change, clock.now());  // 2.5 s after the round began
  // A scheduled round just after one for the same address is not due: not a refusal.
  planner.request(key, ProbeReason::own_address, clock.now());
  EXPECT_TRUE(run(planner, seconds(2)).send.empty());
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 1U);

  clock.advance(seconds(6));  // 10.5 s after the round began
  planner.request(key, ProbeReason::change, clock.now());
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 1U);
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 1U);
}

// A VIP failing over twice within the interval: the second and third changes are not asked
// about at once, but the latest is asked about as soon as the interval allows (once, however
// many changes came meanwhile). Without that round the tracker has only passive evidence, two
// MACs taking turns, and calls a failover a conflict.
TEST_F(ProbePlannerTest, AChangeTooSoonIsAskedAboutOnceTheIntervalHasPassed) {
  ProbePlanner planner({.address_interval = seconds(10)});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 1U);
  run(planner, seconds(2));
  planner.request(key, ProbeReason::change, clock.now());  // 2 s after the round began
  run(planner, seconds(2));
  planner.request(key, ProbeReason::change, clock.now());  // 4 s after
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 2U);
  const auto before = run(planner, milliseconds(5990));  // up to 9.99 s after the first round
  EXPECT_TRUE(before.send.empty());
  const auto after = run(planner, seconds(3));
  ASSERT_EQ(after.send.size(), 2U);  // one round of two probes
  EXPECT_EQ(after.send[0].key, key);
  EXPECT_EQ(after.send[0].reason, ProbeReason::change);
  ASSERT_EQ(after.finished.size(), 1U);
  EXPECT_GE(after.finished[0].result.started, clock.now() - seconds(3));
  // Nothing more: the postponed round was the last word until the next change.
  EXPECT_TRUE(run(planner, seconds(20)).send.empty());
}

TEST_F(ProbePlannerTest, APostponedRoundOfAForgottenInterfaceIsNeverSent) {
  ProbePlanner planner({.address_interval = seconds(10)});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  planner.advance(clock.now());
  run(planner, seconds(2));
  planner.request(key, ProbeReason::change, clock.now());
  planner.forget_interface(key.interface);
  EXPECT_TRUE(run(planner, seconds(12)).send.empty());
}

TEST_F(ProbePlannerTest, AnOwnAddressScheduleFasterThanTheAddressIntervalIsKept) {
  ProbePlanner planner({.address_interval = seconds(10), .own_interval = seconds(2)});
  const auto key = key_for(10);
  planner.schedule({key}, {}, clock.now());
  std::size_t rounds_started = 0;
  for (int i = 0; i < 100; ++i) {  // 10 s
    for (const auto& probe : planner.advance(clock.now()).send) {
      if (probe.reason == ProbeReason::own_address) ++rounds_started;
    }
    clock.advance(milliseconds(100));
  }
  // Two probes per round, one round every 2 s.
  EXPECT_EQ(rounds_started, 10U);
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 0U);
}

TEST_F(ProbePlannerTest, ARecheckThatIsNotDueWaitsUncounted) {
  ProbePlanner planner({.address_interval = seconds(10), .recheck_interval = seconds(30)});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  planner.advance(clock.now());
  run(planner, seconds(2));
  // Asked on every advance while the address is contested: only due every recheck_interval.
  std::size_t rechecks = 0;
  for (int i = 0; i < 270; ++i) {  // 2 s .. 29 s
    planner.request(key, ProbeReason::recheck, clock.now());
    rechecks += run(planner, milliseconds(100)).send.size();
  }
  EXPECT_EQ(rechecks, 0U);
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 0U);
  clock.advance(seconds(1));
  planner.request(key, ProbeReason::recheck, clock.now());
  const auto step = planner.advance(clock.now());
  ASSERT_EQ(step.send.size(), 1U);
  EXPECT_EQ(step.send[0].reason, ProbeReason::recheck);
}

TEST_F(ProbePlannerTest, ARequestThatWaitedLongerThanMaxWaitIsDroppedAndCounted) {
  ProbePlanner planner(
      {.probes_per_second = 0.1, .burst = 1, .probes_per_round = 1, .max_wait = seconds(5)});
  planner.request(key_for(1), ProbeReason::change, clock.now());
  planner.request(key_for(2), ProbeReason::change, clock.now());
  planner.request(key_for(3), ProbeReason::change, clock.now());
  const auto all = run(planner, seconds(30), milliseconds(100));
  // One token now; the next one 10 s later, by when the others have waited too long.
  ASSERT_EQ(all.send.size(), 1U);
  EXPECT_EQ(all.send[0].key, key_for(1));
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::rate), 2U);
  // The budget is still there for a request that did not wait.
  planner.request(key_for(4), ProbeReason::change, clock.now());
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 1U);
}

TEST_F(ProbePlannerTest, AFullQueueRefusesAndCountsTheRateLimit) {
  ProbePlanner planner({.burst = 1, .max_pending = 2});
  for (std::uint32_t i = 0; i < 5; ++i)
    planner.request(key_for(i), ProbeReason::change, clock.now());
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::rate), 3U);
}

TEST_F(ProbePlannerTest, WhenTheBudgetIsShortOwnAddressesGoFirstThenChangesRechecksWatches) {
  ProbePlanner planner(
      {.probes_per_second = 1, .burst = 1, .probes_per_round = 1, .max_wait = seconds(60)});
  planner.request(key_for(99), ProbeReason::change, clock.now());
  planner.advance(clock.now());  // spends the burst
  planner.request(key_for(4), ProbeReason::watch, clock.now());
  planner.request(key_for(3), ProbeReason::recheck, clock.now());
  planner.request(key_for(2), ProbeReason::change, clock.now());
  planner.request(key_for(1), ProbeReason::own_address, clock.now());
  std::vector<ProbeReason> order;
  for (const auto& probe : run(planner, seconds(10), milliseconds(100)).send) {
    order.push_back(probe.reason);
  }
  EXPECT_EQ(order, (std::vector{ProbeReason::own_address, ProbeReason::change, ProbeReason::recheck,
                                ProbeReason::watch}));
}

TEST_F(ProbePlannerTest, OwnAddressesAreProbedEveryOwnInterval) {
  ProbePlanner planner({.own_interval = seconds(30), .probes_per_round = 1});
  const auto start = clock.now();
  planner.schedule({key_for(10)}, {}, clock.now());
  std::vector<long long> at;
  for (int i = 0; i <= 100; ++i) {
    for (const auto& probe : planner.advance(clock.now()).send) {
      EXPECT_EQ(probe.reason, ProbeReason::own_address);
      at.push_back(seconds_since(start, clock.now()));
    }
    clock.advance(seconds(1));
  }
  EXPECT_EQ(at, (std::vector<long long>{0, 30, 60, 90}));
  EXPECT_EQ(sent(planner.counters().at(0), ProbeReason::own_address), 4U);
}

TEST_F(ProbePlannerTest, AWatchListIsSpreadOverItsInterval) {
  ProbePlanner planner({.watch_interval = seconds(100), .probes_per_round = 1});
  const auto start = clock.now();
  std::vector<AddressKey> watched;
  for (std::uint32_t i = 0; i < 10; ++i) watched.push_back(key_for(100 + i));
  planner.schedule({}, watched, clock.now());
  std::map<std::uint32_t, std::vector<long long>> at;  // by host part
  for (int i = 0; i < 200; ++i) {
    for (const auto& probe : planner.advance(clock.now()).send) {
      EXPECT_EQ(probe.reason, ProbeReason::watch);
      at[probe.key.ip.ipv4().to_u32() - 0xc0000200 - 100].push_back(
          seconds_since(start, clock.now()));
    }
    clock.advance(seconds(1));
  }
  ASSERT_EQ(at.size(), 10U);
  for (std::uint32_t i = 0; i < 10; ++i) {
    EXPECT_EQ(at[i], (std::vector<long long>{10LL * i, 10LL * i + 100})) << i;
  }
}

TEST_F(ProbePlannerTest, RescheduleKeepsTheirPlaceForAddressesAlreadyListed) {
  ProbePlanner planner({.watch_interval = seconds(100), .probes_per_round = 1});
  const auto start = clock.now();
  planner.schedule({}, {key_for(1), key_for(2)}, clock.now());
  run(planner, seconds(5), seconds(1));
  // The host refreshes its view: the same list again must not restart the sweep.
  planner.schedule({}, {key_for(1), key_for(2)}, clock.now());
  std::vector<std::pair<std::uint32_t, long long>> at;
  for (int i = 0; i < 90; ++i) {  // until 95 s: the first address is next due at 101 s
    for (const auto& probe : planner.advance(clock.now()).send) {
      at.emplace_back(probe.key.ip.ipv4().to_u32() - 0xc0000200, seconds_since(start, clock.now()));
    }
    clock.advance(seconds(1));
  }
  EXPECT_EQ(at, (std::vector<std::pair<std::uint32_t, long long>>{{2, 50}}));
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 0U);
}

// ---- reconfigure (SIGHUP) -----------------------------------------------------------------------

TEST_F(ProbePlannerTest, ReconfigureKeepsARunningRoundItsAnswersAndTheCounters) {
  ProbePlanner planner({});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  ASSERT_EQ(planner.advance(clock.now()).send.size(), 1U);
  planner.answer(key, kOwnerMac);
  clock.advance(milliseconds(100));
  planner.reconfigure({.probes_per_second = 5, .burst = 5}, clock.now());
  planner.answer(key, kRogueMac);
  const auto all = run(planner, seconds(2));
  EXPECT_EQ(all.send.size(), 1U);  // the round's second probe, still sent
  ASSERT_EQ(all.finished.size(), 1U);
  EXPECT_EQ(all.finished[0].result.answers, (std::vector{kOwnerMac, kRogueMac}));
  const auto& counters = planner.counters().at(0);
  EXPECT_EQ(sent(counters, ProbeReason::change), 2U);
  EXPECT_EQ(counters.answers, 2U);
  EXPECT_EQ(rounds(counters, RoundOutcome::several_macs), 1U);
  EXPECT_EQ(planner.config().probes_per_second, 5);
}

TEST_F(ProbePlannerTest, ReconfigureToALowerRateCapsWhatFollowsAndTheBudgetAtTheNewBurst) {
  ProbePlanner planner({.probes_per_second = 100, .burst = 100, .probes_per_round = 1});
  planner.reconfigure(
      {.probes_per_second = 1, .burst = 2, .probes_per_round = 1, .max_wait = seconds(60)},
      clock.now());
  for (std::uint32_t i = 0; i < 50; ++i)
    planner.request(key_for(i), ProbeReason::change, clock.now());
  // The full old budget (100) is not carried over: 2 at once, then 1 a second.
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 2U);
  const auto all = run(planner, milliseconds(10'500), milliseconds(100));
  EXPECT_EQ(all.send.size(), 10U);
}

TEST_F(ProbePlannerTest, ReconfigureToAHigherRateSpendsTheWaitingQueueFaster) {
  ProbePlanner planner(
      {.probes_per_second = 1, .burst = 1, .probes_per_round = 1, .max_wait = seconds(60)});
  for (std::uint32_t i = 0; i < 20; ++i)
    planner.request(key_for(i), ProbeReason::change, clock.now());
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 1U);
  planner.reconfigure(
      {.probes_per_second = 10, .burst = 10, .probes_per_round = 1, .max_wait = seconds(60)},
      clock.now());
  // The 19 still waiting are not lost; at 10 a second they are all out within 2 s.
  const auto all = run(planner, seconds(2), milliseconds(100));
  EXPECT_EQ(all.send.size(), 19U);
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::rate), 0U);
}

TEST_F(ProbePlannerTest, ReconfigureKeepsWhenEachAddressWasLastAskedUnderTheNewInterval) {
  ProbePlanner planner({.address_interval = seconds(10)});
  const auto key = key_for(10);
  planner.request(key, ProbeReason::change, clock.now());
  planner.advance(clock.now());
  run(planner, seconds(3));
  planner.request(key, ProbeReason::change, clock.now());  // 3 s after: too soon for 10 s
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 1U);
  planner.reconfigure({.address_interval = seconds(5)}, clock.now());
  planner.request(key, ProbeReason::change, clock.now());  // still too soon for 5 s
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 2U);
  clock.advance(seconds(2));  // 5 s after its round: allowed under the new interval
  planner.request(key, ProbeReason::change, clock.now());
  EXPECT_EQ(planner.advance(clock.now()).send.size(), 1U);
}

TEST_F(ProbePlannerTest, ReconfigureMovesScheduledAddressesToTheNewInterval) {
  ProbePlanner planner(
      {.own_interval = seconds(30), .watch_interval = seconds(100), .probes_per_round = 1});
  const auto start = clock.now();
  planner.schedule({key_for(10)}, {key_for(20)}, clock.now());
  std::vector<std::pair<std::uint32_t, long long>> at;
  const auto record = [&](int ticks) {
    for (int i = 0; i < ticks; ++i) {
      for (const auto& probe : planner.advance(clock.now()).send) {
        at.emplace_back(probe.key.ip.ipv4().to_u32() - 0xc0000200,
                        seconds_since(start, clock.now()));
      }
      clock.advance(seconds(1));
    }
  };
  record(10);  // both probed at 0 s
  // Own addresses now every 5 s: the next is due 5 s after the last (at once, since 10 s have
  // passed), then every 5 s; the watch sweep every 200 s: next at 200 s, not 100 s.
  planner.reconfigure(
      {.own_interval = seconds(5), .watch_interval = seconds(200), .probes_per_round = 1},
      clock.now());
  // The planner is not left holding the old schedule when the same lists come again.
  planner.schedule({key_for(10)}, {key_for(20)}, clock.now());
  record(201);
  std::vector<long long> own;
  std::vector<long long> watch;
  for (const auto& [host, second] : at) (host == 10 ? own : watch).push_back(second);
  ASSERT_GE(own.size(), 4U);
  EXPECT_EQ((std::vector<long long>(own.begin(), own.begin() + 4)),
            (std::vector<long long>{0, 10, 15, 20}));
  EXPECT_EQ(watch, (std::vector<long long>{0, 200}));
}

// The planner never looks inside a key: IPv6 addresses get the same rounds, the same caps and
// the same budget as IPv4, and a link-local address on two links is two rounds.
TEST_F(ProbePlannerTest, Ipv6AddressesShareTheRoundsTheScheduleAndTheBudgetWithIpv4) {
  ProbePlanner planner(ProbePlannerConfig{.probes_per_second = 1, .burst = 3});
  const AddressKey server{*IpAddress::parse("2001:db8::10"), Vlan{}, 0};
  const AddressKey link_local0{*IpAddress::parse("fe80::1"), Vlan{}, 0};
  const AddressKey link_local1{*IpAddress::parse("fe80::1"), Vlan{}, 1};
  planner.request(server, ProbeReason::change, clock.now());
  planner.request(key_for(10), ProbeReason::change, clock.now());
  planner.schedule({link_local0, link_local1}, {}, clock.now());
  const auto first = planner.advance(clock.now());
  // Three tokens: the first own address, then the two changes in the order asked.
  ASSERT_EQ(first.send.size(), 3U);
  EXPECT_EQ(first.send[0].key, link_local0);
  EXPECT_EQ(first.send[0].reason, ProbeReason::own_address);
  EXPECT_EQ(first.send[1].key, server);
  EXPECT_EQ(first.send[2].key, key_for(10));
  planner.answer(server, kOwnerMac);
  planner.answer(server, kRogueMac);
  planner.answer(link_local0, kRogueMac);
  planner.answer(link_local1, kOwnerMac);  // no round for it yet: no one's answer

  auto all = run(planner, seconds(2));
  // A change on an address asked moments ago is capped like an IPv4 one.
  planner.request(server, ProbeReason::change, clock.now());
  EXPECT_EQ(suppressed(planner.counters().at(0), ProbeLimit::address_interval), 1U);
  const auto rest = run(planner, seconds(18));
  all.finished.insert(all.finished.end(), rest.finished.begin(), rest.finished.end());
  // The first round of each address (the capped change is asked about once its interval has
  // passed: a second, unanswered round for `server`).
  std::unordered_map<AddressKey, std::vector<MacAddress>, AddressKeyHash> answers;
  for (const auto& round : all.finished) answers.emplace(round.key, round.result.answers);
  EXPECT_EQ(std::count_if(all.finished.begin(), all.finished.end(),
                          [&](const FinishedRound& round) { return round.key == server; }),
            2);
  EXPECT_EQ(answers.at(server), (std::vector{kOwnerMac, kRogueMac}));
  EXPECT_EQ(answers.at(link_local0), (std::vector{kRogueMac}));
  EXPECT_TRUE(answers.at(link_local1).empty());
  EXPECT_EQ(rounds(planner.counters().at(0), RoundOutcome::several_macs), 1U);
  EXPECT_EQ(rounds(planner.counters().at(0), RoundOutcome::one_mac), 1U);
}

}  // namespace
}  // namespace arp
