// Pairs on many shapes of machine, checked against brute force over every pair.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "pinning/placement.h"
#include "pinning/topology.h"
#include "tests/pinning/pinning_test_support.h"

namespace refbench::pinning {
namespace {

using Pairs = std::vector<PuPair>;

// representative_pairs as it was: the first pair of each class over every unordered pair.
Pairs representative_pairs_by_brute_force(const Topology& topo) {
  const std::vector<PuInfo>& pus = topo.pus();
  std::map<PairClass, PuPair> first_of_class;
  first_of_class.emplace(PairClass{}, PuPair{pus.front().os_index, pus.front().os_index});
  for (const auto& [a, b] : all_pairs(topo, /*unordered=*/true)) {
    first_of_class.try_emplace(topo.pair_class(a, b), PuPair{a, b});
  }
  Pairs pairs;
  for (const auto& [c, pair] : first_of_class) pairs.push_back(pair);
  return pairs;
}

// Machines of many shapes: with and without SMT, shared L2, split L3, L3 above NUMA nodes
// and NUMA nodes above L3s, several packages, no package level, no core level, an L3
// spanning packages, NUMA nodes spanning packages (no numa level), and the XML files.
std::vector<std::string> shapes() {
  std::vector<std::string> specs = {
      std::string(testing::kOnePackage),
      std::string(testing::kSmt2),
      std::string(testing::kTwoSockets),
      std::string(testing::kSharedL2),
      "synthetic:pack:2 l3:2 core:3 pu:1",
      "synthetic:pack:2 numa:3 core:2 pu:1",
      "synthetic:pack:4 numa:2 l3:2 l2:2 core:2 pu:2",
      "synthetic:pack:2 l3:1 numa:2 core:2 pu:2",
      "synthetic:pack:1 numa:2 l3:2 l2:2 core:2 pu:1",
      "synthetic:core:8 pu:2",
      "synthetic:numa:2 core:4 pu:2",
      "synthetic:numa:2 l3:2 core:2 pu:1",
      "synthetic:pack:2 pu:3",
      "synthetic:pu:5",
      "synthetic:pack:1 core:1 pu:1",
      "synthetic:l3:1 pack:2 core:2 pu:1",
      "synthetic:pack:3 numa:2 l3:2 core:4 pu:4",
      testing::two_socket_xml(),
      testing::nps4_xml(),
      testing::uneven_smt_xml(),
  };
  return specs;
}

TEST(RepresentativePairsFast, MatchBruteForceOnEveryShape) {
  for (const std::string& spec : shapes()) {
    SCOPED_TRACE(spec);
    const Topology topo = Topology::load(spec);
    EXPECT_EQ(representative_pairs(topo), representative_pairs_by_brute_force(topo));
  }
}

// The first SMT pair comes late: the scan must go on past the first PU's row.
TEST(RepresentativePairsFast, UnevenMachineScansOnForAClassFoundLate) {
  const Topology topo = Topology::load(testing::uneven_smt_xml());
  EXPECT_EQ(representative_pairs(topo), (Pairs{{0, 0}, {6, 7}, {0, 2}, {0, 6}}));
}

TEST(RepresentativePairsFast, MatchBruteForceOnThisMachine) {
  const Topology here = Topology::this_machine();
  EXPECT_EQ(representative_pairs(here), representative_pairs_by_brute_force(here));
}

// 16,384 PUs: brute force would look at 134 million pairs, so the expected pairs are read
// off the description (PU p is on core p/4, L3 p/64, NUMA node p/256, package p/1024).
TEST(RepresentativePairsFast, HugeMachines) {
  const Topology smt = Topology::load("synthetic:pack:16 numa:4 l3:4 core:16 pu:4");
  EXPECT_EQ(representative_pairs(smt),
            (Pairs{{0, 0}, {0, 1}, {0, 4}, {0, 64}, {0, 256}, {0, 1024}}));
  const Topology no_smt = Topology::load("synthetic:pack:16 numa:4 l3:4 core:64 pu:1");
  EXPECT_EQ(representative_pairs(no_smt), (Pairs{{0, 0}, {0, 1}, {0, 64}, {0, 256}, {0, 1024}}));
}

// One package in four NUMA nodes at distances 10/12/32 (AMD's NPS4): the structure alone
// makes every cross-node pair same_package; the matrix splits them, and the farthest class
// holds a pair at distance 32.
TEST(RepresentativePairsNuma, ClassesSplitByTheDistanceMatrix) {
  const Topology topo = Topology::load(testing::nps4_xml());
  EXPECT_EQ(representative_pairs(topo), (Pairs{{0, 0}, {0, 1}, {0, 2}, {0, 6}}));
  EXPECT_EQ(name(topo.pair_class(0, 2)), "numa_distance_12");
  EXPECT_EQ(name(topo.pair_class(0, 6)), "numa_distance_32");
}

TEST(SamplePairsNuma, EachDistanceIsAClassOfItsOwn) {
  const Topology topo = Topology::load(testing::nps4_xml());
  // Nodes 0-3 hold PUs 0,1 / 2,3 / 4,5 / 6,7; 0-3 and 1-2 are at 32, the rest at 12.
  // same_pu, then same_numa, then 12 (nodes 0-1, 1-3, 2-3), then 32 (nodes 0-3, 1-2, 1-2).
  const Pairs expected = {{0, 0}, {2, 2}, {4, 4}, {0, 1}, {2, 3}, {4, 5},
                          {0, 2}, {2, 6}, {4, 6}, {0, 6}, {2, 4}, {3, 4}};
  EXPECT_EQ(sample_pairs(topo, 3), expected);
}

// ---- pair_count and pair_at: all_pairs without the vector

TEST(PairAt, MatchesAllPairsOnEveryShape) {
  for (const std::string& spec : shapes()) {
    SCOPED_TRACE(spec);
    const Topology topo = Topology::load(spec);
    for (const bool unordered : {false, true}) {
      SCOPED_TRACE(unordered ? "unordered" : "ordered");
      const Pairs all = all_pairs(topo, unordered);
      ASSERT_EQ(pair_count(topo, unordered), all.size());
      for (std::size_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(pair_at(topo, unordered, i), all[i]) << "index " << i;
      }
      EXPECT_THROW(pair_at(topo, unordered, all.size()), std::out_of_range);
    }
  }
}

TEST(PairAt, OnePuHasNoPairs) {
  const Topology topo = Topology::load("synthetic:pack:1 core:1 pu:1");
  EXPECT_EQ(pair_count(topo, true), 0u);
  EXPECT_EQ(pair_count(topo, false), 0u);
  EXPECT_THROW(pair_at(topo, true, 0), std::out_of_range);
  EXPECT_THROW(pair_at(topo, false, 0), std::out_of_range);
}

// 16,384 PUs (OS index = logical index): 268 million ordered pairs, 134 million unordered;
// row a of the unordered pairs starts at a(2n - a - 1)/2.
TEST(PairAt, SpotChecksOnAHugeMachine) {
  const Topology topo = Topology::load("synthetic:pack:16 numa:4 l3:4 core:16 pu:4");
  const std::size_t n = 16384;
  ASSERT_EQ(topo.pus().size(), n);
  EXPECT_EQ(pair_count(topo, false), n * (n - 1));
  EXPECT_EQ(pair_count(topo, true), n * (n - 1) / 2);

  EXPECT_EQ(pair_at(topo, false, 0), (PuPair{0, 1}));
  EXPECT_EQ(pair_at(topo, false, n - 2), (PuPair{0, n - 1}));
  EXPECT_EQ(pair_at(topo, false, n - 1), (PuPair{1, 0}));
  EXPECT_EQ(pair_at(topo, false, n), (PuPair{1, 2}));
  EXPECT_EQ(pair_at(topo, false, 5000 * (n - 1) + 5000), (PuPair{5000, 5001}));
  EXPECT_EQ(pair_at(topo, false, 5000 * (n - 1) + 4999), (PuPair{5000, 4999}));
  EXPECT_EQ(pair_at(topo, false, n * (n - 1) - 1), (PuPair{n - 1, n - 2}));

  auto row_start = [&](std::size_t a) { return a * (2 * n - a - 1) / 2; };
  EXPECT_EQ(pair_at(topo, true, 0), (PuPair{0, 1}));
  EXPECT_EQ(pair_at(topo, true, n - 2), (PuPair{0, n - 1}));
  EXPECT_EQ(pair_at(topo, true, n - 1), (PuPair{1, 2}));
  for (const std::size_t a : {std::size_t{1}, std::size_t{777}, std::size_t{8191}, n - 20}) {
    EXPECT_EQ(pair_at(topo, true, row_start(a)), (PuPair{a, a + 1}));
    EXPECT_EQ(pair_at(topo, true, row_start(a) - 1), (PuPair{a - 1, n - 1}));
    EXPECT_EQ(pair_at(topo, true, row_start(a) + 10), (PuPair{a, a + 11}));
  }
  EXPECT_EQ(pair_at(topo, true, n * (n - 1) / 2 - 1), (PuPair{n - 2, n - 1}));
  EXPECT_THROW(pair_at(topo, true, n * (n - 1) / 2), std::out_of_range);
  EXPECT_THROW(pair_at(topo, false, n * (n - 1)), std::out_of_range);
}

// ---- sample_pairs

// The number of pairs of each class: PUs for same_pu, unordered pairs of distinct PUs for
// the rest.
std::map<PairClass, std::size_t> class_sizes(const Topology& topo) {
  std::map<PairClass, std::size_t> sizes;
  sizes[PairClass{}] = topo.pus().size();
  for (const auto& [a, b] : all_pairs(topo, /*unordered=*/true)) ++sizes[topo.pair_class(a, b)];
  return sizes;
}

std::size_t position_of(const Topology& topo, unsigned pu) {
  const std::vector<PuInfo>& pus = topo.pus();
  for (std::size_t i = 0; i < pus.size(); ++i) {
    if (pus[i].os_index == pu) return i;
  }
  return pus.size();
}

// What every sample must be: k pairs of each class (all where it has fewer), each really of
// its class, distinct, in topology order within the pair, sorted by class then topology
// order, and holding each class's representative.
void expect_sound_sample(const Topology& topo, unsigned k) {
  const Pairs sample = sample_pairs(topo, k);
  const auto sizes = class_sizes(topo);
  std::map<PairClass, std::size_t> counts;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const auto& [a, b] = sample[i];
    const PairClass c = topo.pair_class(a, b);
    ++counts[c];
    if (c.level != DistanceClass::same_pu) {
      EXPECT_LT(position_of(topo, a), position_of(topo, b));
    }
    if (i == 0) continue;
    const auto& [pa, pb] = sample[i - 1];
    const auto before =
        std::tuple(topo.pair_class(pa, pb), position_of(topo, pa), position_of(topo, pb));
    const auto here = std::tuple(c, position_of(topo, a), position_of(topo, b));
    EXPECT_LT(before, here) << "pair " << i << " (" << a << "," << b << ")";
  }
  for (const auto& [c, size] : sizes) {
    EXPECT_EQ(counts[c], std::min<std::size_t>(k, size)) << name(c) << ", k " << k;
  }
  EXPECT_EQ(counts.size(), sizes.size()) << "a class the machine does not have, k " << k;
  for (const PuPair& representative : representative_pairs(topo)) {
    EXPECT_NE(std::find(sample.begin(), sample.end(), representative), sample.end())
        << representative.first << "," << representative.second << ", k " << k;
  }
}

TEST(SamplePairs, CountsAndClassesOnEveryShape) {
  for (const std::string& spec : shapes()) {
    SCOPED_TRACE(spec);
    const Topology topo = Topology::load(spec);
    for (const unsigned k : {1u, 2u, 3u, 5u, 17u, 1000u}) expect_sound_sample(topo, k);
  }
}

TEST(SamplePairs, ZeroAsksForNothing) {
  EXPECT_TRUE(sample_pairs(Topology::load(testing::kTwoSockets), 0).empty());
}

TEST(SamplePairs, KAtLeastAClassGivesTheWholeClass) {
  const Topology topo = Topology::load(testing::kSmt2);  // 4 cores of 2 PUs, one L3
  EXPECT_EQ(sample_pairs(topo, 100),
            (Pairs{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {0, 1},
                   {2, 3}, {4, 5}, {6, 7}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7},
                   {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}, {2, 4}, {2, 5}, {2, 6},
                   {2, 7}, {3, 4}, {3, 5}, {3, 6}, {3, 7}, {4, 6}, {4, 7}, {5, 6}, {5, 7}}));
}

