// Placement specs: which PU each interpreter runs on.
//
//   explicit lists   "0,2,5-7"  PU OS indices, one per interpreter, repeats allowed
//                    ("0,0" puts both on one PU); no spaces
//   compact          fill PUs in topology order: SMT siblings, then neighbouring cores
//   scatter          spread as far as possible: packages, then NUMA nodes, L3s, L2s, cores;
//                    one PU per core before any SMT sibling is used
//   smt              the PUs of one core (the first core with enough PUs)
//   same-l3          the first PU of different cores sharing one L3 (the first L3 with enough)
//   cross-package    round robin over packages, the first free core of each (needs 2 packages)
//   cross-numa       round robin over NUMA nodes, likewise (needs 2 NUMA nodes)
//   LIKWID           likwid-pin's expressions: N:0-3, S0:0-1@S1:0-1, E:N:8:1:2, S:scatter
//                    (pinning/likwid.h)
//
// Every policy is deterministic. compact, scatter, cross-package and cross-numa each walk
// one fixed order of PUs, so the plan for n interpreters is the first n PUs of the plan for
// n + 1 and a sweep over n only ever adds interpreters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pinning/topology.h"

namespace refbench::pinning {

// The PUs for `interpreters` interpreters (OS indices, in interpreter order). Throws
// PinningError with one line naming the spec and what is missing, e.g.
// "cross-package needs 2 packages; this machine has 1", "PU 9 is not on this machine
// (PUs: 0-3)", "0,1,2 names 3 PUs for 2 interpreters", "bad PU list '3-1': range 3-1 runs
// backwards; use ...", "unknown placement 'x': use ... or one of compact, scatter, ...".
// A topology other than this machine is named by its source ("... synthetic:pack:1 core:4
// pu:1 has 1", "PU 9 is not in xml:FILE (PUs: 0-3)"). Zero interpreters is an error.
std::vector<unsigned> place(const Topology& topo, std::string_view spec, unsigned interpreters);

// How many PUs an explicit list names ("0,1,0" names 3, repeats included), or nothing for
// a policy or a spec that is neither (place() says what is wrong with it). Throws
// PinningError, as place() does, for a malformed list.
std::optional<std::uint64_t> pus_named(std::string_view spec);

// Pairs of PUs for two-interpreter points (pinning/pairs.cc).
using PuPair = std::pair<unsigned, unsigned>;
// One representative pair per class present (Topology::pair_class), nearest class first; same_pu is
// included (both on the first PU). The representative is the first pair in topology order
// (the first of all_pairs(topo, true) of that class). Fast on huge machines: where the
// containers nest (as hwloc's do) it finds which classes exist without looking at every
// pair, then stops the scan in topology order once each has its first pair (within the first
// PU's row on a machine built alike throughout); otherwise, and where NUMA distances split
// classes (PairClass), it looks at every pair.
std::vector<PuPair> representative_pairs(const Topology& topo);
// Every ordered pair of distinct PUs (a, b), a != b, in topology order; `unordered` keeps
// only a < b in topology order.
std::vector<PuPair> all_pairs(const Topology& topo, bool unordered);
// all_pairs without the vector, for machines whose pairs do not fit in memory:
// pair_count(topo, u) == all_pairs(topo, u).size() (n(n-1) ordered, n(n-1)/2 unordered, for
// n PUs) and pair_at(topo, u, i) == all_pairs(topo, u)[i], in O(log n). pair_at throws
// std::out_of_range for i >= pair_count(topo, u).
std::size_t pair_count(const Topology& topo, bool unordered);
PuPair pair_at(const Topology& topo, bool unordered, std::size_t index);
// For --pairs sample:K: up to k distinct unordered pairs of each distance class present
// (all of a class's pairs where it has fewer), each pair (a, b) with a before b in topology
// order. same_pu gives k distinct PUs as (p, p), taken in scatter order (round robin over
// packages, then NUMA nodes, L3s, L2s, cores) so they spread over the machine. Every other
// class holds its representative pair (representative_pairs) and then pairs whose first
// PUs are taken in scatter order too, one pair per first PU per round, each partner sought
// further into the container the two share (so partners spread over it too). Sorted by
// class, nearest first, then by topology order of a, then of b. Deterministic (no random
// numbers) and fast on huge machines: partners are sought inside each first PU's own
// containers, not over every pair, where the containers nest.
std::vector<PuPair> sample_pairs(const Topology& topo, unsigned k);

}  // namespace refbench::pinning
