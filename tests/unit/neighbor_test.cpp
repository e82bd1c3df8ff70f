#include "core/neighbor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace arp {
namespace {

// linux/neighbour.h NUD_* values, spelt out: the core includes no kernel header, and neither
// does its test, so a renumbering on either side shows up here.
constexpr std::uint16_t kNudIncomplete = 0x01;
constexpr std::uint16_t kNudReachable = 0x02;
constexpr std::uint16_t kNudStale = 0x04;
constexpr std::uint16_t kNudDelay = 0x08;
constexpr std::uint16_t kNudProbe = 0x10;
constexpr std::uint16_t kNudFailed = 0x20;
constexpr std::uint16_t kNudNoarp = 0x40;
constexpr std::uint16_t kNudPermanent = 0x80;

const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");   // server A (Intel)
const auto kNewNicMac = *MacAddress::parse("3c:fd:fe:00:00:0a");  // A after a NIC swap
const auto kRogueMac = *MacAddress::parse("00:50:56:0b:ad:01");   // forgotten machine R

constexpr int kEth0 = 2;
constexpr int kEth1 = 3;

NeighborKey key(int ifindex, const std::string& ip) {
  const auto address = parse_neighbor_address(ip);
  EXPECT_TRUE(address) << ip;
  return {.ifindex = ifindex, .family = address->family, .address = address->bytes};
}

NeighborEntry entry(int ifindex, const std::string& ip, NudState state,
                    std::optional<MacAddress> lladdr) {
  return NeighborEntry{.key = key(ifindex, ip), .lladdr = lladdr, .state = state};
}

NeighborEntry reachable(int ifindex, const std::string& ip, MacAddress mac) {
  return entry(ifindex, ip, NudState::reachable, mac);
}

NeighborEntry stale(int ifindex, const std::string& ip, MacAddress mac) {
  return entry(ifindex, ip, NudState::stale, mac);
}

// As the kernel reports them: an unresolved entry carries no link-layer address.
NeighborEntry incomplete(int ifindex, const std::string& ip) {
  return entry(ifindex, ip, NudState::incomplete, std::nullopt);
}

NeighborEntry failed(int ifindex, const std::string& ip) {
  return entry(ifindex, ip, NudState::failed, std::nullopt);
}

NeighborChangeCounter::Counts counts_of(const NeighborChangeCounter& counter, int ifindex,
                                        NeighborFamily family) {
  for (const auto& [where, counts] : counter.counts()) {
    if (where.ifindex == ifindex && where.family == family) return counts;
  }
  return {};
}

std::uint64_t changes(const NeighborChangeCounter& counter, int ifindex,
                      NeighborFamily family = NeighborFamily::inet) {
  return counts_of(counter, ifindex, family).lladdr_changes;
}

std::uint64_t failures(const NeighborChangeCounter& counter, int ifindex,
                       NeighborFamily family = NeighborFamily::inet) {
  return counts_of(counter, ifindex, family).failed_transitions;
}

// ---- NUD states ---------------------------------------------------------------------------

TEST(NudStateTest, EachKernelBitIsItsOwnState) {
  EXPECT_EQ(nud_state_from_kernel(kNudIncomplete), NudState::incomplete);
  EXPECT_EQ(nud_state_from_kernel(kNudReachable), NudState::reachable);
  EXPECT_EQ(nud_state_from_kernel(kNudStale), NudState::stale);
  EXPECT_EQ(nud_state_from_kernel(kNudDelay), NudState::delay);
  EXPECT_EQ(nud_state_from_kernel(kNudProbe), NudState::probe);
  EXPECT_EQ(nud_state_from_kernel(kNudFailed), NudState::failed);
  EXPECT_EQ(nud_state_from_kernel(kNudNoarp), NudState::noarp);
  EXPECT_EQ(nud_state_from_kernel(kNudPermanent), NudState::permanent);
}

TEST(NudStateTest, NoBitOrAnUnknownBitIsNone) {
  EXPECT_EQ(nud_state_from_kernel(0), NudState::none);  // NUD_NONE
  EXPECT_EQ(nud_state_from_kernel(0x100), NudState::none);
}

TEST(NudStateTest, PermanentAndNoarpWinOverOtherBits) {
  EXPECT_EQ(nud_state_from_kernel(kNudPermanent | kNudReachable), NudState::permanent);
  EXPECT_EQ(nud_state_from_kernel(kNudNoarp | kNudReachable), NudState::noarp);
}

TEST(NudStateTest, LabelValuesAreIpNeighsWordsInLowerCase) {
  const std::vector<std::string> expected = {"incomplete", "reachable", "stale", "delay",
                                             "probe",      "failed",    "noarp", "permanent"};
  ASSERT_EQ(kAllNudStates.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(to_string(kAllNudStates[i]), expected[i]);
  }
  EXPECT_EQ(to_string(NeighborFamily::inet), "inet");
  EXPECT_EQ(to_string(NeighborFamily::inet6), "inet6");
}

// ---- addresses ----------------------------------------------------------------------------

TEST(NeighborAddressTest, ParsesBothFamiliesAndPrintsThemAsInetNtopDoes) {
  EXPECT_EQ(address_text(key(kEth0, "192.0.2.10")), "192.0.2.10");
  EXPECT_EQ(key(kEth0, "192.0.2.10").family, NeighborFamily::inet);
  EXPECT_EQ(address_text(key(kEth0, "2001:DB8:0:0::10")), "2001:db8::10");
  EXPECT_EQ(key(kEth0, "2001:db8::10").family, NeighborFamily::inet6);
  EXPECT_EQ(ip_of(key(kEth0, "192.0.2.10")), *Ipv4Address::parse("192.0.2.10"));
}

TEST(NeighborAddressTest, RejectsWhatIsNotAnAddress) {
  for (const auto* text : {"", "192.0.2", "192.0.2.300", "192.0.2.10/24", "2001:db8::1%eth0",
                           "2001:db8:::1", "host.example", " 192.0.2.10"}) {
    EXPECT_FALSE(parse_neighbor_address(text)) << text;
  }
}

TEST(NeighborKeyTest, InterfaceFamilyAndAddressAllTellKeysApart) {
  const NeighborKeyHash hash;
  const auto base = key(kEth0, "192.0.2.10");
  EXPECT_EQ(base, key(kEth0, "192.0.2.10"));
  EXPECT_EQ(hash(base), hash(key(kEth0, "192.0.2.10")));
  EXPECT_NE(base, key(kEth1, "192.0.2.10"));
  EXPECT_NE(base, key(kEth0, "192.0.2.11"));
  auto same_bytes_other_family = base;
  same_bytes_other_family.family = NeighborFamily::inet6;
  EXPECT_NE(base, same_bytes_other_family);
}

// ---- link-layer address changes -----------------------------------------------------------

TEST(NeighborChangeCounterTest, NothingCountedBeforeAnyChange) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  EXPECT_TRUE(counter.counts().empty());
  EXPECT_EQ(counter.known(), 1U);
  EXPECT_EQ(counter.dropped(), 0U);
}

