#include "collectors/log_budget.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

using std::chrono::milliseconds;

TEST(LogBudgetTest, LetsABurstThroughThenHoldsBack) {
  LogBudget budget(1.0, 3.0);
  const LogBudget::Clock::time_point start{};
  EXPECT_EQ(budget.take(start), 0U);
  EXPECT_EQ(budget.take(start), 0U);
  EXPECT_EQ(budget.take(start), 0U);
  EXPECT_EQ(budget.take(start), std::nullopt);
  EXPECT_EQ(budget.take(start + milliseconds(10)), std::nullopt);
}

TEST(LogBudgetTest, TheNextLineLetThroughCountsWhatWasSuppressed) {
  LogBudget budget(2.0, 1.0);
  const LogBudget::Clock::time_point start{};
  EXPECT_EQ(budget.take(start), 0U);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(budget.take(start + milliseconds(i)), std::nullopt);
  EXPECT_EQ(budget.take(start + milliseconds(600)), 5U);  // half a second refills one line
  EXPECT_EQ(budget.take(start + milliseconds(1200)), 0U);
}

TEST(LogBudgetTest, ALongQuietSpellRefillsOnlyUpToTheBurst) {
  LogBudget budget(10.0, 2.0);
  const LogBudget::Clock::time_point start{};
  budget.take(start);
  budget.take(start);
  const auto later = start + std::chrono::hours(1);
  EXPECT_EQ(budget.take(later), 0U);
  EXPECT_EQ(budget.take(later), 0U);
  EXPECT_EQ(budget.take(later), std::nullopt);
}

TEST(LogBudgetTest, AClockThatStepsBackNeverAddsLines) {
  LogBudget budget(1.0, 1.0);
  const LogBudget::Clock::time_point start = LogBudget::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(budget.take(start), 0U);
  EXPECT_EQ(budget.take(start - std::chrono::minutes(5)), std::nullopt);
}

}  // namespace
}  // namespace arp
