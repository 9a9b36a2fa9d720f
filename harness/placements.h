// Where a point's interpreters run: resolving placement specs, the default and swept PU
// lists, and the hooks that pin each thread and place its heap.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/options.h"
#include "pinning/distance.h"
#include "pinning/topology.h"
#include "workloads/point.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {

using PuList = std::vector<unsigned>;

// The most interpreters one point may have (--interpreters, an explicit --cores list): one
// thread and one heap each.
inline constexpr unsigned kMaxInterpreters = 4096;

struct Placement {
  PuList pus;  // OS indices, interpreter order
  // The farthest distance class among the PUs of interpreters that exchange messages.
  pinning::PairClass distance{};
  // What chose the PUs: a placement spec as given (`scatter`, `0,1,0`), `default` (run's
  // own pairs) or `pairs:all|unordered|classes` (a sweep over pairs).
  std::string spec{};

  // "0;1", as in the CSV's pus column.
  std::string pus_field() const;
  // "0,1", as a user would type it.
  std::string pus_text() const;
  // The spec as in the CSV's placement column: an explicit list's commas become ';', as in
  // the pus column ("0;1;0"), so that the field never needs quoting.
  std::string spec_field() const;
};

Placement make_placement(const pinning::Topology& topo, PuList pus, workloads::Workload workload);

// The PUs a placement spec names for n interpreters. Throws UsageError (naming `option`)
// if the topology cannot satisfy it.
PuList resolve_pus(const pinning::Topology& topo, std::string_view option, std::string_view spec,
                   unsigned interpreters);

// The PUs of run's and stress's --cores: an explicit list places one interpreter per PU it
// names ("0,1,0": three), a policy places `policy_interpreters`. Throws UsageError (naming
// --cores) for a spec the topology cannot satisfy.
PuList resolve_cores(const pinning::Topology& topo, std::string_view spec,
                     unsigned policy_interpreters = 2);

// Both interpreters on the first PU, then the nearest pair of distinct PUs, then the
// farthest pair: one of each distance class among those, in that order.
std::vector<PuList> default_pairs(const pinning::Topology& topo);

// The pairs a sweep visits (sample: `sample_k` of each distance class).
std::vector<PuList> sweep_pairs(const pinning::Topology& topo, PairSelection selection,
                                unsigned sample_k = 0);

// --wait auto: spin when every interpreter has a PU of its own (lowest latency), yield when
// two share one (a spinning waiter would hold the PU for a whole scheduler slice).
workloads::WaitPolicy automatic_wait_policy(const PuList& pus);

// Where each interpreter's heap will be, ';'-separated in interpreter order
// ("local:numa0;local:numa1", "first-touch;first-touch"). Throws UsageError if the policy
// needs more NUMA nodes than the topology has.
std::string planned_memory(const pinning::Topology& topo, const PuList& pus,
                           pinning::MemoryPolicy policy);

// Hooks that pin interpreter i to pus[i] and check, with hwloc_get_last_cpu_location, that
// it runs there when it starts and still when it finishes (a thread found elsewhere fails
// the point, naming the interpreter and both PUs); and that bind its heap by `memory`
// before first touch, recording what was done in memory_used[i].
workloads::ThreadHooks point_hooks(const pinning::Topology& topo, const PuList& pus,
                                   pinning::MemoryPolicy memory,
                                   std::vector<std::string>& memory_used);

}  // namespace refbench::harness
