#include "pinning/placement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "pinning/topology.h"
#include "tests/pinning/pinning_test_support.h"

namespace refbench::pinning {
namespace {

using testing::error_of;
using testing::kOnePackage;
using testing::kSharedL2;
using testing::kSmt2;
using testing::kTwoSockets;
using testing::two_socket_xml;
using Pus = std::vector<unsigned>;
using Pairs = std::vector<PuPair>;

constexpr std::string_view kListHelp = "use PU OS indices and ranges like 0,2,5-7";

// ---- Policies on (a) one package, 4 cores, no SMT

TEST(Placement, OnePackageFillsCoresInOrder) {
  const Topology topo = Topology::load(kOnePackage);
  EXPECT_EQ(place(topo, "compact", 1), (Pus{0}));
  EXPECT_EQ(place(topo, "compact", 3), (Pus{0, 1, 2}));
  EXPECT_EQ(place(topo, "scatter", 2), (Pus{0, 1}));
  EXPECT_EQ(place(topo, "scatter", 4), (Pus{0, 1, 2, 3}));
  EXPECT_EQ(place(topo, "smt", 1), (Pus{0}));
}

TEST(Placement, OnePackageRefusesWhatItLacks) {
  const Topology topo = Topology::load(kOnePackage);
  EXPECT_EQ(error_of([&] { place(topo, "smt", 2); }),
            "smt needs a core with 2 PUs; synthetic:pack:1 core:4 pu:1 has 1 PU per core");
  EXPECT_EQ(error_of([&] { place(topo, "same-l3", 2); }),
            "same-l3 needs an L3 cache; synthetic:pack:1 core:4 pu:1 has none");
  EXPECT_EQ(error_of([&] { place(topo, "cross-package", 2); }),
            "cross-package needs 2 packages; synthetic:pack:1 core:4 pu:1 has 1");
  EXPECT_EQ(error_of([&] { place(topo, "cross-numa", 2); }),
            "cross-numa needs 2 NUMA nodes; synthetic:pack:1 core:4 pu:1 has 1");
  EXPECT_EQ(error_of([&] { place(topo, "compact", 5); }),
            "compact needs 5 PUs; synthetic:pack:1 core:4 pu:1 has 4");
  EXPECT_EQ(error_of([&] { place(topo, "scatter", 5); }),
            "scatter needs 5 PUs; synthetic:pack:1 core:4 pu:1 has 4");
}

// ---- Policies on (b) one L3, 4 cores of 2 PUs

TEST(Placement, CompactTakesSmtSiblingsFirst) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(place(topo, "compact", 2), (Pus{0, 1}));
  EXPECT_EQ(place(topo, "compact", 3), (Pus{0, 1, 2}));
  EXPECT_EQ(place(topo, "compact", 8), (Pus{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Placement, ScatterUsesEveryCoreBeforeAnySibling) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(place(topo, "scatter", 2), (Pus{0, 2}));
  EXPECT_EQ(place(topo, "scatter", 4), (Pus{0, 2, 4, 6}));
  EXPECT_EQ(place(topo, "scatter", 6), (Pus{0, 2, 4, 6, 1, 3}));
  EXPECT_EQ(place(topo, "scatter", 8), (Pus{0, 2, 4, 6, 1, 3, 5, 7}));
}

TEST(Placement, SmtTakesThePusOfOneCore) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(place(topo, "smt", 2), (Pus{0, 1}));
  EXPECT_EQ(error_of([&] { place(topo, "smt", 3); }),
            "smt needs a core with 3 PUs; synthetic:pack:1 l3:1 core:4 pu:2 has 2 PUs per core");
}

TEST(Placement, SameL3TakesDistinctCores) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(place(topo, "same-l3", 2), (Pus{0, 2}));
  EXPECT_EQ(place(topo, "same-l3", 4), (Pus{0, 2, 4, 6}));
  EXPECT_EQ(error_of([&] { place(topo, "same-l3", 5); }),
            "same-l3 needs 5 cores sharing an L3; synthetic:pack:1 l3:1 core:4 pu:2 has at most "
            "4 per L3");
}

// ---- Policies on (c) 2 packages x 2 NUMA nodes x 2 L3 x 4 cores x 2 PUs

TEST(Placement, ScatterAlternatesPackagesThenNumaNodesThenL3s) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(place(topo, "scatter", 2), (Pus{0, 32}));                         // packages
  EXPECT_EQ(place(topo, "scatter", 4), (Pus{0, 32, 16, 48}));                 // NUMA nodes
  EXPECT_EQ(place(topo, "scatter", 8), (Pus{0, 32, 16, 48, 8, 40, 24, 56}));  // L3s
  const Pus all = place(topo, "scatter", 64);
  EXPECT_EQ(Pus(all.begin() + 8, all.begin() + 12), (Pus{2, 34, 18, 50}));  // next cores
  EXPECT_EQ(Pus(all.begin() + 31, all.begin() + 34), (Pus{62, 1, 33}));     // then siblings
  Pus sorted = all;
  std::sort(sorted.begin(), sorted.end());
  Pus every(64);
  std::iota(every.begin(), every.end(), 0u);
  EXPECT_EQ(sorted, every);
}