TEST(NeighborChangeCounterTest, ANewMacForAKnownEntryIsOneChange) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(reachable(kEth0, "192.0.2.10", kRogueMac), false);
  EXPECT_EQ(changes(counter, kEth0), 1U);
  EXPECT_EQ(failures(counter, kEth0), 0U);
  counter.apply(stale(kEth0, "192.0.2.10", kOwnerMac), false);  // and back: a second change
  EXPECT_EQ(changes(counter, kEth0), 2U);
}

TEST(NeighborChangeCounterTest, ChangesAreCountedPerInterfaceAndFamily) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(reachable(kEth0, "2001:db8::10", kOwnerMac), false);
  counter.apply(reachable(kEth1, "192.0.2.10", kOwnerMac), false);
  counter.apply(reachable(kEth1, "198.51.100.7", kOwnerMac), false);

  counter.apply(reachable(kEth0, "192.0.2.10", kRogueMac), false);
  counter.apply(reachable(kEth0, "2001:db8::10", kNewNicMac), false);
  counter.apply(reachable(kEth0, "2001:db8::10", kRogueMac), false);
  counter.apply(reachable(kEth1, "198.51.100.7", kNewNicMac), false);

  EXPECT_EQ(changes(counter, kEth0, NeighborFamily::inet), 1U);
  EXPECT_EQ(changes(counter, kEth0, NeighborFamily::inet6), 2U);
  EXPECT_EQ(changes(counter, kEth1, NeighborFamily::inet), 1U);
  EXPECT_EQ(changes(counter, kEth1, NeighborFamily::inet6), 0U);
  EXPECT_EQ(counter.counts().size(), 3U);  // no series for a pair without changes
}

