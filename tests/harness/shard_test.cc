#include "harness/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "harness/placements.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

using workloads::Strategy;
using workloads::Workload;

pinning::Topology two_sockets() {
  return pinning::Topology::load("synthetic:pack:2 numa:2 l3:2 core:4 pu:2");
}

PointOptions options_with(std::vector<Strategy> strategies, std::vector<Workload> workloads,
                          std::vector<std::uint32_t> payloads, unsigned repetitions) {
  PointOptions o;
  o.strategies = std::move(strategies);
  o.workloads = std::move(workloads);
  o.payloads = std::move(payloads);
  o.repetitions = repetitions;
  return o;
}

// A plan described (space) and stored (plan: every point, to check shards against). The
// space points at its topology and options, which live as long as it.
struct NamedPlan {
  std::string name;
  std::shared_ptr<const pinning::Topology> topo;
  std::shared_ptr<const PointOptions> options;
  std::shared_ptr<const PlanSpace> space;
  Plan plan;
};

NamedPlan named(std::string name, pinning::Topology topology, PointOptions o,
                const std::function<PuLists(const pinning::Topology&)>& lists) {
  NamedPlan p{std::move(name),
              std::make_shared<pinning::Topology>(std::move(topology)),
              std::make_shared<PointOptions>(std::move(o)),
              nullptr,
              {}};
  p.space = std::make_shared<PlanSpace>(*p.options, *p.topo, lists(*p.topo));
  p.plan = p.space->materialize();
  return p;
}

// Plans of several shapes: pairs by class, every pair (generated), scaling with counts
// left out, one group only.
std::vector<NamedPlan> example_plans() {
  const PointOptions two = options_with({Strategy::civ, Strategy::atomic},
                                        {Workload::stream, Workload::pingpong}, {64, 4096}, 2);
  const PointOptions one = options_with({Strategy::gil}, {Workload::stream}, {64}, 3);
  std::vector<NamedPlan> plans;
  plans.push_back(named("classes", two_sockets(), two, [](const pinning::Topology& t) {
    return PuLists::given(sweep_pairs(t, PairSelection::classes));
  }));
  plans.push_back(named("all pairs", pinning::Topology::load("synthetic:pack:1 core:3 pu:1"), one,
                        [](const pinning::Topology& t) { return PuLists::every_pair(t, false); }));
  plans.push_back(named("scaling", two_sockets(),
                        options_with({Strategy::civ, Strategy::immortal, Strategy::racy},
                                     {Workload::stream}, {64}, 1),
                        [](const pinning::Topology& t) {
                          std::vector<PuList> scaling;
                          for (unsigned n = 1; n <= 6; ++n)
                            scaling.push_back(resolve_pus(t, "--placement", "scatter", n));
                          return PuLists::given(std::move(scaling));
                        }));
  plans.push_back(named("one group", two_sockets(), one, [](const pinning::Topology&) {
    return PuLists::given({{0, 1}});
  }));
  return plans;
}

std::string group_of(const Point& p) {
  return std::string(name(p.workload)) + " " + std::to_string(p.payload_bytes) + " " +
         p.placement.pus_text();
}

std::size_t count_groups(const Plan& plan) {
  std::set<std::string> groups;
  for (const Point& p : plan.points) groups.insert(group_of(p));
  return groups.size();
}

TEST(Shard, ShardsAreDisjointCompleteOrderedAndKeepGroupsWhole) {
  for (const NamedPlan& example : example_plans()) {
    const Plan& full = example.plan;
    const std::size_t groups = count_groups(full);
    ASSERT_GE(groups, 1u) << example.name;
    for (unsigned n = 1; n <= groups + 2; ++n) {
      SCOPED_TRACE(example.name + ", " + std::to_string(n) + " shards");
      std::vector<int> taken(full.points.size(), 0);
      std::map<std::string, unsigned> shard_of_group;
      std::size_t last_position = 0;
      bool any_before = false;
      for (unsigned i = 1; i <= n; ++i) {
        const Shard shard = take_shard(*example.space, {i, n});
        EXPECT_EQ(shard.full_points, full.points.size());
        EXPECT_EQ(shard.full_groups, groups);
        ASSERT_LE(shard.first, shard.end);
        ASSERT_LE(shard.end, full.points.size());
        const PlanStretch points(*example.space, shard.first, shard.end);
        ASSERT_EQ(points.size(), shard.points());
        for (std::size_t k = 0; k < points.size(); ++k) {
          const std::size_t at = points.position(k);
          ASSERT_LT(at, full.points.size());
          ++taken[at];
          // The shard's point is the full plan's, and shards follow each other in plan
          // order (each position after every earlier one, in this shard and before it).
          EXPECT_EQ(describe(points.at(k)), describe(full.points[at]));
          if (any_before) {
            EXPECT_GT(at, last_position);
          }
          last_position = at;
          any_before = true;
          const auto [it, added] = shard_of_group.try_emplace(group_of(full.points[at]), i);
          EXPECT_EQ(it->second, i) << "group " << it->first << " split";
        }
        std::set<std::string> own_groups;
        for (std::size_t k = 0; k < points.size(); ++k) own_groups.insert(group_of(points.at(k)));
        EXPECT_EQ(own_groups.size(), shard.groups);
      }
      EXPECT_EQ(std::count(taken.begin(), taken.end(), 1),
                static_cast<std::ptrdiff_t>(full.points.size()))
          << "every point exactly once";
    }
  }
}

