// Pairs of PUs for two-interpreter points: representatives, every pair, samples.
//
// Huge machines (16,384 PUs) have 134 million unordered pairs: nothing here scans them all
// where the containers are nested, as hwloc's are. Topology::distance stays the one
// definition of a pair's class; the structure below only says where to look.
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pinning/placement.h"

namespace refbench::pinning {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

std::size_t class_slot(DistanceClass c) { return static_cast<std::size_t>(c); }

// ---- The containers as a forest.
//
// Each PU sits in at most one container per level (core, L2, L3, NUMA node, package). Where
// every two containers are either disjoint or nested, they form a forest; a virtual root
// holds every PU. A PU's path is its containers from the smallest up, then the root; a
// container holding the same PUs as a more specific one (an L3 per package) is that one's
// alias and is not on the path. The class of two PUs is then decided by their lowest common
// node N: cross_package where their packages differ, else the class N's level names
// (Topology::distance picks the container with the fewest PUs, the more specific on a tie:
// exactly N). Pairs whose lowest common node is N are those of PUs under different
// children of N.
constexpr std::array<int PuInfo::*, 5> kLevelFields = {&PuInfo::core, &PuInfo::l2, &PuInfo::l3,
                                                       &PuInfo::numa, &PuInfo::package};

struct Forest {
  std::vector<std::vector<std::size_t>> paths;    // by PU position: nodes, smallest first
  std::vector<std::vector<std::size_t>> members;  // by node: PU positions, ascending
  std::size_t root = 0;

  bool holds(std::size_t node, std::size_t pu) const {
    const auto& path = paths[pu];
    return std::find(path.begin(), path.end(), node) != path.end();
  }
};

// The forest, or nothing where some containers overlap without nesting (then callers fall
// back to looking at every pair).
std::optional<Forest> nested_containers(const std::vector<PuInfo>& pus) {
  // Container ids: level by level, so that ordering ids orders levels.
  std::array<std::size_t, kLevelFields.size() + 1> offset{};
  for (std::size_t level = 0; level < kLevelFields.size(); ++level) {
    int largest = -1;
    for (const PuInfo& info : pus) largest = std::max(largest, info.*kLevelFields[level]);
    offset[level + 1] = offset[level] + static_cast<std::size_t>(largest + 1);
  }
  const std::size_t containers = offset.back();
  std::vector<std::size_t> size(containers, 0);
  auto id_of = [&](const PuInfo& info, std::size_t level) {
    const int index = info.*kLevelFields[level];
    return index < 0 ? kNone : offset[level] + static_cast<std::size_t>(index);
  };
  for (const PuInfo& info : pus) {
    for (std::size_t level = 0; level < kLevelFields.size(); ++level) {
      if (const std::size_t id = id_of(info, level); id != kNone) ++size[id];
    }
  }

  Forest forest;
  forest.root = containers;
  forest.paths.resize(pus.size());
  std::vector<std::size_t> canonical(containers, kNone);  // the node an alias stands for
  std::vector<std::size_t> parent(containers + 1, kNone);
  std::vector<std::size_t> chain;
  for (std::size_t pu = 0; pu < pus.size(); ++pu) {
    chain.clear();
    for (std::size_t level = 0; level < kLevelFields.size(); ++level) {
      if (const std::size_t id = id_of(pus[pu], level); id != kNone) chain.push_back(id);
    }
    // Fewest PUs first, the more specific level on a tie: Topology::distance's preference.
    std::sort(chain.begin(), chain.end(), [&](std::size_t a, std::size_t b) {
      return size[a] != size[b] ? size[a] < size[b] : a < b;
    });
    std::vector<std::size_t>& path = forest.paths[pu];
    for (const std::size_t id : chain) {
      if (canonical[id] == kNone) {
        const bool same_pus = !path.empty() && size[path.back()] == size[id];
        canonical[id] = same_pus ? path.back() : id;
      }
      const std::size_t node = canonical[id];
      if (node == id) {
        path.push_back(node);
      } else if (path.empty() || path.back() != node) {
        return std::nullopt;  // an alias here, but this PU is not in what it stood for
      }
    }
    path.push_back(forest.root);
    // Every PU of a node must see the same node above it: then each node lies inside its
    // parent and any two nodes sharing a PU are nested.
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      if (parent[path[i]] == kNone) parent[path[i]] = path[i + 1];
      if (parent[path[i]] != path[i + 1]) return std::nullopt;
    }
  }
  forest.members.resize(containers + 1);
  for (std::size_t pu = 0; pu < pus.size(); ++pu) {
    for (const std::size_t node : forest.paths[pu]) forest.members[node].push_back(pu);
  }
  return forest;
}

