#include "pinning/placement.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <span>

#include "pinning/likwid.h"
#include "pinning/numbers.h"

namespace refbench::pinning {
namespace {

constexpr std::string_view kListSyntax = "use PU OS indices and ranges like 0,2,5-7";

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string count_of(std::uint64_t n, std::string_view thing) {
  return std::to_string(n) + " " + std::string(thing) + (n == 1 ? "" : "s");
}

// ---- The machine as policies see it: cores, grouped and spread over containers.

// One core's PUs in topology order; a PU outside any core counts as a core of its own.
struct Core {
  const PuInfo* where;  // its first PU, which sits in the same containers as the rest
  std::vector<unsigned> pus;
};
using Cores = std::vector<const Core*>;
using Container = int PuInfo::*;

// hwloc numbers PUs depth first, so the PUs of a core are consecutive.
std::vector<Core> cores_of(const Topology& topo) {
  std::vector<Core> cores;
  for (const PuInfo& info : topo.pus()) {
    if (info.core < 0 || cores.empty() || cores.back().where->core != info.core) {
      cores.push_back({&info, {}});
    }
    cores.back().pus.push_back(info.os_index);
  }
  return cores;
}

// Cores grouped by the container they share at one level, groups in topology order.
std::vector<Cores> group_by(const Cores& cores, Container level) {
  std::vector<Cores> groups;
  std::vector<int> keys;
  for (const Core* core : cores) {
    const int key = core->where->*level;
    const auto group =
        static_cast<std::size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
    if (group == keys.size()) {
      keys.push_back(key);
      groups.emplace_back();
    }
    groups[group].push_back(core);
  }
  return groups;
}

// One from each list in turn, skipping lists that ran out.
Cores round_robin(const std::vector<Cores>& lists) {
  std::size_t longest = 0;
  for (const Cores& list : lists) longest = std::max(longest, list.size());
  Cores merged;
  for (std::size_t i = 0; i < longest; ++i) {
    for (const Cores& list : lists) {
      if (i < list.size()) merged.push_back(list[i]);
    }
  }
  return merged;
}

// Cores ordered so that neighbours are as far apart as `levels` allow: alternate between
// the containers of levels[0]; within each, between the containers of levels[1]; and so on.
Cores spread(const Cores& cores, std::span<const Container> levels) {
  if (levels.empty()) return cores;
  std::vector<Cores> groups = group_by(cores, levels.front());
  for (Cores& group : groups) group = spread(group, levels.subspan(1));
  return round_robin(groups);
}

// The first PU of each core in `order`, then the second of each, and so on: a core's SMT
// sibling is used only once every core has one interpreter.
std::vector<unsigned> one_per_core_first(const Cores& order) {
  std::vector<unsigned> pus;
  for (std::size_t rank = 0;; ++rank) {
    const std::size_t before = pus.size();
    for (const Core* core : order) {
      if (rank < core->pus.size()) pus.push_back(core->pus[rank]);
    }
    if (pus.size() == before) return pus;
  }
}

// ---- Policies: each turns a request into PUs or says what the machine lacks.

struct Request {
  const Topology& topo;
  std::string_view policy;
  Cores cores;
  unsigned interpreters;

  // "<policy> needs <what>; <source> has <have>": the one shape of every policy's complaint.
  PinningError lacks(const std::string& what, const std::string& have) const {
    return PinningError(std::string(policy) + " needs " + what + "; " + topo.source() + " has " +
                        have);
  }