TEST(Shard, TheSamePlanGivesTheSameShards) {
  const std::vector<NamedPlan> first = example_plans();
  const std::vector<NamedPlan> again = example_plans();
  for (std::size_t k = 0; k < first.size(); ++k) {
    for (unsigned n : {1u, 2u, 3u, 7u}) {
      for (unsigned i = 1; i <= n; ++i) {
        const Shard a = take_shard(*first[k].space, {i, n});
        const Shard b = take_shard(*again[k].space, {i, n});
        EXPECT_EQ(std::make_pair(a.first, a.end), std::make_pair(b.first, b.end))
            << first[k].name << " " << i << "/" << n;
      }
    }
  }
}

// The balancing rule, step by step, as refbench first wrote it for groups of any size:
// take the next group while that brings the shard no farther from an even share of the
// points left.
std::vector<std::size_t> balanced_by_points(const std::vector<std::size_t>& group_points,
                                            unsigned shards) {
  std::vector<std::size_t> counts(shards, 0);
  std::size_t points_left = 0;
  for (std::size_t g : group_points) points_left += g;
  std::size_t next = 0;
  for (unsigned k = 0; k < shards && next < group_points.size(); ++k) {
    const std::size_t shards_left = shards - k;
    std::size_t taken = 0;
    while (next < group_points.size()) {
      const std::size_t size = group_points[next];
      if (counts[k] > 0 && (2 * taken + size) * shards_left > 2 * points_left) break;
      taken += size;
      ++counts[k];
      ++next;
    }
    points_left -= taken;
  }
  return counts;
}

// Every group of a refbench plan has the same points (strategies x repetitions): shards
// then differ by one group at most, and with more shards than groups the last are empty.
// The arithmetic gives what the step-by-step rule gives.
TEST(Shard, EqualGroupsAreSpreadEvenly) {
  for (std::size_t groups = 0; groups <= 60; ++groups) {
    for (unsigned n = 1; n <= 65; ++n) {
      const std::vector<std::size_t> counts = groups_per_shard(groups, n);
      ASSERT_EQ(counts, balanced_by_points(std::vector<std::size_t>(groups, 6), n))
          << groups << " groups, " << n << " shards";
      std::size_t total = 0;
      for (std::size_t c : counts) total += c;
      EXPECT_EQ(total, groups) << groups << " groups, " << n << " shards";
      const auto [low, high] = std::minmax_element(counts.begin(), counts.end());
      if (groups >= n) {
        EXPECT_LE(*high - *low, 1u) << groups << " groups, " << n << " shards";
      } else {
        for (unsigned k = 0; k < n; ++k) EXPECT_EQ(counts[k], k < groups ? 1u : 0u);
      }
    }
  }
  // A plan of billions of groups is cut at once.
  const std::vector<std::size_t> huge = groups_per_shard(std::size_t{3} << 32, 100000);
  std::size_t total = 0;
  for (std::size_t c : huge) total += c;
  EXPECT_EQ(total, std::size_t{3} << 32);
}

TEST(Shard, ParsesIOfN) {
  const ShardSpec spec = parse_shard("3/8");
  EXPECT_EQ(spec.index, 3u);
  EXPECT_EQ(spec.count, 8u);
  EXPECT_EQ(parse_shard("1/1").count, 1u);
  EXPECT_EQ(parse_shard("100000/100000").index, kMaxShards);
}

TEST(Shard, BadSpecsAreRefusedNamingTheValue) {
  for (const char* bad : {"0/4", "5/4", "1/0", "0/0", "x", "", "/", "1/", "/4", "1/4/2", "-1/4",
                          "+1/4", " 1/4", "1/4 ", "1.0/4", "1e0/4", "1/100001", "3:8"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()),
                "--shard: '" + std::string(bad) +
                    "' is not allowed (allowed: I/N, the I-th of N shards, whole numbers with 1 "
                    "<= I <= N <= 100000, e.g. 3/8)");
    }
  }
}

