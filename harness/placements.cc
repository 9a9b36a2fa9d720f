#include "harness/placements.h"

#include <sched.h>

#include <algorithm>
#include <set>

#include "harness/usage_error.h"
#include "pinning/placement.h"

namespace refbench::harness {
namespace {

std::string join(const std::vector<unsigned>& pus, const char* separator) {
  std::string out;
  for (unsigned pu : pus) {
    if (!out.empty()) out += separator;
    out += std::to_string(pu);
  }
  return out;
}

Placement make_placement(const pinning::Topology& topo, std::vector<unsigned> pus) {
  Placement p{std::move(pus), pinning::DistanceClass::same_pu};
  // The class of a point is that of its farthest pair of interpreters.
  for (std::size_t a = 0; a < p.pus.size(); ++a) {
    for (std::size_t b = a + 1; b < p.pus.size(); ++b) {
      p.distance = std::max(p.distance, topo.distance(p.pus[a], p.pus[b]));
    }
  }
  return p;
}

// Right after binding, the thread may not have been rescheduled yet; give the scheduler a
// few chances before calling it a failure.
void check_runs_on(const pinning::Topology& topo, unsigned interpreter, unsigned pu,
                   const char* when) {
  std::optional<unsigned> seen;
  for (int attempt = 0; attempt < 100; ++attempt) {
    seen = topo.last_cpu_location();
    if (seen == pu) return;
    sched_yield();
  }
  throw pinning::PinningError(
      "interpreter " + std::to_string(interpreter) + " was bound to PU " + std::to_string(pu) +
      " but ran on " + (seen ? "PU " + std::to_string(*seen) : "an unknown PU") + " " + when);
}

}  // namespace

std::string Placement::pus_field() const { return join(pus, ";"); }
std::string Placement::pus_text() const { return join(pus, ","); }

Placement resolve_placement(const pinning::Topology& topo, std::string_view spec,
                            unsigned interpreters) {
  try {
    return make_placement(topo, pinning::place(topo, spec, interpreters));
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--cores: ") + e.what());
  }
}

std::vector<Placement> default_placements(const pinning::Topology& topo) {
  const std::vector<pinning::PuPair> pairs = pinning::representative_pairs(topo);
  std::vector<pinning::PuPair> chosen;
  if (!pairs.empty()) chosen.push_back(pairs.front());   // same PU
  if (pairs.size() > 1) chosen.push_back(pairs[1]);      // nearest distinct
  if (pairs.size() > 2) chosen.push_back(pairs.back());  // farthest
  std::vector<Placement> placements;
  for (const auto& [a, b] : chosen) placements.push_back(make_placement(topo, {a, b}));
  return placements;
}

workloads::WaitPolicy automatic_wait_policy(const Placement& placement) {
  const std::set<unsigned> distinct(placement.pus.begin(), placement.pus.end());
  return distinct.size() == placement.pus.size() ? workloads::WaitPolicy::spin
                                                 : workloads::WaitPolicy::yield;
}

workloads::ThreadHooks pinning_hooks(const pinning::Topology& topo, const Placement& placement) {
  workloads::ThreadHooks hooks;
  hooks.on_start = [&topo, pus = placement.pus](unsigned i) {
    topo.bind_this_thread(pus[i]);
    check_runs_on(topo, i, pus[i], "after binding");
  };
  hooks.on_finish = [&topo, pus = placement.pus](unsigned i) {
    check_runs_on(topo, i, pus[i], "at the end of the timed phase");
  };
  return hooks;
}

}  // namespace refbench::harness
