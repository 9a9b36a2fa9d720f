#include "harness/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
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

struct NamedPlan {
  std::string name;
  Plan plan;
};

// Plans of several shapes: pairs by class, every pair, scaling with counts left out, one
// group only.
std::vector<NamedPlan> example_plans() {
  const auto topo = two_sockets();
  const PointOptions two = options_with({Strategy::civ, Strategy::atomic},
                                        {Workload::stream, Workload::pingpong}, {64, 4096}, 2);
  const PointOptions one = options_with({Strategy::gil}, {Workload::stream}, {64}, 3);
  std::vector<PuList> scaling;
  for (unsigned n = 1; n <= 6; ++n)
    scaling.push_back(resolve_pus(topo, "--placement", "scatter", n));
  const auto small = pinning::Topology::load("synthetic:pack:1 core:3 pu:1");
  return {
      {"classes", make_plan(two, topo, sweep_pairs(topo, PairSelection::classes))},
      {"all pairs", make_plan(one, small, sweep_pairs(small, PairSelection::all))},
      {"scaling", make_plan(options_with({Strategy::civ, Strategy::immortal, Strategy::racy},
                                         {Workload::stream}, {64}, 1),
                            topo, scaling)},
      {"one group", make_plan(one, topo, {{0, 1}})},
  };
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
        const Shard shard = take_shard(full, {i, n});
        ASSERT_EQ(shard.plan.points.size(), shard.positions.size());
        EXPECT_EQ(shard.full_points, full.points.size());
        EXPECT_EQ(shard.full_groups, groups);
        for (std::size_t k = 0; k < shard.positions.size(); ++k) {
          const std::size_t at = shard.positions[k];
          ASSERT_LT(at, full.points.size());
          ++taken[at];
          // The shard's point is the full plan's, and shards follow each other in plan
          // order (each position after every earlier one, in this shard and before it).
          EXPECT_EQ(describe(shard.plan.points[k]), describe(full.points[at]));
          if (any_before) {
            EXPECT_GT(at, last_position);
          }
          last_position = at;
          any_before = true;
          const auto [it, added] = shard_of_group.try_emplace(group_of(full.points[at]), i);
          EXPECT_EQ(it->second, i) << "group " << it->first << " split";
        }
        std::set<std::string> own_groups;
        for (const Point& p : shard.plan.points) own_groups.insert(group_of(p));
        EXPECT_EQ(own_groups.size(), shard.groups);
        EXPECT_EQ(shard.plan.dimensions, full.dimensions);
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
        const Shard a = take_shard(first[k].plan, {i, n});
        const Shard b = take_shard(again[k].plan, {i, n});
        EXPECT_EQ(a.positions, b.positions) << first[k].name << " " << i << "/" << n;
      }
    }
  }
}

// Every group of a refbench plan has the same points (strategies x repetitions): shards
// then differ by one group at most, and with more shards than groups the last are empty.
TEST(Shard, EqualGroupsAreSpreadEvenly) {
  for (std::size_t groups = 1; groups <= 40; ++groups) {
    for (unsigned n = 1; n <= 45; ++n) {
      const std::vector<std::size_t> counts =
          groups_per_shard(std::vector<std::size_t>(groups, 6), n);
      ASSERT_EQ(counts.size(), n);
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
}

TEST(Shard, UnequalGroupsAreBalancedByPoints) {
  EXPECT_EQ(groups_per_shard({8, 8, 8}, 2), (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(groups_per_shard({1, 1, 1, 1, 12}, 2), (std::vector<std::size_t>{4, 1}));
  EXPECT_EQ(groups_per_shard({12, 1, 1, 1, 1}, 2), (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(groups_per_shard({12, 1, 1, 1, 1}, 3), (std::vector<std::size_t>{1, 2, 2}));
  EXPECT_EQ(groups_per_shard({5}, 3), (std::vector<std::size_t>{1, 0, 0}));
  EXPECT_EQ(groups_per_shard({}, 2), (std::vector<std::size_t>{0, 0}));
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
  const Plan full = make_plan(options_with({Strategy::civ}, {Workload::stream}, {64}, 2), topo,
                              {{0, 1}, {0, 2}, {0, 32}});
  const std::string text = describe(take_shard(full, {2, 3}), topo, "0123456789abcdef");
  EXPECT_EQ(text,
            "plan on synthetic:pack:2 numa:2 l3:2 core:4 pu:2: 6 points (1 strategy x 1 "
            "workload x 3 placements x 1 payload x 2 repetitions)\n"
            "shard 2 of 3: 2 of 6 points (1 of 3 groups), plan fingerprint 0123456789abcdef\n"
            "  3  " +
                describe(full.points[2]) + "\n  4  " + describe(full.points[3]) + "\n");
  EXPECT_NE(text.find("PUs 0,2"), std::string::npos);
}

// The fingerprint -------------------------------------------------------------------

const std::vector<std::string> kColumns = {"task_clock_ns", "cycles"};

std::string fingerprint_of(const PointOptions& o, const std::vector<PuList>& lists = {{0, 1}},
                           const std::vector<std::string>& columns = kColumns) {
  const auto topo = two_sockets();
  return plan_fingerprint(make_plan(o, topo, lists), o, columns);
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
