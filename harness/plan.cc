#include "harness/plan.h"

#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

std::string count_of(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The lists workload w can run; the others are noted, and none at all is an error.
std::vector<const PuList*> runnable(workloads::Workload w, const std::vector<PuList>& pu_lists,
                                    std::vector<std::string>& notes) {
  std::vector<const PuList*> kept;
  std::string first_problem;
  for (const PuList& pus : pu_lists) {
    const std::string problem =
        workloads::interpreters_problem(w, static_cast<unsigned>(pus.size()));
    if (problem.empty()) {
      kept.push_back(&pus);
    } else {
      if (first_problem.empty()) first_problem = problem;
      notes.push_back("left out: " + problem);
    }
  }
  if (kept.empty()) throw UsageError(first_problem);
  return kept;
}

}  // namespace

Plan make_plan(const PointOptions& options, const pinning::Topology& topo,
               const std::vector<PuList>& pu_lists, std::string_view placement_spec) {
  Plan plan;
  for (workloads::Workload w : options.workloads) {
    const std::vector<const PuList*> lists = runnable(w, pu_lists, plan.notes);
    for (std::uint32_t payload : options.payloads) {
      for (const PuList* list : lists) {
        const PuList& pus = *list;
        Point point;
        point.workload = w;
        point.placement = make_placement(topo, pus, w);
        point.placement.spec = placement_spec;
        point.payload_bytes = payload;
        point.wait = options.wait.value_or(automatic_wait_policy(pus));
        point.memory = planned_memory(topo, pus, options.memory);
        for (unsigned rep = 1; rep <= options.repetitions; ++rep) {
          point.repetition = rep;
          for (workloads::Strategy s : options.strategies) {
            point.strategy = s;
            plan.points.push_back(point);
          }
        }
      }
    }
  }
  plan.dimensions = count_of(options.strategies.size(), "strategy", "strategies") + " x " +
                    count_of(options.workloads.size(), "workload", "workloads") + " x " +
                    count_of(pu_lists.size(), "placement", "placements") + " x " +
                    count_of(options.payloads.size(), "payload", "payloads") + " x " +
                    count_of(options.repetitions, "repetition", "repetitions");
  return plan;
}

bool same_group(const Point& a, const Point& b) {
  return a.workload == b.workload && a.payload_bytes == b.payload_bytes &&
         a.placement.pus == b.placement.pus;
}

workloads::PointConfig point_config(const PointOptions& options, const Point& point) {
  workloads::PointConfig c = options.config;
  c.strategy = point.strategy;
  c.workload = point.workload;
  c.wait = point.wait;
  c.interpreters = static_cast<unsigned>(point.placement.pus.size());
  c.payload_bytes = point.payload_bytes;
  if (c.messages > 0) c.duration = std::chrono::nanoseconds{0};
  return c;
}

std::string describe(const Point& point) {
  return std::string(name(point.workload)) + "  " + std::string(name(point.strategy)) + "  PUs " +
         point.placement.pus_text() + " (" + std::string(pinning::name(point.placement.distance)) +
         ")  payload " + std::to_string(point.payload_bytes) + "  wait " +
         std::string(name(point.wait)) + "  memory " + point.memory + "  rep " +
         std::to_string(point.repetition);
}

std::string describe(const Plan& plan, const pinning::Topology& topo) {
  std::string out = "plan on " + topo.source() + ": " +
                    count_of(plan.points.size(), "point", "points") + " (" + plan.dimensions +
                    ")\n";
  for (const std::string& note : plan.notes) out += note + "\n";
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    out += "  " + std::to_string(i + 1) + "  " + describe(plan.points[i]) + "\n";
  }
  return out;
}

}  // namespace refbench::harness
