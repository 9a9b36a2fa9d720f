// A plan: every point a run or sweep will measure, in the order it measures them. Small
// plans (a run, a stress point) are stored; a sweep's plan is described (PlanSpace) and
// each point made when asked for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  workloads::Isolation isolation = workloads::Isolation::thread;
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

// The PU lists a plan visits, by index: lists given whole (a run's pairs, --placement's
// lists, a sweep's distance classes), or every pair of distinct PUs of a machine, made
// when asked for and never held (256 PUs have 65,280 ordered pairs; 16,384 have 268
// million).
class PuLists {
 public:
  static PuLists given(std::vector<PuList> lists);
  // Every ordered (or, with `unordered`, every unordered) pair of distinct PUs of `topo`,
  // in pinning::all_pairs' order. `topo` must outlive the lists.
  static PuLists every_pair(const pinning::Topology& topo, bool unordered);

  std::size_t size() const;
  PuList at(std::size_t index) const;
  // Interpreters in list `index` (every_pair: 2).
  std::size_t interpreters(std::size_t index) const;
  // The most PUs in one list.
  std::size_t widest() const;
  // Made from a machine's pairs (every list has two PUs), not given.
  bool generated() const { return topo_ != nullptr; }

 private:
  std::vector<PuList> given_;
  const pinning::Topology* topo_ = nullptr;
  bool unordered_ = false;
  std::size_t pairs_ = 0;
};

// A plan described, not stored: point `index` is made when asked for, in run order (see
// make_plan). Shards, --resume, the fingerprint and --dry-run work on it, so a plan of
// billions of points costs no more memory than one of ten. `options` and `topo` must
// outlive it. Throws UsageError as make_plan does.
class PlanSpace {
 public:
  // `both_directions`: each list is a pair measured both ways within every repetition
  // block (A->B for every strategy, then B->A), so that both cells of a core-to-core matrix
  // see the same minute of the machine.
  PlanSpace(const PointOptions& options, const pinning::Topology& topo, PuLists lists,
            std::string_view placement_spec = "", bool both_directions = false);

  std::size_t size() const { return groups_ * group_size(); }
  // A group (one workload, payload and PU list) holds every repetition of every strategy
  // and isolation (in both directions, where asked).
  std::size_t group_size() const { return variants_ * directions_ * repetitions_; }
  // The points of one repetition block of a group.
  std::size_t block_size() const { return variants_ * directions_; }
  std::size_t groups() const { return groups_; }
  Point at(std::size_t index) const;
  const std::string& dimensions() const { return dimensions_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const PuLists& lists() const { return lists_; }
  // Every point, stored (small plans: run, stress, tests).
  Plan materialize() const;

 private:
  // The lists a workload can run: every list, or those indices.
  struct Runnable {
    workloads::Workload workload;
    bool every = true;
    std::vector<std::size_t> indices;
    std::size_t count = 0;
  };
  Point point_of(std::size_t group, bool reversed) const;

  const PointOptions* options_;
  const pinning::Topology* topo_;
  PuLists lists_;
  std::string spec_;
  std::vector<Runnable> runnable_;
  // Each strategy under each isolation: (atomic, thread), (atomic, process), (civ, ...).
  std::size_t variants_ = 0;
  std::size_t directions_ = 1;
  std::size_t repetitions_ = 0;
  std::size_t groups_ = 0;
  std::string dimensions_;
  std::vector<std::string> notes_;
};

// The points a run measures, in order: a stored plan, or a stretch of a PlanSpace.
class PointSequence {
 public:
  virtual ~PointSequence() = default;
  virtual std::size_t size() const = 0;
  virtual Point at(std::size_t index) const = 0;
};

class StoredPoints final : public PointSequence {
 public:
  explicit StoredPoints(const Plan& plan) : plan_(plan) {}
  std::size_t size() const override { return plan_.points.size(); }
  Point at(std::size_t index) const override { return plan_.points[index]; }

 private:
  const Plan& plan_;
};

// Points [first, end) of a PlanSpace without those whose indices are in `done` (sorted,
// each inside the stretch): what a shard, or a resumed sweep, has left to measure.
class PlanStretch final : public PointSequence {
 public:
  PlanStretch(const PlanSpace& space, std::size_t first, std::size_t end,
              std::vector<std::size_t> done = {});
  std::size_t size() const override { return end_ - first_ - done_.size(); }
  Point at(std::size_t index) const override { return space_.at(position(index)); }
  // The index in the whole plan of the stretch's point `index`.
  std::size_t position(std::size_t index) const;

 private:
  const PlanSpace& space_;
  std::size_t first_;
  std::size_t end_;
  std::vector<std::size_t> done_;
};

// The points for `pu_lists` (each list one placement of every workload), in run order: for
// each workload, payload and placement, repetitions outermost and strategies innermost (each
// strategy under every --isolation in turn), so every strategy of a group sees the same
// drift of the machine, and a strategy as threads the same minute as it as processes. A list with
// an interpreter count a workload cannot run is left out for that workload, with a note; a workload
// left with none is a UsageError, as is a memory policy the topology cannot satisfy.
// `placement_spec` is what chose the lists (Placement::spec), recorded in every point.
Plan make_plan(const PointOptions& options, const pinning::Topology& topo,
               const std::vector<PuList>& pu_lists, std::string_view placement_spec = "");

// Points of one summary table: same workload, payload and PUs.
bool same_group(const Point& a, const Point& b);

// The point's settings for workloads::run_point.
workloads::PointConfig point_config(const PointOptions& options, const Point& point);

// One line: "stream  civ  PUs 0,1 (shared_l3)  payload 64  wait spin  memory first-touch;
// first-touch  rep 2", with "  as processes" after the strategy for --isolation process.
std::string describe(const Point& point);

// How many points a dry run lists at each end of a longer plan (--dry-run=all lists all).
inline constexpr std::size_t kDryRunEnds = 10;

// The numbered lines of a dry run, "  N  describe(point)" for each of `points`, N being
// `number(index)` (1-based, in the whole plan). Unless `all`, a plan of more than
// 2 x kDryRunEnds points shows its first and last kDryRunEnds and a line saying how many
// are not shown.
std::string point_lines(const PointSequence& points, bool all,
                        const std::function<std::size_t(std::size_t)>& number);

// "plan on TOPOLOGY: N points (DIMENSIONS)" and the notes, one line each.
std::string plan_heading(const PlanSpace& plan, const pinning::Topology& topo);

// What --dry-run prints: the heading and the numbered points (see point_lines).
std::string describe(const Plan& plan, const pinning::Topology& topo, bool all = true);
std::string describe(const PlanSpace& plan, const pinning::Topology& topo, bool all);

}  // namespace refbench::harness