// The PUs of one node seen so far, by the child of the node they are under: the first, and
// one under another child (so two PUs whose lowest common node is this one).
struct Split {
  std::size_t first_child = kNone;
  std::size_t first = kNone;
  std::size_t other = kNone;

  void add(std::size_t child, std::size_t pu) {
    if (first_child == kNone) {
      first_child = child;
      first = pu;
    } else if (other == kNone && child != first_child) {
      other = pu;
    }
  }
  // A PU under a child other than `child`, if one was seen.
  std::size_t apart_from(std::size_t child) const { return child != first_child ? first : other; }
};

// Pairs of PU positions showing every class present: for each node, a pair under different
// children whose packages differ and one whose packages do not, where such pairs exist.
std::vector<std::pair<std::size_t, std::size_t>> witnesses(const Forest& forest,
                                                           const std::vector<PuInfo>& pus) {
  const std::size_t n = pus.size();
  std::vector<Split> all(forest.members.size());
  std::vector<std::pair<std::size_t, std::size_t>> unpackaged(forest.members.size(),
                                                              {kNone, kNone});  // child, PU
  std::map<std::pair<std::size_t, int>, Split> by_package;                      // node, package
  for (std::size_t pu = 0; pu < n; ++pu) {
    std::size_t child = pu;  // children: PUs by position, then nodes after n
    for (const std::size_t node : forest.paths[pu]) {
      all[node].add(child, pu);
      const int package = pus[pu].package;
      if (package >= 0) {
        by_package[{node, package}].add(child, pu);
      } else if (unpackaged[node].second == kNone) {
        unpackaged[node] = {child, pu};
      }
      child = n + node;
    }
  }
  std::vector<std::pair<std::size_t, std::size_t>> found;
  auto add = [&](std::size_t a, std::size_t b) {
    if (a != kNone && b != kNone) found.emplace_back(a, b);
  };
  for (std::size_t node = 0; node < all.size(); ++node) {
    add(all[node].first, all[node].other);
    const auto [child, pu] = unpackaged[node];
    if (pu != kNone) add(pu, all[node].apart_from(child));
  }
  // Per node: a package under two children (not cross), and two packages under different
  // children (cross_package) unless every package of the node is under one child alone.
  for (auto it = by_package.begin(); it != by_package.end();) {
    const std::size_t node = it->first.first;
    const Split& first = it->second;
    bool crossed = false;
    for (; it != by_package.end() && it->first.first == node; ++it) {
      const Split& split = it->second;
      add(split.first, split.other);
      if (crossed || &split == &first) continue;
      // The first package's PUs under another child than this package's first, or else
      // this package's PUs under another child than the first package's (which then all
      // sit under that one child).
      std::size_t mine = split.first;
      std::size_t theirs = first.apart_from(split.first_child);
      if (theirs == kNone) {
        mine = split.apart_from(first.first_child);
        theirs = first.first;
      }
      if (mine != kNone) {
        add(mine, theirs);
        crossed = true;
      }
    }
  }
  return found;
}

using Slots = std::array<bool, kAllDistanceClasses.size()>;