TEST(NeighborChangeCounterTest, StateChangesWithTheSameMacAreNotChanges) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(stale(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(entry(kEth0, "192.0.2.10", NudState::delay, kOwnerMac), false);
  counter.apply(entry(kEth0, "192.0.2.10", NudState::probe, kOwnerMac), false);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  EXPECT_EQ(changes(counter, kEth0), 0U);
  EXPECT_EQ(failures(counter, kEth0), 0U);
}

TEST(NeighborChangeCounterTest, FirstResolutionOfAnIncompleteEntryIsNotAChange) {
  NeighborChangeCounter counter(100);
  counter.apply(incomplete(kEth0, "192.0.2.10"), false);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  EXPECT_EQ(changes(counter, kEth0), 0U);
}

TEST(NeighborChangeCounterTest, ANewMacAfterAnUnresolvedSpellIsStillAChange) {
  // The kernel's INCOMPLETE message carries no lladdr; the MAC known before it must be kept,
  // or a peer that answers with a new NIC after a re-resolution would go unnoticed.
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(incomplete(kEth0, "192.0.2.10"), false);
  counter.apply(reachable(kEth0, "192.0.2.10", kNewNicMac), false);
  EXPECT_EQ(changes(counter, kEth0), 1U);
}

TEST(NeighborChangeCounterTest, TheSameMacAfterAnUnresolvedSpellIsNoChange) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(incomplete(kEth0, "192.0.2.10"), false);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  EXPECT_EQ(changes(counter, kEth0), 0U);
}

// ---- transitions to FAILED ----------------------------------------------------------------

TEST(NeighborChangeCounterTest, GoingToFailedIsCountedOnceHoweverOftenItIsReported) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(entry(kEth0, "192.0.2.10", NudState::probe, kOwnerMac), false);
  counter.apply(failed(kEth0, "192.0.2.10"), false);
  counter.apply(failed(kEth0, "192.0.2.10"), false);  // the kernel re-announces FAILED entries
  EXPECT_EQ(failures(counter, kEth0), 1U);
  EXPECT_EQ(changes(counter, kEth0), 0U);  // losing the lladdr is not a new lladdr
}

TEST(NeighborChangeCounterTest, EachNewFailureAfterARecoveryCounts) {
  NeighborChangeCounter counter(100);
  counter.apply(incomplete(kEth0, "192.0.2.10"), false);
  counter.apply(failed(kEth0, "192.0.2.10"), false);
  counter.apply(incomplete(kEth0, "192.0.2.10"), false);
  counter.apply(failed(kEth0, "192.0.2.10"), false);
  EXPECT_EQ(failures(counter, kEth0), 2U);
}

TEST(NeighborChangeCounterTest, AnEntryBornFailedCounts) {
  // Resolution of an absent address can reach userspace as a first message in FAILED.
  NeighborChangeCounter counter(100);
  counter.apply(failed(kEth0, "192.0.2.99"), false);
  EXPECT_EQ(failures(counter, kEth0), 1U);
  counter.apply(failed(kEth0, "192.0.2.99"), false);
  EXPECT_EQ(failures(counter, kEth0), 1U);
}

TEST(NeighborChangeCounterTest, FailuresAreCountedPerInterfaceAndFamily) {
  NeighborChangeCounter counter(100);
  counter.apply(failed(kEth0, "192.0.2.99"), false);
  counter.apply(failed(kEth0, "2001:db8::99"), false);
  counter.apply(failed(kEth0, "2001:db8::98"), false);
  counter.apply(failed(kEth1, "192.0.2.99"), false);
  EXPECT_EQ(failures(counter, kEth0, NeighborFamily::inet), 1U);
  EXPECT_EQ(failures(counter, kEth0, NeighborFamily::inet6), 2U);
  EXPECT_EQ(failures(counter, kEth1, NeighborFamily::inet), 1U);
  EXPECT_EQ(failures(counter, kEth1, NeighborFamily::inet6), 0U);
}

// ---- deletions ----------------------------------------------------------------------------

TEST(NeighborChangeCounterTest, ADeletedEntryIsForgotten) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), true);
  EXPECT_EQ(counter.known(), 0U);
  // `ip neigh flush` and then a new NIC: a fresh entry, not a change of the old one.
  counter.apply(reachable(kEth0, "192.0.2.10", kNewNicMac), false);
  EXPECT_EQ(changes(counter, kEth0), 0U);
  EXPECT_EQ(counter.known(), 1U);
}

TEST(NeighborChangeCounterTest, DeletingAnUnknownEntryIsHarmless) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), true);
  EXPECT_EQ(counter.known(), 0U);
  EXPECT_TRUE(counter.counts().empty());
}

