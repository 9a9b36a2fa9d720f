#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness/commands.h"
#include "harness/execute.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/preflight.h"
#include "harness/usage_error.h"
#include "pinning/placement.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

using workloads::Strategy;
using workloads::ViewOwner;

// What the stress found for one strategy (and, for civ and civ-deferred, view owner).
struct Findings {
  std::uint64_t points = 0, messages = 0, failing_points = 0, violations = 0;
  std::uint64_t lost_increments = 0, lost_decrements = 0, premature_frees = 0;
  std::uint64_t use_after_free = 0, double_frees = 0, leaks = 0, views_left_open = 0;
  std::uint64_t orphaned_releases = 0, reads_after_owner_gone = 0;
  std::uint64_t early_teardowns = 0, stalled = 0, errors = 0;
  // Points with violations where none may be: any but racy's, and but those of views that
  // hold only their sender's id after an early teardown (CPython's hole, expected there).
  std::uint64_t unexpected = 0;
};

// Who the findings are for: a strategy, and what its views hold of their sender (strong for
// the strategies without views, where the setting does not apply).
using FindingsKey = std::pair<Strategy, ViewOwner>;

FindingsKey key_of(Strategy s, const PointOptions& o) {
  return {s, workloads::traits(s).views ? o.config.view_owner : ViewOwner::strong};
}

// Whether a point of strategy `s` may show violations: racy's always, and views that hold
// only the id when their sender is torn down early (the leak this setting is there to show).
bool may_violate(Strategy s, const PointOptions& o) {
  if (!workloads::is_correct(s)) return true;
  return workloads::traits(s).views && o.config.view_owner == ViewOwner::id &&
         o.config.teardown == workloads::Teardown::early;
}