// The classes some pair of distinct PUs has; every class where the containers overlap
// without nesting (nothing then is known without looking at each pair).
Slots classes_present(const Topology& topo, const std::optional<Forest>& forest) {
  Slots present{};
  if (!forest) {
    present.fill(true);
    return present;
  }
  const std::vector<PuInfo>& pus = topo.pus();
  for (const auto& [a, b] : witnesses(*forest, pus)) {
    present[class_slot(topo.distance(pus[a].os_index, pus[b].os_index))] = true;
  }
  return present;
}

// Triangular numbering of unordered pairs (a < b) of n positions: where row a starts.
std::size_t row_start(std::size_t n, std::size_t a) { return a * (2 * n - a - 1) / 2; }

// The PU positions in scatter order: packages, then NUMA nodes, L3s, L2s and cores in
// turn, every core's first PU before any SMT sibling.
std::vector<std::size_t> spread_positions(const Topology& topo) {
  const std::vector<PuInfo>& pus = topo.pus();
  std::unordered_map<unsigned, std::size_t> position;
  for (std::size_t i = 0; i < pus.size(); ++i) position.emplace(pus[i].os_index, i);
  std::vector<std::size_t> order;
  for (const unsigned pu : place(topo, "scatter", static_cast<unsigned>(pus.size()))) {
    order.push_back(position.at(pu));
  }
  return order;
}

// What every partner search of one machine shares.
struct Machine {
  const Topology& topo;
  std::optional<Forest> forest;
  std::vector<std::size_t> everyone;  // all PU positions, where the containers do not nest
  bool uniform_packages = true;       // every PU has a package, or none has

  explicit Machine(const Topology& t) : topo(t), forest(nested_containers(t.pus())) {
    const std::vector<PuInfo>& pus = t.pus();
    if (!forest) {
      for (std::size_t i = 0; i < pus.size(); ++i) everyone.push_back(i);
    }
    const bool packaged = pus.front().package >= 0;
    uniform_packages = std::all_of(pus.begin(), pus.end(), [&](const PuInfo& info) {
      return (info.package >= 0) == packaged;
    });
  }
};

// Where one first PU looks for partners in one class: the part of each of its ancestors
// outside the child it came from (every PU where the containers do not nest), each from a
// start that spreads partners over the ancestor.
class Partners {
 public:
  Partners(const Machine& machine, std::size_t first, PairClass wanted)
      : machine_(&machine), first_(first), wanted_(wanted) {}

  std::size_t first() const { return first_; }

  // The next partner of this class, or kNone once there are no more. `spread` in [0, 1)
  // says where among an ancestor's candidates to begin.
  std::size_t next(double spread) {
    const std::vector<PuInfo>& pus = machine_->topo.pus();
    const std::optional<Forest>& forest = machine_->forest;
    while (true) {
      const std::vector<std::size_t>* members = &machine_->everyone;
      std::size_t child = kNone;
      if (forest) {
        const std::vector<std::size_t>& path = forest->paths[first_];
        if (level_ >= path.size()) return kNone;
        members = &forest->members[path[level_]];
        child = level_ > 0 ? path[level_ - 1] : kNone;
      } else if (level_ > 0) {
        return kNone;
      }
      if (taken_ == 0) begin_level(*members, child, spread);
      const std::size_t candidates = members->size() - gap_size_;
      while (taken_ < candidates) {
        std::size_t index = (start_ + taken_++) % candidates;
        if (index >= gap_begin_) index += gap_size_;
        const std::size_t pu = (*members)[index];
        if (pu == first_ || (child != kNone && forest->holds(child, pu))) continue;
        const PairClass found = machine_->topo.pair_class(pus[first_].os_index, pus[pu].os_index);
        if (found == wanted_) return pu;
        // Packages known for all PUs or for none: one ancestor gives one class (unless NUMA
        // distances split it).
        if (forest && machine_->uniform_packages && !machine_->topo.splits_by_numa_distance()) {
          break;
        }
      }
      ++level_;
      taken_ = 0;
    }
  }

