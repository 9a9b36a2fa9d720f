#include "harness/placements.h"

#include <sched.h>

#include <algorithm>
#include <set>

#include "harness/usage_error.h"
#include "pinning/likwid.h"
#include "pinning/placement.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

std::string join(const PuList& pus, const char* separator) {
  std::vector<std::string> parts;
  for (unsigned pu : pus) parts.push_back(std::to_string(pu));
  return results::join(parts, separator);
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

PuList as_list(const pinning::PuPair& pair) { return {pair.first, pair.second}; }

}  // namespace

std::string Placement::pus_field() const { return join(pus, ";"); }
std::string Placement::pus_text() const { return join(pus, ","); }
std::string Placement::spec_field() const {
  std::string field = spec;
  std::replace(field.begin(), field.end(), ',', ';');
  return field;
}

Placement make_placement(const pinning::Topology& topo, PuList pus, workloads::Workload workload) {
  Placement p{std::move(pus), pinning::PairClass{}};
  for (const auto& [sender, receiver] :
       workloads::links(workload, static_cast<unsigned>(p.pus.size()))) {
    p.distance = std::max(p.distance, topo.pair_class(p.pus[sender], p.pus[receiver]));
  }
  return p;
}

PuList resolve_pus(const pinning::Topology& topo, std::string_view option, std::string_view spec,
                   unsigned interpreters) {
  try {
    return pinning::place(topo, spec, interpreters);
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string(option) + ": " + e.what());
  }
}

PuList resolve_cores(const pinning::Topology& topo, std::string_view spec,
                     unsigned policy_interpreters) {
  std::optional<std::uint64_t> named;
  try {
    // A LIKWID expression names its own count, on this topology (a scatter takes two).
    if (pinning::is_likwid_expression(spec) && !pinning::is_likwid_scatter(spec)) {
      named = pinning::likwid_pus(topo, spec).size();
    } else {
      named = pinning::pus_named(spec);
    }
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--cores: ") + e.what());
  }
  if (named && *named > kMaxInterpreters) {
    throw UsageError("--cores: " + std::string(spec) + " names " + std::to_string(*named) +
                     " PUs, one interpreter each (allowed: at most " +
                     std::to_string(kMaxInterpreters) + ")");
  }
  return resolve_pus(topo, "--cores", spec,
                     named ? static_cast<unsigned>(*named) : policy_interpreters);
}

std::vector<PuList> default_pairs(const pinning::Topology& topo) {
  const std::vector<pinning::PuPair> pairs = pinning::representative_pairs(topo);
  std::vector<PuList> chosen;
  if (!pairs.empty()) chosen.push_back(as_list(pairs.front()));   // same PU
  if (pairs.size() > 1) chosen.push_back(as_list(pairs[1]));      // nearest distinct
  if (pairs.size() > 2) chosen.push_back(as_list(pairs.back()));  // farthest
  return chosen;
}

std::vector<PuList> sweep_pairs(const pinning::Topology& topo, PairSelection selection,
                                unsigned sample_k) {
  std::vector<pinning::PuPair> pairs;
  switch (selection) {
    case PairSelection::classes:
      pairs = pinning::representative_pairs(topo);
      break;
    case PairSelection::sample:
      pairs = pinning::sample_pairs(topo, sample_k);
      break;
    case PairSelection::all:
    case PairSelection::unordered:
    case PairSelection::symmetric:
      pairs = pinning::all_pairs(topo, selection != PairSelection::all);
      break;
  }
  std::vector<PuList> lists;
  for (const auto& pair : pairs) lists.push_back(as_list(pair));
  return lists;
}

workloads::WaitPolicy automatic_wait_policy(const PuList& pus) {
  const std::set<unsigned> distinct(pus.begin(), pus.end());
  return distinct.size() == pus.size() ? workloads::WaitPolicy::spin : workloads::WaitPolicy::yield;
}

std::string planned_memory(const pinning::Topology& topo, const PuList& pus,
                           pinning::MemoryPolicy policy) {
  std::vector<std::string> plans;
  try {
    for (unsigned pu : pus) plans.push_back(topo.memory_plan(pu, policy));
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--memory: ") + e.what());
  }
  return results::join(plans, ";");
}

workloads::ThreadHooks point_hooks(const pinning::Topology& topo, const PuList& pus,
                                   pinning::MemoryPolicy memory,
                                   std::vector<std::string>& memory_used) {
  memory_used.assign(pus.size(), "");
  workloads::ThreadHooks hooks;
  hooks.on_start = [&topo, pus](unsigned i) {
    topo.bind_this_thread(pus[i]);
    check_runs_on(topo, i, pus[i], "after binding");
  };
  hooks.on_heap = [&topo, pus, memory, &memory_used](unsigned i, std::span<std::byte> heap) {
    memory_used[i] = topo.bind_memory(heap, pus[i], memory);
  };
  hooks.on_finish = [&topo, pus](unsigned i) {
    check_runs_on(topo, i, pus[i], "at the end of the timed phase");
  };
  return hooks;
}

}  // namespace refbench::harness
