// Pairs on many shapes of machine, checked against brute force over every pair.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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
  std::array<std::optional<PuPair>, kAllDistanceClasses.size()> first_of_class;
  first_of_class[static_cast<std::size_t>(DistanceClass::same_pu)] =
      PuPair{pus.front().os_index, pus.front().os_index};
  for (const auto& [a, b] : all_pairs(topo, /*unordered=*/true)) {
    auto& slot = first_of_class[static_cast<std::size_t>(topo.distance(a, b))];
    if (!slot) slot = PuPair{a, b};
  }
  Pairs pairs;
  for (const auto& pair : first_of_class) {
    if (pair) pairs.push_back(*pair);
  }
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

}  // namespace
}  // namespace refbench::pinning
