#include "harness/plan.h"

#include <algorithm>

#include "harness/usage_error.h"
#include "pinning/placement.h"

namespace refbench::harness {
namespace {

std::string count_of(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

PuLists PuLists::given(std::vector<PuList> lists) {
  PuLists l;
  l.given_ = std::move(lists);
  return l;
}

PuLists PuLists::every_pair(const pinning::Topology& topo, bool unordered) {
  PuLists l;
  l.topo_ = &topo;
  l.unordered_ = unordered;
  l.pairs_ = pinning::pair_count(topo, unordered);
  return l;
}

std::size_t PuLists::size() const { return topo_ == nullptr ? given_.size() : pairs_; }

PuList PuLists::at(std::size_t index) const {
  if (topo_ == nullptr) return given_[index];
  const pinning::PuPair pair = pinning::pair_at(*topo_, unordered_, index);
  return {pair.first, pair.second};
}

std::size_t PuLists::interpreters(std::size_t index) const {
  return topo_ == nullptr ? given_[index].size() : 2;
}

std::size_t PuLists::widest() const {
  if (topo_ != nullptr) return pairs_ > 0 ? 2 : 0;
  std::size_t widest = 0;
  for (const PuList& pus : given_) widest = std::max(widest, pus.size());
  return widest;
}

PlanSpace::PlanSpace(const PointOptions& options, const pinning::Topology& topo, PuLists lists,
                     std::string_view placement_spec, bool both_directions)
    : options_(&options),
      topo_(&topo),
      lists_(std::move(lists)),
      spec_(placement_spec),
      variants_(options.strategies.size() * options.isolations.size()),
      directions_(both_directions ? 2 : 1),
      repetitions_(options.repetitions) {
  for (workloads::Workload w : options.workloads) {
    Runnable r{w, true, {}, 0};
    std::string first_problem;
    // Pairs of a machine all have two interpreters: one check answers for all of them.
    const bool uniform = lists_.generated() && lists_.size() > 0;
    const std::size_t checked = uniform ? 1 : lists_.size();
    for (std::size_t i = 0; i < checked; ++i) {
      const std::string problem =
          workloads::interpreters_problem(w, static_cast<unsigned>(lists_.interpreters(i)));
      if (problem.empty()) {
        r.indices.push_back(i);
      } else {
        if (first_problem.empty()) first_problem = problem;
        notes_.push_back("left out: " + problem);
      }
    }
    if (r.indices.empty()) throw UsageError(first_problem);
    r.every = uniform || r.indices.size() == lists_.size();
    r.count = r.every ? lists_.size() : r.indices.size();
    if (r.every) r.indices.clear();
    groups_ += r.count * options.payloads.size();
    runnable_.push_back(std::move(r));
  }
  dimensions_ = count_of(options.strategies.size(), "strategy", "strategies") + " x " +
                (options.isolations.size() > 1
                     ? count_of(options.isolations.size(), "isolation", "isolations") + " x "
                     : "") +
                count_of(options.workloads.size(), "workload", "workloads") + " x " +
                count_of(lists_.size(), "placement", "placements") + " x " +
                count_of(options.payloads.size(), "payload", "payloads") + " x " +
                count_of(options.repetitions, "repetition", "repetitions") +
                (both_directions ? " x 2 directions" : "");
  // A memory policy the topology cannot satisfy is refused now, not at some later point.
  if (size() > 0) {
    at(0);
    at(size() - 1);
  }
}

Point PlanSpace::point_of(std::size_t group, bool reversed) const {
  for (const Runnable& r : runnable_) {
    const std::size_t groups = r.count * options_->payloads.size();
    if (group >= groups) {
      group -= groups;
      continue;
    }
    const std::size_t list = r.every ? group % r.count : r.indices[group % r.count];
    PuList pus = lists_.at(list);
    if (reversed) std::reverse(pus.begin(), pus.end());
    Point point;
    point.workload = r.workload;
    point.placement = make_placement(*topo_, pus, r.workload);
    point.placement.spec = spec_;
    point.payload_bytes = options_->payloads[group / r.count];
    point.wait = options_->wait.value_or(automatic_wait_policy(pus));
    point.memory = planned_memory(*topo_, pus, options_->memory);
    return point;
  }
  return {};
}

Point PlanSpace::at(std::size_t index) const {
  // Within a group: repetition blocks; within a block: directions; then strategies, each
  // under every isolation.
  const std::size_t within = index % group_size();
  Point point = point_of(index / group_size(), (within / variants_) % directions_ == 1);
  point.repetition = static_cast<unsigned>(within / block_size() + 1);
  const std::size_t variant = within % variants_;
  const std::size_t isolations = options_->isolations.size();
  point.strategy = options_->strategies[variant / isolations];
  point.isolation = options_->isolations[variant % isolations];
  return point;
}

Plan PlanSpace::materialize() const {
  Plan plan{{}, dimensions_, notes_};
  plan.points.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) plan.points.push_back(at(i));
  return plan;
}

PlanStretch::PlanStretch(const PlanSpace& space, std::size_t first, std::size_t end,
                         std::vector<std::size_t> done)
    : space_(space), first_(first), end_(end), done_(std::move(done)) {}

std::size_t PlanStretch::position(std::size_t index) const {
  // The index-th point not done is first + index + k, where k counts the done points
  // before it: the first k with done[k] - k > first + index (done[k] - k never decreases).
  std::size_t low = 0;
  std::size_t high = done_.size();
  while (low < high) {
    const std::size_t mid = (low + high) / 2;
    if (done_[mid] - mid <= first_ + index) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return first_ + index + low;
}

Plan make_plan(const PointOptions& options, const pinning::Topology& topo,
               const std::vector<PuList>& pu_lists, std::string_view placement_spec) {
  return PlanSpace(options, topo, PuLists::given(pu_lists), placement_spec).materialize();
}

bool same_group(const Point& a, const Point& b) {
  return a.workload == b.workload && a.payload_bytes == b.payload_bytes &&
         a.placement.pus == b.placement.pus;
}

workloads::PointConfig point_config(const PointOptions& options, const Point& point) {
  workloads::PointConfig c = options.config;
  c.strategy = point.strategy;
  c.isolation = point.isolation;
  c.workload = point.workload;
  c.wait = point.wait;
  c.interpreters = static_cast<unsigned>(point.placement.pus.size());
  c.payload_bytes = point.payload_bytes;
  if (c.messages > 0) c.duration = std::chrono::nanoseconds{0};
  return c;
}

std::string describe(const Point& point) {
  // Thread points say nothing more, so that every plan from before --isolation keeps its
  // fingerprint (shard.cc hashes these lines).
  const std::string as = point.isolation == workloads::Isolation::process ? " as processes" : "";
  return std::string(name(point.workload)) + "  " + std::string(name(point.strategy)) + as +
         "  PUs " + point.placement.pus_text() + " (" + pinning::name(point.placement.distance) +
         ")  payload " + std::to_string(point.payload_bytes) + "  wait " +
         std::string(name(point.wait)) + "  memory " + point.memory + "  rep " +
         std::to_string(point.repetition);
}

std::string point_lines(const PointSequence& points, bool all,
                        const std::function<std::size_t(std::size_t)>& number) {
  std::string out;
  const auto line = [&](std::size_t i) {
    out += "  " + std::to_string(number(i)) + "  " + describe(points.at(i)) + "\n";
  };
  const std::size_t n = points.size();
  if (all || n <= 2 * kDryRunEnds) {
    for (std::size_t i = 0; i < n; ++i) line(i);
    return out;
  }
  for (std::size_t i = 0; i < kDryRunEnds; ++i) line(i);
  out += "  ... " + std::to_string(n - 2 * kDryRunEnds) +
         " points not shown (--dry-run=all lists every point)\n";
  for (std::size_t i = n - kDryRunEnds; i < n; ++i) line(i);
  return out;
}

namespace {

std::string heading(std::size_t points, const std::string& dimensions,
                    const std::vector<std::string>& notes, const pinning::Topology& topo) {
  std::string out = "plan on " + topo.source() + ": " + count_of(points, "point", "points") + " (" +
                    dimensions + ")\n";
  for (const std::string& note : notes) out += note + "\n";
  return out;
}

}  // namespace

std::string plan_heading(const PlanSpace& plan, const pinning::Topology& topo) {
  return heading(plan.size(), plan.dimensions(), plan.notes(), topo);
}

std::string describe(const Plan& plan, const pinning::Topology& topo, bool all) {
  return heading(plan.points.size(), plan.dimensions, plan.notes, topo) +
         point_lines(StoredPoints(plan), all, [](std::size_t i) { return i + 1; });
}

std::string describe(const PlanSpace& plan, const pinning::Topology& topo, bool all) {
  return plan_heading(plan, topo) +
         point_lines(PlanStretch(plan, 0, plan.size()), all, [](std::size_t i) { return i + 1; });
}

}  // namespace refbench::harness
