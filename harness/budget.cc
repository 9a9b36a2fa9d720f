#include "harness/budget.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>

#include "harness/counters.h"
#include "harness/execute.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/probe.h"
#include "harness/usage_error.h"
#include "pinning/topology.h"

namespace refbench::harness {
namespace {

// The short points that measure the overhead: enough messages to time the hop, few
// enough that a dry run answers at once.
constexpr std::uint64_t kCalibrationMessages = 2000;
constexpr std::uint64_t kCalibrationWarmup = 1000;

// The most a budget may be: a year.
constexpr double kLongestBudget = 366.0 * 24 * 3600;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string seconds_text(double s) {
  char text[32];
  if (s < 0.1) {
    std::snprintf(text, sizeof text, "%.1f ms", s * 1e3);
  } else {
    std::snprintf(text, sizeof text, s < 10 ? "%.3f s" : "%.1f s", s);
  }
  return text;
}

std::string overhead_words(const PointOverhead& o) {
  if (!o.problem.empty()) return "set-up not measured: " + o.problem;
  return seconds_text(o.seconds) + " warm-up, probe and set-up, measured on " + o.where;
}

}  // namespace

std::chrono::nanoseconds parse_budget(std::string_view text) {
  const auto refuse = [&] {
    return UsageError("--budget: '" + std::string(text) +
                      "' is not allowed (allowed: a duration such as 90s, 10m, 2h or 1h30m, or "
                      "seconds; more than 0 and at most 366 days)");
  };
  double seconds = 0;
  std::size_t at = 0;
  bool any = false;
  while (at < text.size()) {
    std::size_t end = at;
    while (end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.')) {
      ++end;
    }
    if (end == at || std::count(text.begin() + static_cast<std::ptrdiff_t>(at),
                                text.begin() + static_cast<std::ptrdiff_t>(end), '.') > 1) {
      throw refuse();
    }
    const std::string number(text.substr(at, end - at));
    if (number.find_first_of("0123456789") == std::string::npos) throw refuse();
    const double value = std::stod(number);
    double unit = 1;
    if (end < text.size()) {
      switch (text[end]) {
        case 'h':
          unit = 3600;
          break;
        case 'm':
          unit = 60;
          break;
        case 's':
          unit = 1;
          break;
        default:
          throw refuse();
      }
      ++end;
    } else if (any) {
      throw refuse();  // "1h30": a number without its unit after one with a unit
    }
    seconds += value * unit;
    any = true;
    at = end;
  }
  if (!any || !(seconds > 0) || seconds > kLongestBudget) throw refuse();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(seconds));
}

std::string duration_words(double seconds) {
  char text[48];
  const long long s = std::llround(seconds);
  if (seconds < 10) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lldh %02lldm %02llds", s / 3600, s % 3600 / 60, s % 60);
  } else if (s >= 60) {
    std::snprintf(text, sizeof text, "%lldm %02llds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%llds", s);
  }
  return text;
}

PointOverhead measure_overhead(const PointOptions& options) {
  PointOverhead o;
  try {
    const pinning::Topology here = pinning::Topology::this_machine();
    const std::vector<PuList> pairs = default_pairs(here);
    // The nearest pair of distinct PUs where there is one: the plan's common case.
    const PuList pus = pairs.size() > 1 ? pairs[1] : pairs.front();
    PointOptions short_points = options;
    short_points.workloads = {options.workloads.front()};
    short_points.payloads = {options.payloads.front()};
    short_points.repetitions = 1;
    short_points.memory = pinning::MemoryPolicy::local;  // the plan's may need another machine
    short_points.config.messages = kCalibrationMessages;
    short_points.config.duration = std::chrono::nanoseconds{0};
    short_points.config.warmup_messages =
        std::min<std::uint64_t>(options.config.warmup_messages, kCalibrationWarmup);
    const Plan plan = make_plan(short_points, here, {pus}, "calibration");
    static const CounterSet none = CounterSet::resolve("none");
    double overhead = 0;
    double per_message = 0;
    // The points run without their probe (given as taken); the probe is timed on its own.
    BlockProbe no_probe{true, pus, std::nullopt};
    for (const Point& point : plan.points) {
      // The cheaper of two tries: a try that another process interrupted says nothing of
      // what the point costs.
      double fixed = -1;
      double message = 0;
      for (int attempt = 0; attempt < 2; ++attempt) {
        const auto start = std::chrono::steady_clock::now();
        const results::ResultRow row = measure(here, short_points, none, point, &no_probe);
        const double wall = seconds_since(start);
        if (!row.error.empty()) throw std::runtime_error(row.error);
        const double this_message = row.elapsed_s / static_cast<double>(kCalibrationMessages);
        const double this_fixed =
            wall - row.elapsed_s -
            static_cast<double>(short_points.config.warmup_messages) * this_message;
        if (fixed < 0 || this_fixed < fixed) {
          fixed = std::max(0.0, this_fixed);
          message = this_message;
        }
      }
      // The plan's own warm-up, at the cost per message just measured.
      overhead += fixed + static_cast<double>(options.config.warmup_messages) * message;
      per_message += message;
    }
    double probe = 0;
    if (pus[0] != pus[1]) {
      const auto start = std::chrono::steady_clock::now();
      probe_round_trip_ns(here, pus[0], pus[1]);
      probe = seconds_since(start);
      // Under --budget the probe is taken once per block of every strategy (session.cc).
      if (options.budget) probe /= static_cast<double>(plan.points.size());
    }
    overhead += probe * static_cast<double>(plan.points.size());
    const double n = static_cast<double>(plan.points.size());
    o.seconds = overhead / n;
    o.seconds_per_message = per_message / n;
    o.where = "PUs " + Placement{pus}.pus_text() + " of this machine";
  } catch (const std::exception& e) {
    o = PointOverhead{};
    o.problem = e.what();
  }
  return o;
}