TEST(Placement, CrossPackageTakesTheFirstFreeCoreOfEachPackage) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(place(topo, "cross-package", 2), (Pus{0, 32}));
  EXPECT_EQ(place(topo, "cross-package", 5), (Pus{0, 32, 2, 34, 4}));
  const Pus all = place(topo, "cross-package", 64);
  EXPECT_EQ(Pus(all.begin() + 30, all.begin() + 35), (Pus{30, 62, 1, 33, 3}));
}

TEST(Placement, CrossNumaRoundRobinsOverNodes) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(place(topo, "cross-numa", 2), (Pus{0, 16}));
  EXPECT_EQ(place(topo, "cross-numa", 6), (Pus{0, 16, 32, 48, 2, 18}));
}

TEST(Placement, TwoSocketsCompactSmtAndSameL3) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(place(topo, "compact", 4), (Pus{0, 1, 2, 3}));
  EXPECT_EQ(place(topo, "smt", 2), (Pus{0, 1}));
  EXPECT_EQ(place(topo, "same-l3", 3), (Pus{0, 2, 4}));
  EXPECT_EQ(error_of([&] { place(topo, "same-l3", 5); }),
            "same-l3 needs 5 cores sharing an L3; synthetic:pack:2 numa:2 l3:2 core:4 pu:2 has "
            "at most 4 per L3");
  EXPECT_EQ(error_of([&] { place(topo, "cross-package", 65); }),
            "cross-package needs 65 PUs; synthetic:pack:2 numa:2 l3:2 core:4 pu:2 has 64");
}

// ---- Policies on the XML machine, whose OS indices differ from logical order

TEST(Placement, XmlPlansInOsIndices) {
  const Topology topo = Topology::load(two_socket_xml());
  EXPECT_EQ(place(topo, "compact", 3), (Pus{0, 8, 1}));
  EXPECT_EQ(place(topo, "scatter", 4), (Pus{0, 4, 1, 5}));
  EXPECT_EQ(place(topo, "scatter", 10), (Pus{0, 4, 1, 5, 2, 6, 3, 7, 8, 12}));
  EXPECT_EQ(place(topo, "smt", 2), (Pus{0, 8}));
  EXPECT_EQ(place(topo, "same-l3", 4), (Pus{0, 1, 2, 3}));
  EXPECT_EQ(place(topo, "cross-package", 3), (Pus{0, 4, 1}));
  EXPECT_EQ(place(topo, "cross-numa", 2), (Pus{0, 4}));
  EXPECT_EQ(place(topo, "8,0", 2), (Pus{8, 0}));
}

TEST(Placement, ScatterSpreadsOverSharedL2s) {
  const Topology topo = Topology::load(kSharedL2);
  EXPECT_EQ(place(topo, "scatter", 4), (Pus{0, 2, 1, 3}));
}

TEST(Placement, OrderedPoliciesGrowByAddingInterpreters) {
  for (const std::string& source : {std::string(kTwoSockets), two_socket_xml()}) {
    const Topology topo = Topology::load(source);
    const unsigned all = static_cast<unsigned>(topo.pus().size());
    for (const char* policy : {"compact", "scatter", "cross-package", "cross-numa"}) {
      const Pus full = place(topo, policy, all);
      for (unsigned n = 1; n < all; ++n) {
        ASSERT_EQ(place(topo, policy, n), Pus(full.begin(), full.begin() + n))
            << policy << " " << n << " on " << source;
      }
    }
  }
}