 private:
  // The candidates of one ancestor are its members but those of the child the first PU
  // came from (the first PU itself at the bottom). Where those are one run of the members,
  // as in a tree numbered depth first, the run is left out of the count, so `spread` places
  // the start among candidates only; otherwise they are skipped one by one.
  void begin_level(const std::vector<std::size_t>& members, std::size_t child, double spread) {
    const std::vector<std::size_t> self = {first_};
    const std::vector<std::size_t>& left_out =
        child == kNone ? self : machine_->forest->members[child];
    const std::size_t at = static_cast<std::size_t>(
        std::lower_bound(members.begin(), members.end(), left_out.front()) - members.begin());
    const bool run = at + left_out.size() <= members.size() &&
                     members[at + left_out.size() - 1] == left_out.back();
    gap_begin_ = run ? at : members.size();
    gap_size_ = run ? left_out.size() : 0;
    start_ = static_cast<std::size_t>(spread * static_cast<double>(members.size() - gap_size_));
  }

  const Machine* machine_;
  std::size_t first_;
  PairClass wanted_;
  std::size_t level_ = 0;
  std::size_t taken_ = 0;
  std::size_t start_ = 0;
  std::size_t gap_begin_ = 0;
  std::size_t gap_size_ = 0;
};

// Where NUMA distances split classes, which classes a machine has is known only from the
// matrix and the PUs together: every pair is looked at. Machines with a firmware matrix have
// at most a few thousand PUs, a few million pairs.
std::vector<PuPair> representatives_of_every_pair(const Topology& topo) {
  const std::vector<PuInfo>& pus = topo.pus();
  std::map<PairClass, PuPair> first_of_class;
  first_of_class.emplace(PairClass{}, PuPair{pus.front().os_index, pus.front().os_index});
  for (std::size_t a = 0; a < pus.size(); ++a) {
    for (std::size_t b = a + 1; b < pus.size(); ++b) {
      first_of_class.try_emplace(topo.pair_class(pus[a].os_index, pus[b].os_index),
                                 PuPair{pus[a].os_index, pus[b].os_index});
    }
  }
  std::vector<PuPair> pairs;
  for (const auto& [c, pair] : first_of_class) pairs.push_back(pair);
  return pairs;
}

}  // namespace

std::vector<PuPair> representative_pairs(const Topology& topo) {
  if (topo.splits_by_numa_distance()) return representatives_of_every_pair(topo);
  const std::vector<PuInfo>& pus = topo.pus();
  const std::optional<Forest> forest = nested_containers(pus);
  const Slots present = classes_present(topo, forest);
  std::size_t missing = static_cast<std::size_t>(std::count(present.begin(), present.end(), true));
  std::array<std::optional<PuPair>, kAllDistanceClasses.size()> first_of_class;
  first_of_class[class_slot(DistanceClass::same_pu)] =
      PuPair{pus.front().os_index, pus.front().os_index};
  if (!present[class_slot(DistanceClass::same_pu)]) ++missing;
  --missing;
  // The first pair of each class in topology order, stopping once every class present has
  // one: on a machine built alike throughout, within the first PU's row.
  for (std::size_t a = 0; a < pus.size() && missing > 0; ++a) {
    for (std::size_t b = a + 1; b < pus.size() && missing > 0; ++b) {
      const DistanceClass c = topo.distance(pus[a].os_index, pus[b].os_index);
      auto& slot = first_of_class[class_slot(c)];
      if (!slot) {
        slot = PuPair{pus[a].os_index, pus[b].os_index};
        if (present[class_slot(c)]) --missing;
      }
    }
  }
  std::vector<PuPair> pairs;
  for (const auto& pair : first_of_class) {
    if (pair) pairs.push_back(*pair);
  }
  return pairs;
}

