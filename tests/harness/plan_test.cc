#include "harness/plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/usage_error.h"
#include "pinning/placement.h"

namespace refbench::harness {
namespace {

using workloads::Strategy;
using workloads::Workload;

pinning::Topology two_sockets() {
  return pinning::Topology::load("synthetic:pack:2 numa:2 l3:2 core:4 pu:2");
}

PointOptions two_strategies() {
  PointOptions o;
  o.strategies = {Strategy::civ, Strategy::atomic};
  o.workloads = {Workload::stream, Workload::pingpong};
  o.payloads = {64, 4096};
  o.repetitions = 2;
  return o;
}

TEST(Plan, RepetitionsOutsideStrategiesInsideEachGroup) {
  const auto topo = two_sockets();
  const Plan plan = make_plan(two_strategies(), topo, {{0, 1}, {0, 32}});
  ASSERT_EQ(plan.points.size(), 2u * 2 * 2 * 2 * 2);
  EXPECT_EQ(plan.dimensions,
            "2 strategies x 2 workloads x 2 placements x 2 payloads x 2 repetitions");
  // The first group: stream, payload 64, PUs 0,1: civ, atomic, civ, atomic.
  const std::vector<std::pair<Strategy, unsigned>> first_group = {
      {Strategy::civ, 1}, {Strategy::atomic, 1}, {Strategy::civ, 2}, {Strategy::atomic, 2}};
  for (std::size_t i = 0; i < first_group.size(); ++i) {
    EXPECT_EQ(plan.points[i].strategy, first_group[i].first) << i;
    EXPECT_EQ(plan.points[i].repetition, first_group[i].second) << i;
    EXPECT_EQ(plan.points[i].placement.pus, (PuList{0, 1}));
    EXPECT_EQ(plan.points[i].payload_bytes, 64u);
    if (i > 0) {
      EXPECT_TRUE(same_group(plan.points[i - 1], plan.points[i]));
    }
  }
  EXPECT_FALSE(same_group(plan.points[3], plan.points[4]));
  EXPECT_EQ(plan.points[4].placement.pus, (PuList{0, 32}));
  EXPECT_EQ(plan.points[4].placement.distance.level, pinning::DistanceClass::cross_package);
  EXPECT_EQ(plan.points[8].payload_bytes, 4096u);
  EXPECT_EQ(plan.points[16].workload, Workload::pingpong);
}

// --isolation thread,process: each strategy as threads, then as processes, in every block,
// so the two a process/thread ratio divides ran back to back; the point's config says which.
TEST(Plan, EachStrategyRunsUnderEveryIsolationInEveryBlock) {
  using workloads::Isolation;
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  o.workloads = {Workload::stream};
  o.payloads = {64};
  o.isolations = {Isolation::thread, Isolation::process};
  const Plan plan = make_plan(o, topo, {{0, 1}});
  EXPECT_EQ(plan.dimensions,
            "2 strategies x 2 isolations x 1 workload x 1 placement x 1 payload x 2 repetitions");
  struct Expected {
    Strategy strategy;
    Isolation isolation;
    unsigned repetition;
  };
  const std::vector<Expected> order = {
      {Strategy::civ, Isolation::thread, 1},    {Strategy::civ, Isolation::process, 1},
      {Strategy::atomic, Isolation::thread, 1}, {Strategy::atomic, Isolation::process, 1},
      {Strategy::civ, Isolation::thread, 2},    {Strategy::civ, Isolation::process, 2},
      {Strategy::atomic, Isolation::thread, 2}, {Strategy::atomic, Isolation::process, 2}};
  ASSERT_EQ(plan.points.size(), order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(plan.points[i].strategy, order[i].strategy) << i;
    EXPECT_EQ(plan.points[i].isolation, order[i].isolation) << i;
    EXPECT_EQ(plan.points[i].repetition, order[i].repetition) << i;
    EXPECT_EQ(point_config(o, plan.points[i]).isolation, order[i].isolation) << i;
    if (i > 0) {
      EXPECT_TRUE(same_group(plan.points[i - 1], plan.points[i])) << i;
    }
  }
  // A thread point is described as before --isolation (the fingerprint hashes these lines).
  EXPECT_EQ(describe(plan.points[0]).find("process"), std::string::npos);
  EXPECT_NE(describe(plan.points[1]).find("civ as processes  PUs 0,1"), std::string::npos);
  // One isolation adds nothing to the dimensions.
  o.isolations = {Isolation::process};
  EXPECT_EQ(make_plan(o, topo, {{0, 1}}).dimensions,
            "2 strategies x 1 workload x 1 placement x 1 payload x 2 repetitions");
}

TEST(Plan, AutomaticWaitSpinsApartAndYieldsOnOnePu) {
  const auto topo = two_sockets();
  const Plan plan = make_plan(two_strategies(), topo, {{3, 3}, {2, 3}});
  EXPECT_EQ(plan.points.front().wait, workloads::WaitPolicy::yield);
  EXPECT_EQ(plan.points.front().placement.distance.level, pinning::DistanceClass::same_pu);
  EXPECT_EQ(plan.points[4].wait, workloads::WaitPolicy::spin);
  EXPECT_EQ(plan.points[4].placement.distance.level, pinning::DistanceClass::smt_sibling);
  PointOptions blocking = two_strategies();
  blocking.wait = workloads::WaitPolicy::block;
  EXPECT_EQ(make_plan(blocking, topo, {{3, 3}}).points.front().wait, workloads::WaitPolicy::block);
}

// With pairs 0->1 and 2->3 the class is that of the farthest communicating pair, not of the
// farthest two PUs of the point.
TEST(Plan, DistanceOfAPointIsItsFarthestLink) {
  const auto topo = two_sockets();
  const Plan plan = make_plan(two_strategies(), topo, {{0, 1, 32, 33}});
  EXPECT_EQ(plan.points.front().placement.distance.level, pinning::DistanceClass::smt_sibling);
}

// The same four PUs: stream pairs 0->1 and 2->3 (SMT siblings); a pipeline also links the
// two cores (1->2); fanout and shuffle link PU 0 to every other.
TEST(Plan, EachShapeIsAsFarAsItsFarthestLink) {
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  const auto distance = [&](Workload w, const PuList& pus) {
    o.workloads = {w};
    return make_plan(o, topo, {pus}).points.front().placement.distance.level;
  };
  EXPECT_EQ(distance(Workload::stream, {0, 1, 2, 3}), pinning::DistanceClass::smt_sibling);
  EXPECT_EQ(distance(Workload::pipeline, {0, 1, 2, 3}), pinning::DistanceClass::shared_l3);
  EXPECT_EQ(distance(Workload::fanout, {0, 1, 2}), pinning::DistanceClass::shared_l3);
  EXPECT_EQ(distance(Workload::fanout, {0, 1, 32}), pinning::DistanceClass::cross_package);
  EXPECT_EQ(distance(Workload::shuffle, {0, 1}), pinning::DistanceClass::smt_sibling);
  EXPECT_EQ(distance(Workload::shuffle, {0, 1, 32}), pinning::DistanceClass::cross_package);
}

// Every point says what placed it; an explicit list is written as the pus column writes PUs.
TEST(Plan, EveryPointRecordsItsPlacementSpec) {
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  o.workloads = {Workload::fanout};
  for (const Point& p : make_plan(o, topo, {{0, 1, 0}}, "0,1,0").points) {
    EXPECT_EQ(p.placement.spec, "0,1,0");
    EXPECT_EQ(p.placement.spec_field(), "0;1;0");
    EXPECT_EQ(p.placement.pus_field(), "0;1;0");
  }
  EXPECT_EQ(make_plan(o, topo, {{0, 32, 8}}, "scatter").points.back().placement.spec_field(),
            "scatter");
}

TEST(Plan, MemoryIsPlannedPerInterpreter) {
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  EXPECT_EQ(make_plan(o, topo, {{0, 32}}).points.front().memory, "local:numa0;local:numa2");
  o.memory = pinning::MemoryPolicy::remote;
  EXPECT_EQ(make_plan(o, topo, {{0, 32}}).points.front().memory, "remote:numa2;remote:numa0");
}

// A range of interpreter counts keeps what the workload can run and says what it left out.
TEST(Plan, CountsAWorkloadCannotRunAreLeftOutWithANote) {
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  o.workloads = {Workload::stream};
  o.repetitions = 1;
  const Plan plan = make_plan(o, topo, {{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}});
  ASSERT_EQ(plan.points.size(), 2u * 2 * 2);  // 2 and 4 interpreters, 2 payloads, 2 strategies
  EXPECT_EQ(plan.points.front().placement.pus.size(), 2u);
  EXPECT_EQ(plan.notes, (std::vector<std::string>{
                            "left out: stream runs pairs of interpreters: 1 is not allowed "
                            "(allowed: an even count, 2 or more)",
                            "left out: stream runs pairs of interpreters: 3 is not allowed "
                            "(allowed: an even count, 2 or more)"}));
}

TEST(Plan, RefusesWhatTheWorkloadsOrTheMachineCannotDo) {
  const auto topo = two_sockets();
  EXPECT_THROW(make_plan(two_strategies(), topo, {{0, 1, 2}}), UsageError);
  PointOptions o = two_strategies();
  o.memory = pinning::MemoryPolicy::remote;
  const auto one_node = pinning::Topology::load("synthetic:pack:1 core:2 pu:1");
  try {
    make_plan(o, one_node, {{0, 1}});
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--memory: ", 0), 0u) << e.what();
  }
}

TEST(Plan, PointConfigCarriesEverySetting) {
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  o.config.messages = 1234;
  o.config.objects = 7;
  o.config.local_work = 3;
  o.config.channel_capacity = 9;
  o.config.verify = true;
  const Plan plan = make_plan(o, topo, {{0, 1, 2, 3}});
  const workloads::PointConfig c = point_config(o, plan.points.front());
  EXPECT_EQ(c.interpreters, 4u);
  EXPECT_EQ(c.messages, 1234u);
  EXPECT_EQ(c.duration.count(), 0);
  EXPECT_EQ(c.objects, 7u);
  EXPECT_EQ(c.local_work, 3u);
  EXPECT_EQ(c.channel_capacity, 9u);
  EXPECT_TRUE(c.verify);
  EXPECT_EQ(c.payload_bytes, 64u);
}

// The pairs of a machine are made by index, in the order pinning::all_pairs lists them,
// and a plan over them is the plan over the stored list, point for point.
TEST(Plan, EveryPairIsGeneratedInTheStoredOrder) {
  for (const char* spec :
       {"synthetic:pack:1 core:2 pu:1", "synthetic:pack:1 core:3 pu:1",
        "synthetic:pack:2 numa:2 l3:2 core:4 pu:2", "synthetic:pack:2 core:5 pu:3"}) {
    const auto topo = pinning::Topology::load(spec);
    for (const bool unordered : {false, true}) {
      SCOPED_TRACE(std::string(spec) + (unordered ? " unordered" : " ordered"));
      const std::vector<pinning::PuPair> stored = pinning::all_pairs(topo, unordered);
      const PuLists lists = PuLists::every_pair(topo, unordered);
      ASSERT_EQ(lists.size(), stored.size());
      for (std::size_t i = 0; i < stored.size(); ++i) {
        ASSERT_EQ(lists.at(i), (PuList{stored[i].first, stored[i].second})) << i;
      }
      PointOptions o = two_strategies();
      std::vector<PuList> as_lists;
      for (const auto& [a, b] : stored) as_lists.push_back({a, b});
      const Plan from_stored = make_plan(o, topo, as_lists);
      const PlanSpace generated(o, topo, lists);
      ASSERT_EQ(generated.size(), from_stored.points.size());
      for (std::size_t i = 0; i < generated.size(); ++i) {
        ASSERT_EQ(describe(generated.at(i)), describe(from_stored.points[i])) << i;
      }
    }
  }
}

// 16,384 PUs have 268 million ordered pairs: the plan over them is described, its last
// point made directly, and nothing of the size of the plan is held.
TEST(Plan, APlanOfBillionsOfPointsIsDescribedNotStored) {
  const auto topo = pinning::Topology::load("synthetic:pack:16 numa:4 l3:4 core:16 pu:4");
  ASSERT_EQ(topo.pus().size(), 16384u);
  const PointOptions o;  // every strategy, stream and pingpong, 6 repetitions
  const PlanSpace plan(o, topo, PuLists::every_pair(topo, false));
  const std::size_t pairs = std::size_t{16384} * 16383;
  EXPECT_EQ(plan.size(), pairs * o.strategies.size() * 2 * 6);
  const Point last = plan.at(plan.size() - 1);
  EXPECT_EQ(last.workload, Workload::pingpong);
  EXPECT_EQ(last.placement.pus, (PuList{topo.pus().back().os_index, topo.pus()[16382].os_index}));
  EXPECT_EQ(last.repetition, 6u);
  EXPECT_EQ(last.strategy, o.strategies.back());
  const PuLists unordered = PuLists::every_pair(topo, true);
  EXPECT_EQ(unordered.size(), pairs / 2);
  EXPECT_EQ(unordered.at(pairs / 2 - 1),
            (PuList{topo.pus()[16382].os_index, topo.pus().back().os_index}));
  EXPECT_EQ(unordered.at(16383), (PuList{topo.pus()[1].os_index, topo.pus()[2].os_index}));
}

TEST(Plan, ADryRunShowsTheEndsOfALongPlanAndAllWhenAsked) {
  const auto topo = two_sockets();
  const PointOptions o = two_strategies();
  const PlanSpace plan(o, topo, PuLists::given({{0, 1}, {0, 32}}));
  ASSERT_EQ(plan.size(), 32u);
  const std::string ends = describe(plan, topo, false);
  const std::string all = describe(plan, topo, true);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 33);
  EXPECT_EQ(std::count(ends.begin(), ends.end(), '\n'), 1 + 10 + 1 + 10);
  EXPECT_NE(ends.find("\n  10  "), std::string::npos);
  EXPECT_EQ(ends.find("\n  11  "), std::string::npos);
  EXPECT_NE(ends.find("  ... 12 points not shown (--dry-run=all lists every point)\n  23  "),
            std::string::npos)
      << ends;
  EXPECT_NE(ends.find("\n  32  " + describe(plan.at(31)) + "\n"), std::string::npos);
}

}  // namespace
}  // namespace refbench::harness