TEST(NeighborChangeCounterTest, DeletionIsPerInterfaceAndFamily) {
  NeighborChangeCounter counter(100);
  counter.apply(reachable(kEth0, "192.0.2.10", kOwnerMac), false);
  counter.apply(reachable(kEth1, "192.0.2.10", kOwnerMac), false);
  counter.apply(reachable(kEth1, "192.0.2.10", kOwnerMac), true);
  EXPECT_EQ(counter.known(), 1U);
  counter.apply(reachable(kEth0, "192.0.2.10", kRogueMac), false);
  EXPECT_EQ(changes(counter, kEth0), 1U);
}

// ---- resynchronising dumps ----------------------------------------------------------------

TEST(NeighborChangeCounterTest, TheFirstDumpIsABaselineThatCountsNothing) {
  NeighborChangeCounter counter(100);
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kOwnerMac), failed(kEth0, "192.0.2.99"),
                         incomplete(kEth0, "192.0.2.98"), stale(kEth1, "2001:db8::10", kRogueMac),
                         failed(kEth1, "2001:db8::99")});
  EXPECT_TRUE(counter.counts().empty());
  EXPECT_EQ(counter.known(), 5U);
}

TEST(NeighborChangeCounterTest, EventsAfterTheBaselineCompareWithIt) {
  NeighborChangeCounter counter(100);
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kOwnerMac), failed(kEth0, "192.0.2.99")});
  counter.apply(reachable(kEth0, "192.0.2.10", kRogueMac), false);
  counter.apply(failed(kEth0, "192.0.2.99"), false);  // still failed: not a new failure
  EXPECT_EQ(changes(counter, kEth0), 1U);
  EXPECT_EQ(failures(counter, kEth0), 0U);
}

TEST(NeighborChangeCounterTest, ALaterDumpCountsWhatHappenedWhileEventsWereLost) {
  NeighborChangeCounter counter(100);
  counter.resynchronise(
      {reachable(kEth0, "192.0.2.10", kOwnerMac), reachable(kEth0, "192.0.2.20", kOwnerMac),
       stale(kEth1, "2001:db8::10", kOwnerMac), reachable(kEth1, "2001:db8::20", kOwnerMac)});
  // ENOBUFS: these changes reached nobody as events; the next dump shows their result.
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kRogueMac), failed(kEth0, "192.0.2.20"),
                         stale(kEth1, "2001:db8::10", kNewNicMac),
                         reachable(kEth1, "2001:db8::20", kOwnerMac)});
  EXPECT_EQ(changes(counter, kEth0, NeighborFamily::inet), 1U);
  EXPECT_EQ(failures(counter, kEth0, NeighborFamily::inet), 1U);
  EXPECT_EQ(changes(counter, kEth1, NeighborFamily::inet6), 1U);
  EXPECT_EQ(failures(counter, kEth1, NeighborFamily::inet6), 0U);
  // The same dump again: nothing new happened.
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kRogueMac), failed(kEth0, "192.0.2.20"),
                         stale(kEth1, "2001:db8::10", kNewNicMac),
                         reachable(kEth1, "2001:db8::20", kOwnerMac)});
  EXPECT_EQ(changes(counter, kEth0, NeighborFamily::inet), 1U);
  EXPECT_EQ(failures(counter, kEth0, NeighborFamily::inet), 1U);
  EXPECT_EQ(changes(counter, kEth1, NeighborFamily::inet6), 1U);
}

TEST(NeighborChangeCounterTest, AnEntryBornFailedWhileEventsWereLostCounts) {
  // What apply() counts for a new FAILED entry, a dump after an overrun must count too: the
  // failed resolution happened, only its event was lost.
  NeighborChangeCounter counter(100);
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kOwnerMac)});
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kOwnerMac), failed(kEth0, "192.0.2.99")});
  EXPECT_EQ(failures(counter, kEth0), 1U);
  EXPECT_EQ(counter.known(), 2U);
}

TEST(NeighborChangeCounterTest, OnlyTheFirstDumpIsABaselineEvenWhenItWasEmpty) {
  // A host that starts with an empty table and then loses events is not "starting" again.
  NeighborChangeCounter counter(100);
  counter.resynchronise({});
  counter.resynchronise({failed(kEth0, "192.0.2.99")});
  EXPECT_EQ(failures(counter, kEth0), 1U);
}