  std::vector<unsigned> first_of(std::vector<unsigned> order) const {
    if (interpreters > order.size()) {
      throw lacks(count_of(interpreters, "PU"), std::to_string(order.size()));
    }
    order.resize(interpreters);
    return order;
  }
};

std::vector<unsigned> compact(const Request& r) {
  std::vector<unsigned> order;
  for (const PuInfo& info : r.topo.pus()) order.push_back(info.os_index);
  return r.first_of(std::move(order));
}

std::vector<unsigned> scatter(const Request& r) {
  static constexpr std::array<Container, 4> kOutermostFirst = {&PuInfo::package, &PuInfo::numa,
                                                               &PuInfo::l3, &PuInfo::l2};
  return r.first_of(one_per_core_first(spread(r.cores, kOutermostFirst)));
}

std::vector<unsigned> smt(const Request& r) {
  for (const Core* core : r.cores) {
    if (core->pus.size() >= r.interpreters) {
      return std::vector<unsigned>(core->pus.begin(), core->pus.begin() + r.interpreters);
    }
  }
  throw r.lacks("a core with " + count_of(r.interpreters, "PU"),
                count_of(r.topo.pus_per_core(), "PU") + " per core");
}

std::vector<unsigned> same_l3(const Request& r) {
  std::size_t most = 0;
  for (const Cores& group : group_by(r.cores, &PuInfo::l3)) {
    if (group.front()->where->l3 < 0) continue;
    if (group.size() >= r.interpreters) {
      std::vector<unsigned> pus;
      for (std::size_t i = 0; i < r.interpreters; ++i) pus.push_back(group[i]->pus.front());
      return pus;
    }
    most = std::max(most, group.size());
  }
  if (most == 0) throw r.lacks("an L3 cache", "none");
  throw r.lacks(count_of(r.interpreters, "core") + " sharing an L3",
                "at most " + std::to_string(most) + " per L3");
}

// Round robin over the containers of one level, the first free core of each in turn.
std::vector<unsigned> across(const Request& r, Container level, std::string_view containers) {
  const std::size_t found = group_by(r.cores, level).size();
  if (found < 2) throw r.lacks("2 " + std::string(containers), std::to_string(found));
  const std::array<Container, 1> levels = {level};
  return r.first_of(one_per_core_first(spread(r.cores, levels)));
}

std::vector<unsigned> cross_package(const Request& r) {
  return across(r, &PuInfo::package, "packages");
}

std::vector<unsigned> cross_numa(const Request& r) {
  return across(r, &PuInfo::numa, "NUMA nodes");
}

struct Policy {
  std::string_view name;
  std::vector<unsigned> (*plan)(const Request&);
};

constexpr std::array<Policy, 6> kPolicies = {{
    {"compact", compact},
    {"scatter", scatter},
    {"smt", smt},
    {"same-l3", same_l3},
    {"cross-package", cross_package},
    {"cross-numa", cross_numa},
}};

std::vector<unsigned> place_by_policy(const Topology& topo, const Policy& policy,
                                      unsigned interpreters) {
  const std::vector<Core> cores = cores_of(topo);
  Cores all;
  for (const Core& core : cores) all.push_back(&core);
  return policy.plan(Request{topo, policy.name, std::move(all), interpreters});
}

// ---- Explicit lists: "0,2,5-7".

struct Range {
  unsigned first;
  unsigned last;
};

PinningError bad_list(std::string_view spec, const std::string& why) {
  return PinningError("bad PU list " + quoted(spec) + ": " + why + "; " + std::string(kListSyntax));
}

Range parse_range(std::string_view spec, std::string_view item) {
  const std::size_t dash = item.find('-');
  const auto first = parse_unsigned(item.substr(0, dash));
  const auto last = dash == std::string_view::npos ? first : parse_unsigned(item.substr(dash + 1));
  if (!first || !last) {
    throw bad_list(spec, item.empty() ? "empty item" : quoted(item) + " is not a PU or a range");
  }
  if (*last < *first) throw bad_list(spec, "range " + std::string(item) + " runs backwards");
  return {*first, *last};
}

std::vector<Range> parse_list(std::string_view spec) {
  std::vector<Range> ranges;
  for (std::size_t begin = 0;;) {
    const std::size_t comma = spec.find(',', begin);
    ranges.push_back(parse_range(spec, spec.substr(begin, comma - begin)));
    if (comma == std::string_view::npos) return ranges;
    begin = comma + 1;
  }
}

// Counted without expanding: "0-4000000000" must fail fast, not fill memory.
std::uint64_t count_named(const std::vector<Range>& ranges) {
  std::uint64_t named = 0;
  for (const Range& range : ranges) named += std::uint64_t{range.last} - range.first + 1;
  return named;
}

std::vector<unsigned> place_list(const Topology& topo, std::string_view spec,
                                 unsigned interpreters) {
  const std::vector<Range> ranges = parse_list(spec);
  const std::uint64_t named = count_named(ranges);
  if (named != interpreters) {
    throw PinningError(std::string(spec) + " names " + count_of(named, "PU") + " for " +
                       count_of(interpreters, "interpreter"));
  }
  std::vector<unsigned> pus;
  for (const Range& range : ranges) {
    for (std::uint64_t pu = range.first; pu <= range.last; ++pu) {
      pus.push_back(topo.pu(static_cast<unsigned>(pu)).os_index);  // throws for a missing PU
    }
  }
  return pus;
}

bool looks_like_list(std::string_view spec) {
  return !spec.empty() && (std::isdigit(static_cast<unsigned char>(spec.front())) ||
                           spec.find(',') != std::string_view::npos);
}

PinningError unknown_placement(std::string_view spec) {
  std::string names;
  for (const Policy& policy : kPolicies) {
    names += (names.empty() ? "" : ", ") + std::string(policy.name);
  }
  return PinningError(
      (spec.empty() ? std::string("empty placement") : "unknown placement " + quoted(spec)) + ": " +
      std::string(kListSyntax) + ", a LIKWID expression (N:0-3, S0:0-1@S1:0-1, E:N:8:1:2, " +
      "S:scatter), or one of " + names);
}

}  // namespace

std::vector<unsigned> place(const Topology& topo, std::string_view spec, unsigned interpreters) {
  if (interpreters == 0) {
    throw PinningError("placement " + quoted(spec) + " for 0 interpreters: need at least 1");
  }
  for (const Policy& policy : kPolicies) {
    if (policy.name == spec) return place_by_policy(topo, policy, interpreters);
  }
  if (is_likwid_expression(spec)) return likwid_pus(topo, spec, interpreters);
  if (looks_like_list(spec)) return place_list(topo, spec, interpreters);
  throw unknown_placement(spec);
}

std::optional<std::uint64_t> pus_named(std::string_view spec) {
  for (const Policy& policy : kPolicies) {
    if (policy.name == spec) return std::nullopt;
  }
  if (!looks_like_list(spec)) return std::nullopt;
  return count_named(parse_list(spec));
}

}  // namespace refbench::pinning