// (c): 2 packages of 2 NUMA nodes (PU p on NUMA node p/16, package p/32), no shared L2.
// With k = 4 the pairs of every class reach every NUMA node: first PUs go round the packages
// and then the NUMA nodes, and partners spread over the container the two share (a pair's
// first PU is the earlier in topology order, so across packages it is always in package 0:
// there the partners must spread).
TEST(SamplePairs, SpreadOverPackagesAndNumaNodes) {
  const Topology topo = Topology::load(testing::kTwoSockets);
  const Pairs sample = sample_pairs(topo, 4);
  constexpr std::size_t kClasses = kAllDistanceClasses.size();
  std::array<std::set<int>, kClasses> nodes;
  std::array<std::set<int>, kClasses> first_nodes;
  std::array<std::set<int>, kClasses> partner_nodes;
  for (const auto& [a, b] : sample) {
    const std::size_t c = static_cast<std::size_t>(topo.distance(a, b));
    nodes[c].insert({topo.pu(a).numa, topo.pu(b).numa});
    first_nodes[c].insert(topo.pu(a).numa);
    partner_nodes[c].insert(topo.pu(b).numa);
  }
  for (const DistanceClass c : kAllDistanceClasses) {
    const std::size_t i = static_cast<std::size_t>(c);
    EXPECT_EQ(nodes[i].size(), c == DistanceClass::shared_l2 ? 0u : 4u) << name(c);
  }
  for (const DistanceClass c : {DistanceClass::same_pu, DistanceClass::smt_sibling,
                                DistanceClass::shared_l3, DistanceClass::same_numa}) {
    EXPECT_EQ(first_nodes[static_cast<std::size_t>(c)].size(), 4u) << name(c);
  }
  EXPECT_EQ(partner_nodes[static_cast<std::size_t>(DistanceClass::same_package)],
            (std::set<int>{1, 3}));
  EXPECT_EQ(partner_nodes[static_cast<std::size_t>(DistanceClass::cross_package)],
            (std::set<int>{2, 3}));
  // Distinct first PUs where the class allows: no class leans on one PU.
  for (const DistanceClass c : kAllDistanceClasses) {
    std::set<unsigned> firsts;
    std::size_t pairs = 0;
    for (const auto& [a, b] : sample) {
      if (topo.distance(a, b) != c) continue;
      ++pairs;
      firsts.insert(a);
    }
    if (c != DistanceClass::same_package && c != DistanceClass::cross_package) {
      EXPECT_EQ(firsts.size(), pairs) << name(c);
    }
  }
}