// ---- Spec errors common to all

TEST(Placement, ZeroInterpretersIsAnError) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(error_of([&] { place(topo, "compact", 0); }),
            "placement 'compact' for 0 interpreters: need at least 1");
  EXPECT_EQ(error_of([&] { place(topo, "0", 0); }),
            "placement '0' for 0 interpreters: need at least 1");
}

TEST(Placement, UnknownPolicyListsTheAllowedNames) {
  const Topology topo = Topology::load(kSmt2);
  const std::string allowed = std::string(kListHelp) +
                              ", a LIKWID expression (N:0-3, S0:0-1@S1:0-1, E:N:8:1:2, "
                              "S:scatter), or one of compact, scatter, smt, same-l3, "
                              "cross-package, cross-numa";
  EXPECT_EQ(error_of([&] { place(topo, "a", 1); }), "unknown placement 'a': " + allowed);
  EXPECT_EQ(error_of([&] { place(topo, "Compact", 1); }),
            "unknown placement 'Compact': " + allowed);
  EXPECT_EQ(error_of([&] { place(topo, "", 1); }), "empty placement: " + allowed);
}

// ---- Explicit lists

TEST(PuList, RangesAndRepeatsExpandInOrder) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(place(topo, "0,2,5-7", 5), (Pus{0, 2, 5, 6, 7}));
  EXPECT_EQ(place(topo, "0,0", 2), (Pus{0, 0}));
  EXPECT_EQ(place(topo, "3-3", 1), (Pus{3}));
  EXPECT_EQ(place(topo, "7,6-7,0", 4), (Pus{7, 6, 7, 0}));
}

TEST(PuList, MustNameOnePuPerInterpreter) {
  const Topology topo = Topology::load(kSmt2);
  EXPECT_EQ(error_of([&] { place(topo, "0,1,2", 2); }), "0,1,2 names 3 PUs for 2 interpreters");
  EXPECT_EQ(error_of([&] { place(topo, "0", 2); }), "0 names 1 PU for 2 interpreters");
  EXPECT_EQ(error_of([&] { place(topo, "0-1", 1); }), "0-1 names 2 PUs for 1 interpreter");
  // Counted before expanding: a huge range fails at once.
  EXPECT_EQ(error_of([&] { place(topo, "0-4000000000", 2); }),
            "0-4000000000 names 4000000001 PUs for 2 interpreters");
}

// run --cores: an explicit list sets how many interpreters run; a policy does not.
TEST(PuList, CountsThePusAListNames) {
  EXPECT_EQ(pus_named("0,1"), 2u);
  EXPECT_EQ(pus_named("0,1,0"), 3u);
  EXPECT_EQ(pus_named("0-3,0"), 5u);
  EXPECT_EQ(pus_named("0-4000000000"), 4000000001u) << "counted, not expanded";
  EXPECT_EQ(pus_named("scatter"), std::nullopt);
  EXPECT_EQ(pus_named("cross-package"), std::nullopt);
  EXPECT_EQ(pus_named("nonsense"), std::nullopt) << "place() says what is wrong with it";
  EXPECT_EQ(error_of([] { pus_named("3-1"); }),
            "bad PU list '3-1': range 3-1 runs backwards; " + std::string(kListHelp));
}

TEST(PuList, MalformedTextNamesItselfAndTheSyntax) {
  const Topology topo = Topology::load(kSmt2);
  const std::string help(kListHelp);
  EXPECT_EQ(error_of([&] { place(topo, "1-", 1); }),
            "bad PU list '1-': '1-' is not a PU or a range; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "3-1", 3); }),
            "bad PU list '3-1': range 3-1 runs backwards; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "0,,1", 2); }), "bad PU list '0,,1': empty item; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "0,", 1); }), "bad PU list '0,': empty item; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "0, 1", 2); }),
            "bad PU list '0, 1': ' 1' is not a PU or a range; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "1,a", 2); }),
            "bad PU list '1,a': 'a' is not a PU or a range; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "1-2-3", 2); }),
            "bad PU list '1-2-3': '1-2-3' is not a PU or a range; " + help);
  EXPECT_EQ(error_of([&] { place(topo, "99999999999", 1); }),
            "bad PU list '99999999999': '99999999999' is not a PU or a range; " + help);
}