double timed_seconds(const PointOptions& options, const PointOverhead& overhead) {
  if (options.config.messages > 0) {
    return static_cast<double>(options.config.messages) * overhead.seconds_per_message;
  }
  return std::chrono::duration<double>(options.config.duration).count();
}

std::string estimate_line(std::size_t points, const PointOptions& options,
                          const PointOverhead& overhead) {
  const double timed = timed_seconds(options, overhead);
  const double each = timed + overhead.seconds;
  const std::string timed_words = options.config.messages > 0 && !overhead.problem.empty()
                                      ? std::string("the timed phase not known (--messages)")
                                      : seconds_text(timed) + " timed";
  return "estimated duration: " + duration_words(each * static_cast<double>(points)) + " (" +
         std::to_string(points) + " points x " + seconds_text(each) + ": " + timed_words + " + " +
         overhead_words(overhead) + ")\n";
}

std::chrono::nanoseconds fit_budget(std::chrono::nanoseconds budget, std::chrono::nanoseconds spent,
                                    std::size_t points, const PointOverhead& overhead,
                                    const Alternatives& alternatives) {
  const double given_s = std::chrono::duration<double>(budget).count();
  const double budget_s = std::chrono::duration<double>(budget - spent).count();
  const double floor_s = std::chrono::duration<double>(kBudgetFloor).count();
  const double timed =
      budget_s / static_cast<double>(std::max<std::size_t>(points, 1)) - overhead.seconds;
  if (timed >= floor_s) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(timed));
  }
  const double each = floor_s + overhead.seconds;
  const auto fitting = static_cast<std::size_t>(budget_s / each);
  std::string which;
  for (const Alternative& a : alternatives ? alternatives(fitting) : std::vector<Alternative>{}) {
    if (a.points == 0 || a.points > fitting) continue;
    which += (which.empty() ? "" : ", ") + a.option + " (" + std::to_string(a.points) + " points)";
  }
  const std::size_t hosts = fitting == 0 ? 0 : (points + fitting - 1) / fitting;
  if (hosts > 1) {
    which += (which.empty() ? "" : ", or ") + std::string("--shard I/") + std::to_string(hosts) +
             " on " + std::to_string(hosts) + " hosts";
  }
  throw UsageError(
      "--budget " + duration_words(given_s) + ": the plan's " + std::to_string(points) +
      " points need at least " + duration_words(each * static_cast<double>(points)) + " (" +
      seconds_text(floor_s) + " timed, the floor, + " + overhead_words(overhead) + " per point); " +
      (spent.count() > budget.count() / 100 ? "what is left of it" : duration_words(given_s)) +
      " fits " + std::to_string(fitting) + " points" + (which.empty() ? "" : ": " + which));
}

std::size_t largest_fitting(std::size_t points, std::size_t of, std::size_t fitting) {
  for (std::size_t k = of; k > 0; --k) {
    if (points / of * k <= fitting) return k;
  }
  return 0;
}

BudgetKeeper::BudgetKeeper(std::chrono::nanoseconds budget, Clock::time_point start,
                           const PointOverhead& overhead, std::size_t points_after)
    : budget_(budget), start_(start), overhead_s_(overhead.seconds), points_after_(points_after) {}

std::chrono::nanoseconds BudgetKeeper::next_timed_phase(std::size_t points_left) const {
  const double left = std::chrono::duration<double>(budget_ - (Clock::now() - start_)).count();
  const double overhead = measured_points_ > 0
                              ? measured_overhead_s_ / static_cast<double>(measured_points_)
                              : overhead_s_;
  const double timed =
      left / static_cast<double>(std::max<std::size_t>(points_left + points_after_, 1)) - overhead;
  return std::max<std::chrono::nanoseconds>(
      kBudgetFloor,
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timed)));
}

void BudgetKeeper::point_done(std::chrono::nanoseconds wall, std::chrono::nanoseconds timed) {
  measured_overhead_s_ += std::max(0.0, std::chrono::duration<double>(wall - timed).count());
  ++measured_points_;
}

std::string BudgetKeeper::left_text() const {
  const double left = std::chrono::duration<double>(budget_ - (Clock::now() - start_)).count();
  return "budget " + duration_words(std::chrono::duration<double>(budget_).count()) + ", " +
         (left >= 0 ? duration_words(left) + " left" : duration_words(-left) + " over");
}

}  // namespace refbench::harness
