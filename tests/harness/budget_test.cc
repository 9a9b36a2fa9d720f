#include "harness/budget.h"

#include <gtest/gtest.h>

#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

using std::chrono::nanoseconds;
using namespace std::chrono_literals;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Budget, DurationsAreReadWithTheirUnits) {
  EXPECT_EQ(parse_budget("90s"), nanoseconds(90s));
  EXPECT_EQ(parse_budget("10m"), nanoseconds(10min));
  EXPECT_EQ(parse_budget("2h"), nanoseconds(2h));
  EXPECT_EQ(parse_budget("1h30m"), nanoseconds(90min));
  EXPECT_EQ(parse_budget("1h30m15s"), nanoseconds(90min + 15s));
  EXPECT_EQ(parse_budget("1.5h"), nanoseconds(90min));
  EXPECT_EQ(parse_budget("45"), nanoseconds(45s));
  for (const char* bad :
       {"", "0", "0s", "-5s", "5x", "h", "1h30", "1..5s", ".s", "5 s", "367d", "9000h", "1e3s"}) {
    EXPECT_EQ(error_of([&] { parse_budget(bad); }),
              "--budget: '" + std::string(bad) +
                  "' is not allowed (allowed: a duration such as 90s, 10m, 2h or 1h30m, or "
                  "seconds; more than 0 and at most 366 days)")
        << bad;
  }
}

TEST(Budget, DurationsAreWrittenForPeople) {
  EXPECT_EQ(duration_words(0.42), "0.4s");
  EXPECT_EQ(duration_words(42), "42s");
  EXPECT_EQ(duration_words(185), "3m 05s");
  EXPECT_EQ(duration_words(3600 + 42 * 60 + 10), "1h 42m 10s");
}

PointOverhead overhead_of(double seconds) {
  PointOverhead o;
  o.seconds = seconds;
  o.where = "PUs 0,1 of this machine";
  return o;
}

// 100 points with 0.05 s of overhead each in 10 s: 0.05 s each is left for the timed phase.
TEST(Budget, TheTimedPhaseSpreadsTheBudgetOverThePoints) {
  const nanoseconds timed = fit_budget(10s, 0s, 100, overhead_of(0.05), nullptr);
  EXPECT_NEAR(std::chrono::duration<double>(timed).count(), 0.05, 1e-9);
}

// Below the floor the plan is refused, with what it needs and the smaller plans that fit.
TEST(Budget, APlanThatCannotFitIsRefusedNamingWhatWould) {
  std::size_t asked = 0;
  const std::string error = error_of([&] {
    fit_budget(10s, 0s, 1000, overhead_of(0.01), [&](std::size_t fitting) {
      asked = fitting;
      return std::vector<Alternative>{
          {"--pairs unordered", 500}, {"--strategy with 1 of the 2", 500}, {"--pairs classes", 40}};
    });
  });
  // 10 ms floor + 10 ms overhead: 1000 points need 20 s; 10 s fits 500.
  EXPECT_EQ(asked, 500u);
  EXPECT_EQ(error,
            "--budget 10s: the plan's 1000 points need at least 20s (10.0 ms timed, the floor, + "
            "10.0 ms warm-up, probe and set-up, measured on PUs 0,1 of this machine per point); "
            "10s fits 500 points: --pairs unordered (500 points), --strategy with 1 of the 2 "
            "(500 points), --pairs classes (40 points), or --shard I/2 on 2 hosts");
  // Alternatives larger than what fits are not offered.
  const std::string fewer = error_of([&] {
    fit_budget(5s, 0s, 1000, overhead_of(0.01), [&](std::size_t) {
      return std::vector<Alternative>{{"--pairs unordered", 500}};
    });
  });
  EXPECT_EQ(fewer.find("--pairs unordered"), std::string::npos) << fewer;
  EXPECT_NE(fewer.find("5.0s fits 250 points: --shard I/4 on 4 hosts"), std::string::npos) << fewer;
}

TEST(Budget, TheLargestShareThatFits) {
  EXPECT_EQ(largest_fitting(700, 7, 500), 5u);
  EXPECT_EQ(largest_fitting(700, 7, 700), 7u);
  EXPECT_EQ(largest_fitting(700, 7, 99), 0u);
}

// The keeper spreads what is left over the points left, with what points really cost.
TEST(Budget, TheKeeperSpreadsWhatIsLeftOverThePointsLeft) {
  const auto start = BudgetKeeper::Clock::now() - 30s;  // half of a 60 s budget spent
  BudgetKeeper keeper(60s, start, overhead_of(0.5));
  // 30 s for 10 points at 0.5 s of overhead each: 2.5 s each.
  EXPECT_NEAR(std::chrono::duration<double>(keeper.next_timed_phase(10)).count(), 2.5, 0.05);
  // Points turn out to cost 1.5 s beyond their timed phase: 1.5 s each is left.
  keeper.point_done(2s, 500ms);
  EXPECT_NEAR(std::chrono::duration<double>(keeper.next_timed_phase(10)).count(), 1.5, 0.05);
  // Never below the floor, even when the budget is spent.
  EXPECT_EQ(keeper.next_timed_phase(1000000), nanoseconds(kBudgetFloor));
  // Points that run after the plan count among those left.
  BudgetKeeper with_after(60s, start, overhead_of(0.5), 10);
  EXPECT_NEAR(std::chrono::duration<double>(with_after.next_timed_phase(10)).count(), 1.0, 0.05);
  EXPECT_NE(keeper.left_text().find("budget 1m 00s, "), std::string::npos) << keeper.left_text();
}

TEST(Budget, TheEstimateAddsTheTimedPhaseAndTheOverhead) {
  PointOptions o;
  o.config.duration = 300ms;
  EXPECT_EQ(estimate_line(20160, o, overhead_of(0.0191)),
            "estimated duration: 1h 47m 13s (20160 points x 0.319 s: 0.300 s timed + 19.1 ms "
            "warm-up, probe and set-up, measured on PUs 0,1 of this machine)\n");
  // A plan that counts messages is timed at the measured cost per message.
  o.config.messages = 100000;
  PointOverhead per_message = overhead_of(0.01);
  per_message.seconds_per_message = 2e-6;
  EXPECT_EQ(estimate_line(10, o, per_message),
            "estimated duration: 2.1s (10 points x 0.210 s: 0.200 s timed + 10.0 ms warm-up, "
            "probe and set-up, measured on PUs 0,1 of this machine)\n");
}

}  // namespace
}  // namespace refbench::harness