TEST(SamplePairs, Deterministic) {
  for (const std::string& spec :
       {std::string(testing::kTwoSockets), testing::two_socket_xml(), testing::uneven_smt_xml()}) {
    SCOPED_TRACE(spec);
    const Pairs once = sample_pairs(Topology::load(spec), 5);
    EXPECT_EQ(sample_pairs(Topology::load(spec), 5), once);
    EXPECT_EQ(sample_pairs(Topology::load(spec), 5), once);
  }
}

// 16,384 PUs: no scan of every pair (not timed here). PU p is on core p/4, L3 p/64, NUMA
// node p/256, package p/1024.
TEST(SamplePairs, HugeMachine) {
  const Topology topo = Topology::load("synthetic:pack:16 numa:4 l3:4 core:16 pu:4");
  const Pairs sample = sample_pairs(topo, 10);
  ASSERT_EQ(sample.size(), 60u);  // 6 classes of 10
  std::array<std::size_t, kAllDistanceClasses.size()> counts{};
  std::set<int> first_packages;
  std::set<int> partner_packages;
  for (const auto& [a, b] : sample) {
    const DistanceClass c = topo.distance(a, b);
    ++counts[static_cast<std::size_t>(c)];
    if (c == DistanceClass::cross_package) {
      first_packages.insert(topo.pu(a).package);
      partner_packages.insert(topo.pu(b).package);
    }
  }
  EXPECT_EQ(counts,
            (std::array<std::size_t, kAllDistanceClasses.size()>{10, 10, 0, 10, 10, 10, 10}));
  EXPECT_GT(first_packages.size(), 5u);
  EXPECT_GT(partner_packages.size(), 5u);
  EXPECT_EQ(sample_pairs(topo, 10), sample);
}

}  // namespace
}  // namespace refbench::pinning