TEST(PuList, PuNotInTheTopologyShowsThePusThatAre) {
  const Topology synthetic = Topology::load(kOnePackage);
  EXPECT_EQ(error_of([&] { place(synthetic, "0,9", 2); }),
            "PU 9 is not in synthetic:pack:1 core:4 pu:1 (PUs: 0-3)");
  const Topology xml = Topology::load(two_socket_xml());
  EXPECT_EQ(error_of([&] { place(xml, "16", 1); }),
            "PU 16 is not in " + two_socket_xml() + " (PUs: 0-15)");
  const Topology here = Topology::this_machine();
  EXPECT_EQ(
      error_of([&] { place(here, "100000", 1); }).rfind("PU 100000 is not on this machine", 0), 0u);
}

// ---- Pairs

TEST(RepresentativePairs, TwoSocketsHasOnePairPerClass) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(representative_pairs(topo), (Pairs{{0, 0}, {0, 1}, {0, 2}, {0, 8}, {0, 16}, {0, 32}}));
}

TEST(RepresentativePairs, FollowTopologyOrderNotOsOrder) {
  const Topology topo = Topology::load(two_socket_xml());
  const Pairs pairs = representative_pairs(topo);
  EXPECT_EQ(pairs, (Pairs{{0, 0}, {0, 8}, {0, 1}, {0, 4}}));
  std::vector<DistanceClass> classes;
  for (const auto& [a, b] : pairs) classes.push_back(topo.distance(a, b));
  EXPECT_EQ(classes,
            (std::vector<DistanceClass>{DistanceClass::same_pu, DistanceClass::smt_sibling,
                                        DistanceClass::shared_l3, DistanceClass::cross_package}));
}

TEST(RepresentativePairs, SmallMachines) {
  EXPECT_EQ(representative_pairs(Topology::load(kOnePackage)), (Pairs{{0, 0}, {0, 1}}));
  EXPECT_EQ(representative_pairs(Topology::load(kSmt2)), (Pairs{{0, 0}, {0, 1}, {0, 2}}));
  EXPECT_EQ(representative_pairs(Topology::load(kSharedL2)), (Pairs{{0, 0}, {0, 1}, {0, 2}}));
  const Topology here = Topology::this_machine();
  const Pairs pairs = representative_pairs(here);
  ASSERT_FALSE(pairs.empty());
  EXPECT_EQ(pairs.front(), (PuPair{here.pus().front().os_index, here.pus().front().os_index}));
}

TEST(AllPairs, OnePackageListsEveryPairInTopologyOrder) {
  const Topology topo = Topology::load(kOnePackage);
  EXPECT_EQ(all_pairs(topo, /*unordered=*/true),
            (Pairs{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}));
  EXPECT_EQ(all_pairs(topo, /*unordered=*/false), (Pairs{{0, 1},
                                                         {0, 2},
                                                         {0, 3},
                                                         {1, 0},
                                                         {1, 2},
                                                         {1, 3},
                                                         {2, 0},
                                                         {2, 1},
                                                         {2, 3},
                                                         {3, 0},
                                                         {3, 1},
                                                         {3, 2}}));
}

TEST(AllPairs, CountsOnTwoSocketsAndXml) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(all_pairs(topo, false).size(), 64u * 63u);
  EXPECT_EQ(all_pairs(topo, true).size(), 64u * 63u / 2u);
  const Pairs xml = all_pairs(Topology::load(two_socket_xml()), true);
  EXPECT_EQ(xml.size(), 120u);
  EXPECT_EQ(Pairs(xml.begin(), xml.begin() + 3), (Pairs{{0, 8}, {0, 1}, {0, 9}}));
  EXPECT_EQ(xml.back(), (PuPair{7, 15}));
}

}  // namespace
}  // namespace refbench::pinning