TEST(NeighborChangeCounterTest, ADumpShowingAnUnresolvedEntryKeepsItsLastMac) {
  // The dump reports INCOMPLETE/FAILED entries without lladdr, exactly as events do; a peer
  // that then answers from a new NIC is a change, whichever path saw the unresolved spell.
  NeighborChangeCounter counter(100);
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kOwnerMac)});
  counter.resynchronise({incomplete(kEth0, "192.0.2.10")});
  counter.apply(reachable(kEth0, "192.0.2.10", kNewNicMac), false);
  EXPECT_EQ(changes(counter, kEth0), 1U);
}

TEST(NeighborChangeCounterTest, ALaterDumpForgetsEntriesThatVanished) {
  NeighborChangeCounter counter(100);
  counter.resynchronise(
      {reachable(kEth0, "192.0.2.10", kOwnerMac), reachable(kEth0, "192.0.2.20", kOwnerMac)});
  ASSERT_EQ(counter.known(), 2U);
  counter.resynchronise({reachable(kEth0, "192.0.2.20", kOwnerMac)});
  EXPECT_EQ(counter.known(), 1U);
  // Deleted while events were lost, re-created with another MAC: a fresh entry, no change.
  counter.apply(reachable(kEth0, "192.0.2.10", kNewNicMac), false);
  EXPECT_EQ(changes(counter, kEth0), 0U);
}

TEST(NeighborChangeCounterTest, ADumpAfterEventsCountsOnlyWhatTheEventsMissed) {
  NeighborChangeCounter counter(100);
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kOwnerMac)});
  counter.apply(reachable(kEth0, "192.0.2.10", kRogueMac), false);  // seen as an event
  counter.resynchronise({reachable(kEth0, "192.0.2.10", kRogueMac)});
  EXPECT_EQ(changes(counter, kEth0), 1U);
}

// ---- the bound on followed entries --------------------------------------------------------

TEST(NeighborChangeCounterTest, EventsPastMaxEntriesAreDroppedAndCounted) {
  NeighborChangeCounter counter(2);
  counter.apply(reachable(kEth0, "192.0.2.1", kOwnerMac), false);
  counter.apply(reachable(kEth0, "192.0.2.2", kOwnerMac), false);
  counter.apply(reachable(kEth0, "192.0.2.3", kOwnerMac), false);
  EXPECT_EQ(counter.known(), 2U);
  EXPECT_EQ(counter.dropped(), 1U);
  // Updates to followed entries are not new entries: they still count, and drop nothing.
  counter.apply(reachable(kEth0, "192.0.2.1", kRogueMac), false);
  EXPECT_EQ(changes(counter, kEth0), 1U);
  EXPECT_EQ(counter.known(), 2U);
  EXPECT_EQ(counter.dropped(), 1U);
}

TEST(NeighborChangeCounterTest, ADeletionMakesRoomUnderMaxEntries) {
  NeighborChangeCounter counter(1);
  counter.apply(reachable(kEth0, "192.0.2.1", kOwnerMac), false);
  counter.apply(reachable(kEth0, "192.0.2.1", kOwnerMac), true);
  counter.apply(reachable(kEth0, "192.0.2.2", kOwnerMac), false);
  EXPECT_EQ(counter.known(), 1U);
  EXPECT_EQ(counter.dropped(), 0U);
  counter.apply(reachable(kEth0, "192.0.2.2", kRogueMac), false);
  EXPECT_EQ(changes(counter, kEth0), 1U);
}

TEST(NeighborChangeCounterTest, ADumpLargerThanMaxEntriesIsFollowedUpToTheBound) {
  NeighborChangeCounter counter(3);
  std::vector<NeighborEntry> dump;
  for (int host = 1; host <= 5; ++host) {
    dump.push_back(reachable(kEth0, "192.0.2." + std::to_string(host), kOwnerMac));
  }
  counter.resynchronise(dump);
  EXPECT_EQ(counter.known(), 3U);
  EXPECT_EQ(counter.dropped(), 2U);
  EXPECT_TRUE(counter.counts().empty());
}

TEST(NeighborChangeCounterTest, ABoundOfZeroFollowsNothing) {
  NeighborChangeCounter counter(0);
  counter.apply(reachable(kEth0, "192.0.2.1", kOwnerMac), false);
  counter.apply(failed(kEth0, "192.0.2.2"), false);
  EXPECT_EQ(counter.known(), 0U);
  EXPECT_EQ(counter.dropped(), 2U);
}

}  // namespace
}  // namespace arp
