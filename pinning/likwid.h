// LIKWID's thread-domain expressions, as likwid-pin -c takes them, with LIKWID's meaning,
// so that a LIKWID user's placement reads the same in refbench.
//
//   N:0-7          PUs 0-7 of the node domain (the whole machine, or what this process may
//                  run on)
//   S1:0-3         of socket (package) 1;  M0:... NUMA node 0;  C0:... last-level cache 0
//                  (the L3, or the L2 where there is no L3);  D0:... die 0 (hwloc's packages
//                  here: refbench does not see dies, so D# is S#)
//   S0:0-1@S1:0-1  several joined by @, in order
//   E:N:8:1:2      an expression: 8 PUs of N, in chunks of 1, every 2nd (chunk and stride
//                  default to 1)
//   S:scatter      round robin over the domains of a kind (S, M, C, D or N): S0's first,
//                  S1's first, S0's second, ...
//
// Within a domain PUs are numbered as LIKWID numbers them: the first PU of every core, in
// topology order, then every core's second PU (its SMT sibling), and so on. Indices are
// those of the domain, not OS indices.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "pinning/topology.h"

namespace refbench::pinning {

// Has a LIKWID domain prefix ("N:", "S0:", "E:", "S:scatter", ...).
bool is_likwid_expression(std::string_view spec);

// A scatter ("S:scatter"), which places as many interpreters as asked; the other
// expressions name their own count.
bool is_likwid_scatter(std::string_view spec);

// The PUs (OS indices) the expression names. A scatter names as many as `interpreters`
// (every PU of the kind's domains when none); the others name their own count, which must
// equal `interpreters` when given. Throws PinningError with one line naming the
// expression and what is wrong.
std::vector<unsigned> likwid_pus(const Topology& topo, std::string_view spec,
                                 std::optional<unsigned> interpreters = std::nullopt);

}  // namespace refbench::pinning