TEST(Shard, DryRunTextListsTheShardsPointsByTheirPlaceInThePlan) {
  const auto topo = two_sockets();
  const PointOptions o = options_with({Strategy::civ}, {Workload::stream}, {64}, 2);
  const PlanSpace full(o, topo, PuLists::given({{0, 1}, {0, 2}, {0, 32}}));
  const Plan stored = full.materialize();
  const std::string text =
      describe(take_shard(full, {2, 3}), full, topo, "0123456789abcdef", false);
  EXPECT_EQ(text,
            "plan on synthetic:pack:2 numa:2 l3:2 core:4 pu:2: 6 points (1 strategy x 1 "
            "workload x 3 placements x 1 payload x 2 repetitions)\n"
            "shard 2 of 3: 2 of 6 points (1 of 3 groups), plan fingerprint 0123456789abcdef\n"
            "  3  " +
                describe(stored.points[2]) + "\n  4  " + describe(stored.points[3]) + "\n");
  EXPECT_NE(text.find("PUs 0,2"), std::string::npos);
}

// The fingerprint -------------------------------------------------------------------

const std::vector<std::string> kColumns = {"task_clock_ns", "cycles"};

std::string fingerprint_of(const PointOptions& o, const std::vector<PuList>& lists = {{0, 1}},
                           const std::vector<std::string>& columns = kColumns) {
  const auto topo = two_sockets();
  return plan_fingerprint(PlanSpace(o, topo, PuLists::given(lists)), o, columns);
}

PointOptions base_options() {
  return options_with({Strategy::civ, Strategy::atomic}, {Workload::stream}, {64}, 2);
}

TEST(Fingerprint, TheSameOptionsGiveTheSameFingerprint) {
  const std::string a = fingerprint_of(base_options());
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_EQ(fingerprint_of(base_options()), a);
  // Settings that change no row leave it alone.
  PointOptions o = base_options();
  o.noise_threshold = 0.2;
  o.config.stall_timeout = std::chrono::seconds(3);
  EXPECT_EQ(fingerprint_of(o), a);
}

TEST(Fingerprint, AnySettingThatChangesRowsChangesIt) {
  const std::string base = fingerprint_of(base_options());
  std::map<std::string, PointOptions> changed;
  auto with = [&](const std::string& what, auto change) {
    PointOptions o = base_options();
    change(o);
    changed[what] = o;
  };
  with("messages", [](PointOptions& o) { o.config.messages = 2000; });
  with("seconds", [](PointOptions& o) { o.config.duration = std::chrono::milliseconds(500); });
  with("warmup", [](PointOptions& o) { o.config.warmup_messages = 100; });
  with("objects", [](PointOptions& o) { o.config.objects = 2; });
  with("local work", [](PointOptions& o) { o.config.local_work = 1; });
  with("channel capacity", [](PointOptions& o) { o.config.channel_capacity = 64; });
  with("release queue", [](PointOptions& o) { o.config.release_queue = 10; });
  with("release batch", [](PointOptions& o) { o.config.release_batch = 10; });
  with("drain interval", [](PointOptions& o) { o.config.drain_interval = 10; });
  with("verify", [](PointOptions& o) { o.config.verify = true; });
  with("teardown", [](PointOptions& o) { o.config.teardown = workloads::Teardown::early; });
  with("view owner", [](PointOptions& o) { o.config.view_owner = workloads::ViewOwner::id; });
  with("strategies", [](PointOptions& o) { o.strategies = {Strategy::civ}; });
  with("strategy order", [](PointOptions& o) { o.strategies = {Strategy::atomic, Strategy::civ}; });
  with("workloads", [](PointOptions& o) { o.workloads = {Workload::pingpong}; });
  with("payloads", [](PointOptions& o) { o.payloads = {64, 128}; });
  with("repetitions", [](PointOptions& o) { o.repetitions = 3; });
  with("wait", [](PointOptions& o) { o.wait = workloads::WaitPolicy::block; });
  with("memory", [](PointOptions& o) { o.memory = pinning::MemoryPolicy::interleave; });
  std::set<std::string> seen = {base};
  for (const auto& [what, options] : changed) {
    const std::string fingerprint = fingerprint_of(options);
    EXPECT_NE(fingerprint, base) << what;
    seen.insert(fingerprint);
  }
  EXPECT_EQ(seen.size(), changed.size() + 1) << "each change gives its own fingerprint";
  EXPECT_NE(fingerprint_of(base_options(), {{0, 2}}), base) << "other PUs";
  EXPECT_NE(fingerprint_of(base_options(), {{0, 1}, {0, 2}}), base) << "more placements";
  EXPECT_NE(fingerprint_of(base_options(), {{0, 1}}, {"task_clock_ns"}), base) << "counters";
}

}  // namespace
}  // namespace refbench::harness
