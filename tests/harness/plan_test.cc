#include "harness/plan.h"

#include <gtest/gtest.h>

#include "harness/usage_error.h"

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
  EXPECT_EQ(plan.points[4].placement.distance, pinning::DistanceClass::cross_package);
  EXPECT_EQ(plan.points[8].payload_bytes, 4096u);
  EXPECT_EQ(plan.points[16].workload, Workload::pingpong);
}

TEST(Plan, AutomaticWaitSpinsApartAndYieldsOnOnePu) {
  const auto topo = two_sockets();
  const Plan plan = make_plan(two_strategies(), topo, {{3, 3}, {2, 3}});
  EXPECT_EQ(plan.points.front().wait, workloads::WaitPolicy::yield);
  EXPECT_EQ(plan.points.front().placement.distance, pinning::DistanceClass::same_pu);
  EXPECT_EQ(plan.points[4].wait, workloads::WaitPolicy::spin);
  EXPECT_EQ(plan.points[4].placement.distance, pinning::DistanceClass::smt_sibling);
  PointOptions blocking = two_strategies();
  blocking.wait = workloads::WaitPolicy::block;
  EXPECT_EQ(make_plan(blocking, topo, {{3, 3}}).points.front().wait, workloads::WaitPolicy::block);
}

// With pairs 0->1 and 2->3 the class is that of the farthest communicating pair, not of the
// farthest two PUs of the point.
TEST(Plan, DistanceOfAPointIsItsFarthestLink) {
  const auto topo = two_sockets();
  const Plan plan = make_plan(two_strategies(), topo, {{0, 1, 32, 33}});
  EXPECT_EQ(plan.points.front().placement.distance, pinning::DistanceClass::smt_sibling);
}

// The same four PUs: stream pairs 0->1 and 2->3 (SMT siblings); a pipeline also links the
// two cores (1->2); fanout and shuffle link PU 0 to every other.
TEST(Plan, EachShapeIsAsFarAsItsFarthestLink) {
  const auto topo = two_sockets();
  PointOptions o = two_strategies();
  const auto distance = [&](Workload w, const PuList& pus) {
    o.workloads = {w};
    return make_plan(o, topo, {pus}).points.front().placement.distance;
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

}  // namespace
}  // namespace refbench::harness