std::vector<PuPair> all_pairs(const Topology& topo, bool unordered) {
  const std::vector<PuInfo>& pus = topo.pus();
  std::vector<PuPair> pairs;
  pairs.reserve(pair_count(topo, unordered));
  for (std::size_t a = 0; a < pus.size(); ++a) {
    for (std::size_t b = unordered ? a + 1 : 0; b < pus.size(); ++b) {
      if (a != b) pairs.emplace_back(pus[a].os_index, pus[b].os_index);
    }
  }
  return pairs;
}

std::size_t pair_count(const Topology& topo, bool unordered) {
  const std::size_t n = topo.pus().size();
  return unordered ? n * (n - 1) / 2 : n * (n - 1);
}

PuPair pair_at(const Topology& topo, bool unordered, std::size_t index) {
  const std::size_t count = pair_count(topo, unordered);
  if (index >= count) {
    throw std::out_of_range("pair_at: index " + std::to_string(index) + " of " +
                            std::to_string(count) + " pairs");
  }
  const std::vector<PuInfo>& pus = topo.pus();
  const std::size_t n = pus.size();
  std::size_t a = 0;
  std::size_t b = 0;
  if (unordered) {
    // The last row starting at or before index: rows 0..n-2 start ascending.
    std::size_t low = 0;
    std::size_t high = n - 2;
    while (low < high) {
      const std::size_t mid = low + (high - low + 1) / 2;
      if (row_start(n, mid) <= index) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    a = low;
    b = a + 1 + (index - row_start(n, a));
  } else {
    a = index / (n - 1);
    const std::size_t column = index % (n - 1);
    b = column < a ? column : column + 1;
  }
  return {pus[a].os_index, pus[b].os_index};
}

std::vector<PuPair> sample_pairs(const Topology& topo, unsigned k) {
  std::vector<PuPair> sample;
  if (k == 0) return sample;
  const std::vector<PuInfo>& pus = topo.pus();
  const std::vector<std::size_t> order = spread_positions(topo);

  // same_pu: k PUs, spread.
  std::vector<std::size_t> singles(order.begin(),
                                   order.begin() + std::min<std::size_t>(k, order.size()));
  std::sort(singles.begin(), singles.end());
  for (const std::size_t pu : singles) sample.emplace_back(pus[pu].os_index, pus[pu].os_index);

  std::unordered_map<unsigned, std::size_t> position;
  for (std::size_t i = 0; i < pus.size(); ++i) position.emplace(pus[i].os_index, i);
  const Machine machine(topo);
  for (const auto& [rep_a, rep_b] : representative_pairs(topo)) {
    const PairClass wanted = topo.pair_class(rep_a, rep_b);
    if (wanted.level == DistanceClass::same_pu) continue;
    const std::size_t rep_first = position.at(rep_a);
    std::set<std::pair<std::size_t, std::size_t>> chosen = {{rep_first, position.at(rep_b)}};
    // Round robin over first PUs in spread order, one new pair from each per round (the
    // representative is its first PU's pair of the first round); a first PU with no partner
    // left drops out. Each partner search starts further into the container, by how many
    // pairs are chosen, so partners spread too.
    std::vector<Partners> active;
    for (const std::size_t first : order) active.emplace_back(machine, first, wanted);
    for (bool first_round = true; chosen.size() < k && !active.empty(); first_round = false) {
      std::vector<Partners> still;
      for (Partners& partners : active) {
        if (chosen.size() >= k) break;
        if (first_round && partners.first() == rep_first) {
          still.push_back(std::move(partners));
          continue;
        }
        while (true) {
          const std::size_t partner =
              partners.next(static_cast<double>(chosen.size()) / static_cast<double>(k));
          if (partner == kNone) break;
          const std::size_t first = partners.first();
          if (chosen.insert({std::min(first, partner), std::max(first, partner)}).second) {
            still.push_back(std::move(partners));
            break;
          }
        }
      }
      active = std::move(still);
    }
    for (const auto& [a, b] : chosen) sample.emplace_back(pus[a].os_index, pus[b].os_index);
  }
  return sample;
}

}  // namespace refbench::pinning