template <class T, std::size_t N>
T pick(std::mt19937_64& rng, const std::array<T, N>& choices) {
  return choices[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

// The PU lists stress draws from, one per interpreter count. An explicit --cores list is
// one count (one interpreter per PU it names); a policy is placed for 2 to 4 interpreters,
// where the machine allows; by default the farthest pair of PUs for 2, and for 3 and 4
// `scatter` where the machine has the PUs, else that pair repeated (0,1,0 and 0,1,0,1).
std::vector<PuList> stress_lists(const pinning::Topology& topo,
                                 const std::optional<std::string>& cores) {
  constexpr unsigned kMost = 4;
  if (cores) {
    std::vector<PuList> lists = {resolve_cores(topo, *cores)};
    if (pinning::pus_named(*cores)) return lists;  // an explicit list: its own count only
    for (unsigned n = 3; n <= kMost; ++n) {
      try {
        lists.push_back(resolve_pus(topo, "--cores", *cores, n));
      } catch (const UsageError&) {
        break;  // the policy cannot place n here: stress what it can
      }
    }
    return lists;
  }
  std::vector<PuList> lists = {default_pairs(topo).back()};
  for (unsigned n = 3; n <= kMost; ++n) {
    if (topo.pus().size() >= n) {
      lists.push_back(resolve_pus(topo, "--cores", "scatter", n));
    } else {
      PuList repeated;
      for (unsigned i = 0; i < n; ++i) repeated.push_back(lists.front()[i % 2]);
      lists.push_back(repeated);
    }
  }
  return lists;
}

std::string describe(const std::vector<PuList>& lists) {
  std::string out;
  for (const PuList& pus : lists) {
    out += (out.empty() ? "PUs " : " | ") + Placement{pus}.pus_text();
  }
  return out;
}

// How the stress run's interpreters run, for its first line.
std::string isolation_text(const std::vector<workloads::Isolation>& isolations) {
  if (isolations.size() > 1) return ", each interpreter a thread or a process (drawn)";
  return isolations.front() == workloads::Isolation::process ? ", each interpreter a process" : "";
}

// One random point: every setting drawn from `rng`, so a seed gives the same points. The
// PUs first (so the interpreter count), then a workload that can run on that many.
PointOptions random_point(std::mt19937_64& rng, const PointOptions& base,
                          const std::vector<PuList>& lists, const PuList*& pus) {
  pus = &lists[std::uniform_int_distribution<std::size_t>(0, lists.size() - 1)(rng)];
  const std::set<unsigned> distinct(pus->begin(), pus->end());
  const bool shared_pu = distinct.size() < pus->size();
  std::vector<workloads::Workload> runnable;
  for (workloads::Workload w : workloads::kAllWorkloads) {
    if (workloads::interpreters_problem(w, static_cast<unsigned>(pus->size())).empty()) {
      runnable.push_back(w);
    }
  }
  PointOptions o = base;
  o.strategies = {pick(rng, workloads::kAllStrategies)};
  o.workloads = {runnable[std::uniform_int_distribution<std::size_t>(0, runnable.size() - 1)(rng)]};
  o.payloads = {pick(rng, std::array<std::uint32_t, 6>{0, 1, 8, 64, 100, 4096})};
  o.config.objects = std::uniform_int_distribution<std::uint32_t>(1, 64)(rng);
  o.config.local_work = std::uniform_int_distribution<std::uint32_t>(0, 4)(rng);
  o.config.channel_capacity = pick(rng, std::array<std::uint32_t, 4>{1, 2, 16, 256});
  // Spinning on a shared PU waits a scheduler slice per hand-off: slow, not wrong; left out.
  o.wait = shared_pu
               ? pick(rng, std::array{workloads::WaitPolicy::yield, workloads::WaitPolicy::block})
               : pick(rng, workloads::kAllWaitPolicies);
  o.config.teardown = pick(rng, std::array{workloads::Teardown::end, workloads::Teardown::early});
  // Drawn whatever the workload, so that the points after it stay the same for a seed.
  if (!workloads::teardown_problem(o.workloads.front(), o.config.teardown).empty()) {
    o.config.teardown = workloads::Teardown::end;
  }
  o.config.messages = std::uniform_int_distribution<std::uint64_t>(1'000, 30'000)(rng);
  o.config.warmup_messages = std::uniform_int_distribution<std::uint64_t>(0, 1'000)(rng);
  // civ-deferred's queue drops what does not fit (CPython's behaviour, a leak that
  // --release-queue is there to show): stress keeps it roomy enough never to drop.
  const auto n = static_cast<std::uint32_t>(pus->size());
  o.config.drain_interval = pick(rng, std::array<std::uint32_t, 3>{1, 2, 16});
  o.config.release_batch =
      std::max(n * o.config.drain_interval, pick(rng, std::array<std::uint32_t, 3>{16, 100, 1024}));
  o.config.release_queue = workloads::release_queue_that_never_fills(n, o.config.channel_capacity,
                                                                     o.config.drain_interval) +
                           pick(rng, std::array<std::uint32_t, 3>{1, 16, 300});
  // Last, so that the draws above stay those of a seed before the setting came.
  o.config.view_owner = pick(rng, workloads::kAllViewOwners);
  // Drawn only where both were asked for, so a seed's points stay those of one isolation.
  if (base.isolations.size() > 1) {
    o.isolations = {base.isolations[std::uniform_int_distribution<std::size_t>(
        0, base.isolations.size() - 1)(rng)]};
  }
  o.repetitions = 1;
  o.config.verify = true;
  o.counters = "none";
  return o;
}

void record(Findings& f, const results::ResultRow& row, const PointOptions& o, Strategy s) {
  ++f.points;
  f.early_teardowns += o.config.teardown == workloads::Teardown::early;
  if (!row.error.empty()) {
    ++f.stalled;
    return;
  }
  f.messages += row.messages;
  f.failing_points += row.violations > 0;
  f.unexpected += row.violations > 0 && !may_violate(s, o);
  f.violations += row.violations;
  f.lost_increments += row.lost_increments.value_or(0);
  f.lost_decrements += row.lost_decrements.value_or(0);
  f.premature_frees += row.premature_frees;
  f.use_after_free += row.use_after_free;
  f.double_frees += row.double_frees;
  f.leaks += row.leaks;
  f.views_left_open += row.views_left_open;
  f.orphaned_releases += row.orphaned_releases;
  f.reads_after_owner_gone += row.reads_after_owner_gone;
}

std::string report(const std::map<FindingsKey, Findings>& found) {
  results::TextTable table({"<strategy", "points", "early teardown", "messages",
                            "points with violations", "lost inc", "lost dec", "premature",
                            "use after free", "double free", "leaks", "views open", "orphaned",
                            "read after owner gone", "stalled", "errors"});
  for (const auto& [key, f] : found) {
    const auto [s, owner] = key;
    const std::string label =
        std::string(name(s)) +
        (workloads::traits(s).views ? " (" + std::string(name(owner)) + ")" : std::string());
    table.add_row({label, std::to_string(f.points), std::to_string(f.early_teardowns),
                   std::to_string(f.messages), std::to_string(f.failing_points),
                   std::to_string(f.lost_increments), std::to_string(f.lost_decrements),
                   std::to_string(f.premature_frees), std::to_string(f.use_after_free),
                   std::to_string(f.double_frees), std::to_string(f.leaks),
                   std::to_string(f.views_left_open), std::to_string(f.orphaned_releases),
                   std::to_string(f.reads_after_owner_gone), std::to_string(f.stalled),
                   std::to_string(f.errors)});
  }
  return table.render();
}

// "points per workload: stream 12, fanout 9; per interpreter count: 2: 14, 3: 7", and
// "; per isolation: thread 10, process 11" where both were drawn from.
std::string drawn(const std::map<workloads::Workload, std::uint64_t>& per_workload,
                  const std::map<std::size_t, std::uint64_t>& per_count,
                  const std::map<workloads::Isolation, std::uint64_t>& per_isolation,
                  bool both_isolations) {
  std::string out = "points per workload:";
  for (const auto& [w, n] : per_workload) {
    out += (out.back() == ':' ? " " : ", ") + std::string(name(w)) + " " + std::to_string(n);
  }
  out += "; per interpreter count:";
  for (const auto& [count, n] : per_count) {
    out += (out.back() == ':' ? " " : ", ") + std::to_string(count) + ": " + std::to_string(n);
  }
  if (both_isolations) {
    out += "; per isolation:";
    for (const auto& [isolation, n] : per_isolation) {
      out +=
          (out.back() == ':' ? " " : ", ") + std::string(name(isolation)) + " " + std::to_string(n);
    }
  }
  return out + "\n";
}

bool clean(const std::map<FindingsKey, Findings>& found) {
  for (const auto& [key, f] : found) {
    if (f.errors > 0 || f.stalled > 0 || f.unexpected > 0) return false;
  }
  return true;
}

}  // namespace

int stress_command(const StressOptions& options, std::ostream& out, std::ostream& err) {
  const pinning::Topology topo = load_topology(options.output);
  const std::vector<PuList> lists = stress_lists(topo, options.cores);
  const std::uint64_t seed = options.seed ? *options.seed : std::random_device{}();
  std::mt19937_64 rng(seed);
  const CounterSet counters = CounterSet::resolve("none");
  out << "refbench stress: seed " << seed << ", " << describe(lists) << ", "
      << (options.points > 0 ? std::to_string(options.points) + " points"
                             : std::to_string(options.seconds) + " s")
      << ", every point verified" << isolation_text(options.base.isolations) << "\n"
      << std::flush;

  std::map<FindingsKey, Findings> found;
  std::map<workloads::Workload, std::uint64_t> per_workload;
  std::map<std::size_t, std::uint64_t> per_count;  // points by interpreter count
  std::map<workloads::Isolation, std::uint64_t> per_isolation;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(options.seconds);
  for (std::uint64_t k = 0;
       options.points > 0 ? k < options.points : std::chrono::steady_clock::now() < deadline; ++k) {
    const PuList* pus = nullptr;
    const PointOptions point_options = random_point(rng, options.base, lists, pus);
    const Plan plan = make_plan(point_options, topo, {*pus}, options.cores.value_or("default"));
    const Point& point = plan.points.front();
    Findings& f = found[key_of(point.strategy, point_options)];
    ++per_workload[point.workload];
    ++per_count[pus->size()];
    ++per_isolation[point.isolation];
    try {
      const results::ResultRow row = measure(topo, point_options, counters, point);
      record(f, row, point_options, point.strategy);
      const bool bad =
          !row.error.empty() || (row.violations > 0 && !may_violate(point.strategy, point_options));
      if (bad)
        err << "refbench stress: point " << k + 1 << ": " << describe(point) << ": "
            << (row.error.empty() ? std::to_string(row.violations) + " violations" : row.error)
            << "\n";
    } catch (const std::exception& e) {
      ++f.points;
      ++f.errors;
      err << "refbench stress: point " << k + 1 << ": " << describe(point) << ": " << e.what()
          << "\n";
    }
  }
  out << report(found)
      << drawn(per_workload, per_count, per_isolation, options.base.isolations.size() > 1);
  out << "racy's violations are expected, and so are those of civ and civ-deferred with views "
         "that hold only their sender's id (id) torn down early; any other point's, a stall or "
         "an error fails the stress (strong views must always be clean). The same --seed and "
         "--points give the same points (not the same thread interleavings).\n";
  return clean(found) ? 0 : 1;
}

}  // namespace refbench::harness
