// A plan: every point a run or sweep will measure, in the order it measures them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/options.h"
#include "harness/placements.h"
#include "pinning/topology.h"
#include "workloads/point.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {

struct Point {
  workloads::Workload workload = workloads::Workload::stream;
  workloads::Strategy strategy = workloads::Strategy::atomic;
  Placement placement;
  std::uint32_t payload_bytes = 0;
  workloads::WaitPolicy wait = workloads::WaitPolicy::spin;
  std::string memory;  // planned heap placement, per interpreter
  unsigned repetition = 1;
};

struct Plan {
  std::vector<Point> points;
  // "5 strategies x 2 workloads x 3 placements x 1 payload x 5 repetitions"
  std::string dimensions;
  // Placements a workload cannot run and were left out, one line each.
  std::vector<std::string> notes;
};

// The points for `pu_lists` (each list one placement of every workload), in run order: for
// each workload, payload and placement, repetitions outermost and strategies innermost, so
// every strategy of a group sees the same drift of the machine. A list with an interpreter
// count a workload cannot run is left out for that workload, with a note; a workload left
// with none is a UsageError, as is a memory policy the topology cannot satisfy.
// `placement_spec` is what chose the lists (Placement::spec), recorded in every point.
Plan make_plan(const PointOptions& options, const pinning::Topology& topo,
               const std::vector<PuList>& pu_lists, std::string_view placement_spec = "");

// Points of one summary table: same workload, payload and PUs.
bool same_group(const Point& a, const Point& b);

// The point's settings for workloads::run_point.
workloads::PointConfig point_config(const PointOptions& options, const Point& point);

// One line: "stream  civ  PUs 0,1 (shared_l3)  payload 64  wait spin  memory first-touch;
// first-touch  rep 2".
std::string describe(const Point& point);

// What --dry-run prints: the dimensions, the count, the notes, and one numbered line per
// point.
std::string describe(const Plan& plan, const pinning::Topology& topo);

}  // namespace refbench::harness
