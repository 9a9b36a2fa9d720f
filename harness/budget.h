// What a plan will cost in time, and fitting it to a budget: the dry run's estimate, and
// `--budget DURATION`, which chooses each point's timed phase so that the whole sweep (or
// run) takes the budget, and keeps it while it runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/options.h"

namespace refbench::harness {

// The shortest timed phase a budget may choose: at the hundreds of nanoseconds a message
// costs between two cores, 10 ms is tens of thousands of messages, far past a channel's
// capacity (256) and the warm-up, so the channel and the caches are in their steady state
// for most of it.
inline constexpr std::chrono::milliseconds kBudgetFloor{10};

// "90s", "10m", "2h", "1h30m", "1.5h" or a number of seconds ("45"). Throws UsageError
// naming the text and what is allowed.
std::chrono::nanoseconds parse_budget(std::string_view text);

// "1h 42m 10s", "3m 05s", "42s", "0.4s".
std::string duration_words(double seconds);

// What a point costs besides its timed phase, measured on this machine by running one short
// point of each planned strategy: warm-up, the probe, starting, pinning and joining the
// threads, the row. Also the timed phase's cost per message, for plans that count messages
// (--messages) instead of time. Under --budget the probe is counted once per block.
struct PointOverhead {
  double seconds = 0;
  double seconds_per_message = 0;
  std::string where;    // "PUs 0,1 of this machine"
  std::string problem;  // why it could not be measured (then the figures are 0)
};

PointOverhead measure_overhead(const PointOptions& options);

// The timed phase of one point: --seconds, or --messages at the measured cost per message.
double timed_seconds(const PointOptions& options, const PointOverhead& overhead);

// "estimated duration: 1h 42m 10s (20160 points x 0.349 s: 0.300 s timed + 0.049 s
// warm-up, probe and set-up, measured on PUs 0,1 of this machine)".
std::string estimate_line(std::size_t points, const PointOptions& options,
                          const PointOverhead& overhead);

// A smaller plan a user could run instead: the option to give and its points.
struct Alternative {
  std::string option;
  std::size_t points;
};

// The timed phase that makes `points` points take `budget`. Below kBudgetFloor the plan
// cannot fit: UsageError saying what it needs at the floor, how many points fit, and the
// smaller plans that `alternatives(fitting)` offers (with --shard over enough hosts).
using Alternatives = std::function<std::vector<Alternative>(std::size_t fitting)>;
// `spent`: what of the budget is already gone (the overhead's own measurement).
std::chrono::nanoseconds fit_budget(std::chrono::nanoseconds budget, std::chrono::nanoseconds spent,
                                    std::size_t points, const PointOverhead& overhead,
                                    const Alternatives& alternatives);

// The largest k <= `of` with `points` x k / `of` <= `fitting` (0: none).
std::size_t largest_fitting(std::size_t points, std::size_t of, std::size_t fitting);

// Keeps a plan to its budget while it runs: before each block, the timed phase that spreads
// what is left of the budget over the points left, given what points have really cost so
// far (never below kBudgetFloor).
class BudgetKeeper {
 public:
  using Clock = std::chrono::steady_clock;
  // `points_after`: points that run after the plan at its last timed phase (run's check
  // of the counters' cost), counted in what is left.
  BudgetKeeper(std::chrono::nanoseconds budget, Clock::time_point start,
               const PointOverhead& overhead, std::size_t points_after = 0);

  std::chrono::nanoseconds next_timed_phase(std::size_t points_left) const;
  // A point took `wall` in all, `timed` of it in its timed phase.
  void point_done(std::chrono::nanoseconds wall, std::chrono::nanoseconds timed);
  // "budget 10m, 6m 12s left" for the progress line.
  std::string left_text() const;
  std::chrono::nanoseconds budget() const { return budget_; }

 private:
  std::chrono::nanoseconds budget_;
  Clock::time_point start_;
  double overhead_s_;
  std::size_t points_after_;
  double measured_overhead_s_ = 0;
  std::size_t measured_points_ = 0;
};

}  // namespace refbench::harness
