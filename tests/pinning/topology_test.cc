#include "pinning/topology.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pinning/distance.h"
#include "tests/pinning/pinning_test_support.h"

namespace refbench::pinning {
namespace {

using testing::data_path;
using testing::error_of;
using testing::kOnePackage;
using testing::kSharedL2;
using testing::kSmt2;
using testing::kTwoSockets;
using testing::nps4_xml;
using testing::read_file;
using testing::two_socket_xml;

// ---- Loading

TEST(TopologyLoad, EmptyAndThisMeanThisMachine) {
  for (const char* spec : {"", "this"}) {
    const Topology topo = Topology::load(spec);
    EXPECT_TRUE(topo.is_this_machine()) << spec;
    EXPECT_EQ(topo.source(), "this machine");
    EXPECT_FALSE(topo.pus().empty());
  }
  EXPECT_TRUE(Topology::this_machine().is_this_machine());
}

TEST(TopologyLoad, SyntheticDropsQuotesAroundTheDescription) {
  for (const char* spec :
       {"synthetic:pack:2 numa:2 l3:2 core:4 pu:2", "synthetic:\"pack:2 numa:2 l3:2 core:4 pu:2\"",
        "synthetic:'pack:2 numa:2 l3:2 core:4 pu:2'"}) {
    const Topology topo = Topology::load(spec);
    EXPECT_EQ(topo.source(), kTwoSockets) << spec;
    EXPECT_FALSE(topo.is_this_machine());
    EXPECT_EQ(topo.pus().size(), 64u);
  }
}

TEST(TopologyLoad, XmlIsNotThisMachine) {
  const Topology topo = Topology::load(two_socket_xml());
  EXPECT_EQ(topo.source(), two_socket_xml());
  EXPECT_FALSE(topo.is_this_machine());
}

TEST(TopologyLoad, UnknownPrefixSaysWhatIsAllowed) {
  EXPECT_EQ(error_of([] { Topology::load("lstopo:foo"); }),
            "unknown topology 'lstopo:foo': use 'this', 'synthetic:DESCRIPTION' (e.g. "
            "synthetic:pack:2 core:4 pu:2) or 'xml:FILE'");
}

TEST(TopologyLoad, BadSyntheticDescriptionNamesTheCallAndTheSyntax) {
  EXPECT_EQ(error_of([] { Topology::load("synthetic:pack:two"); }),
            "cannot load topology 'synthetic:pack:two': hwloc_topology_set_synthetic failed: "
            "Invalid argument (describe levels outermost first, e.g. synthetic:pack:2 numa:2 "
            "l3:2 core:4 pu:2)");
}

TEST(TopologyLoad, MissingXmlFileNamesStrerror) {
  EXPECT_EQ(error_of([] { Topology::load("xml:/nonexistent/machine.xml"); }),
            "cannot load topology 'xml:/nonexistent/machine.xml': hwloc_topology_set_xml "
            "failed: No such file or directory");
}

TEST(TopologyLoad, FileThatIsNotXmlIsRefused) {
  const std::string spec = "xml:" + data_path("golden-row.csv");
  // Which hwloc call refuses it depends on the XML backend installed (libxml2 checks in
  // set_xml, the minimal parser only in load); the message names the call either way.
  const std::string error = error_of([&] { Topology::load(spec); });
  const std::string prefix = "cannot load topology '" + spec + "': hwloc_topology_";
  EXPECT_TRUE(error == prefix + "set_xml failed: Invalid argument" ||
              error == prefix + "load failed: Invalid argument")
      << error;
}

TEST(TopologyLoad, MovedTopologyKeepsItsPus) {
  Topology first = Topology::load(kSmt2);
  Topology second = std::move(first);
  EXPECT_EQ(second.pus().size(), 8u);
  first = Topology::load(kOnePackage);
  EXPECT_EQ(first.pus().size(), 4u);
  EXPECT_EQ(second.distance(0, 1), DistanceClass::smt_sibling);
}

// ---- Levels and PUs

struct Counts {
  unsigned packages, numa_nodes, l3, l2, cores, pus, pus_per_core;
  bool operator==(const Counts&) const = default;
};

Counts counts_of(const Topology& topo) {
  return {topo.packages(),    topo.numa_nodes(), topo.l3_caches(),
          topo.l2_caches(),   topo.cores(),      static_cast<unsigned>(topo.pus().size()),
          topo.pus_per_core()};
}

void PrintTo(const Counts& c, std::ostream* os) {
  *os << c.packages << " packages, " << c.numa_nodes << " NUMA, " << c.l3 << " L3, " << c.l2
      << " L2, " << c.cores << " cores, " << c.pus << " PUs, " << c.pus_per_core << " per core";
}

TEST(TopologyLevels, CountsEveryLevel) {
  // hwloc gives every synthetic machine a NUMA node even where the description names none.
  EXPECT_EQ(counts_of(Topology::load(kOnePackage)), (Counts{1, 1, 0, 0, 4, 4, 1}));
  EXPECT_EQ(counts_of(Topology::load(kSmt2)), (Counts{1, 1, 1, 0, 4, 8, 2}));
  EXPECT_EQ(counts_of(Topology::load(kTwoSockets)), (Counts{2, 4, 8, 0, 32, 64, 2}));
  EXPECT_EQ(counts_of(Topology::load(two_socket_xml())), (Counts{2, 2, 2, 8, 8, 16, 2}));
  EXPECT_EQ(counts_of(Topology::load(kSharedL2)), (Counts{1, 1, 1, 2, 4, 4, 1}));
}

TEST(TopologyLevels, TwoSocketsPlacesEveryPuInItsContainers) {
  const Topology topo = Topology::load(kTwoSockets);
  ASSERT_EQ(topo.pus().size(), 64u);
  for (unsigned p = 0; p < 64; ++p) {
    const PuInfo& info = topo.pus()[p];
    EXPECT_EQ(info.os_index, p);
    EXPECT_EQ(info.core, static_cast<int>(p / 2)) << "PU " << p;
    EXPECT_EQ(info.l2, -1) << "PU " << p;
    EXPECT_EQ(info.l3, static_cast<int>(p / 8)) << "PU " << p;
    EXPECT_EQ(info.numa, static_cast<int>(p / 16)) << "PU " << p;
    EXPECT_EQ(info.package, static_cast<int>(p / 32)) << "PU " << p;
    EXPECT_EQ(&topo.pu(p), &info);
  }
}

TEST(TopologyLevels, XmlListsPusInLogicalOrderWithTheirOsIndices) {
  const Topology topo = Topology::load(two_socket_xml());
  std::vector<unsigned> order;
  for (const PuInfo& info : topo.pus()) order.push_back(info.os_index);
  EXPECT_EQ(order, (std::vector<unsigned>{0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15}));
  const PuInfo& sibling = topo.pu(8);
  EXPECT_EQ(std::vector<int>({sibling.core, sibling.l2, sibling.l3, sibling.numa, sibling.package}),
            std::vector<int>({0, 0, 0, 0, 0}));
  const PuInfo& second_socket = topo.pu(13);
  EXPECT_EQ(std::vector<int>({second_socket.core, second_socket.l2, second_socket.l3,
                              second_socket.numa, second_socket.package}),
            std::vector<int>({5, 5, 1, 1, 1}));
}

TEST(TopologyLevels, MissingPuNamesTheTopologyAndItsPus) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_TRUE(topo.has_pu(63));
  EXPECT_FALSE(topo.has_pu(64));
  EXPECT_EQ(error_of([&] { topo.pu(64); }),
            "PU 64 is not in synthetic:pack:2 numa:2 l3:2 core:4 pu:2 (PUs: 0-63)");
  const Topology gaps = Topology::load("synthetic:pack:1 core:3 pu:2(indexes=0,1,4,5,6,9)");
  EXPECT_EQ(error_of([&] { gaps.pu(2); }),
            "PU 2 is not in synthetic:pack:1 core:3 pu:2(indexes=0,1,4,5,6,9) (PUs: 0-1,4-6,9)");
  const Topology here = Topology::this_machine();
  EXPECT_EQ(error_of([&] { here.pu(100000); }).rfind("PU 100000 is not on this machine (PUs: ", 0),
            0u);
}

// ---- Distance classes

TEST(Distance, TwoSocketsHasEveryClassButSharedL2) {
  const Topology topo = Topology::load(kTwoSockets);
  const std::vector<std::pair<std::pair<unsigned, unsigned>, DistanceClass>> expected = {
      {{5, 5}, DistanceClass::same_pu},        {{0, 1}, DistanceClass::smt_sibling},
      {{7, 6}, DistanceClass::smt_sibling},    {{0, 2}, DistanceClass::shared_l3},
      {{8, 15}, DistanceClass::shared_l3},     {{0, 8}, DistanceClass::same_numa},
      {{23, 31}, DistanceClass::same_numa},    {{0, 16}, DistanceClass::same_package},
      {{15, 16}, DistanceClass::same_package}, {{47, 48}, DistanceClass::same_package},
      {{0, 32}, DistanceClass::cross_package}, {{31, 32}, DistanceClass::cross_package},
      {{63, 0}, DistanceClass::cross_package},
  };
  for (const auto& [pair, distance] : expected) {
    EXPECT_EQ(name(topo.distance(pair.first, pair.second)), name(distance))
        << pair.first << "," << pair.second;
  }
}

TEST(Distance, IsSymmetric) {
  const Topology topo = Topology::load(kTwoSockets);
  for (const PuInfo& a : topo.pus()) {
    for (const PuInfo& b : topo.pus()) {
      ASSERT_EQ(topo.distance(a.os_index, b.os_index), topo.distance(b.os_index, a.os_index));
    }
  }
}

TEST(Distance, CoresUnderOneL2AreSharedL2) {
  const Topology topo = Topology::load(kSharedL2);
  EXPECT_EQ(topo.distance(0, 1), DistanceClass::shared_l2);
  EXPECT_EQ(topo.distance(2, 3), DistanceClass::shared_l2);
  EXPECT_EQ(topo.distance(1, 2), DistanceClass::shared_l3);
}

TEST(Distance, TiesGoToTheMoreSpecificLevel) {
  const Topology xml = Topology::load(two_socket_xml());
  EXPECT_EQ(xml.distance(0, 8), DistanceClass::smt_sibling);  // core and L2 hold PUs 0,8
  EXPECT_EQ(xml.distance(0, 1), DistanceClass::shared_l3);    // L3 = NUMA = package
  EXPECT_EQ(xml.distance(3, 4), DistanceClass::cross_package);
  const Topology one_package = Topology::load(kOnePackage);
  EXPECT_EQ(one_package.distance(0, 3), DistanceClass::same_numa);  // NUMA = package
}

TEST(Distance, WithoutPackagesTheMachineIsOnePackage) {
  const Topology topo = Topology::load("synthetic:numa:2 core:2 pu:1");
  ASSERT_EQ(topo.packages(), 0u);
  EXPECT_EQ(topo.distance(0, 1), DistanceClass::same_numa);
  EXPECT_EQ(topo.distance(1, 2), DistanceClass::same_package);
}

TEST(Distance, UnknownPuThrows) {
  const Topology topo = Topology::load(kOnePackage);
  EXPECT_EQ(error_of([&] { topo.distance(0, 4); }),
            "PU 4 is not in synthetic:pack:1 core:4 pu:1 (PUs: 0-3)");
}

TEST(Distance, NamesRoundTripInCsvSpelling) {
  std::vector<std::string> names;
  for (const DistanceClass c : kAllDistanceClasses) {
    names.emplace_back(name(c));
    EXPECT_EQ(parse_distance_class(name(c)), c);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"same_pu", "smt_sibling", "shared_l2", "shared_l3",
                                             "same_numa", "same_package", "cross_package"}));
  EXPECT_EQ(parse_distance_class("same-pu"), std::nullopt);
  EXPECT_EQ(parse_distance_class(""), std::nullopt);
}

TEST(PairClass, NamesRoundTripAndRankAfterSameNuma) {
  for (const DistanceClass c : kAllDistanceClasses) {
    EXPECT_EQ(parse_pair_class(name(c)), (PairClass{c, 0}));
  }
  const PairClass near{DistanceClass::same_package, 12};
  const PairClass far{DistanceClass::same_package, 32};
  EXPECT_EQ(name(far), "numa_distance_32");
  EXPECT_EQ(parse_pair_class("numa_distance_32"), far);
  EXPECT_LT((PairClass{DistanceClass::same_numa, 0}), near);
  EXPECT_LT(near, far);
  EXPECT_LT(far, (PairClass{DistanceClass::cross_package, 0}));
  for (const char* bad : {"numa_distance_", "numa_distance_032", "numa_distance_0",
                          "numa_distance_1x", "numa_distance_-3", "numa_distance_99999999999"}) {
    EXPECT_EQ(parse_pair_class(bad), std::nullopt) << bad;
  }
}

// NPS4's matrix (10 local, 12 to two nodes, 32 to the third) splits the cross-node pairs;
// pairs inside one node keep their class.
TEST(PairClass, NumaDistancesSplitWhereTheMatrixHasSeveralValues) {
  const Topology topo = Topology::load(nps4_xml());
  ASSERT_TRUE(topo.splits_by_numa_distance());
  EXPECT_EQ(topo.distance(0, 6), DistanceClass::same_package);
  EXPECT_EQ(topo.pair_class(0, 6), (PairClass{DistanceClass::same_package, 32}));
  EXPECT_EQ(topo.pair_class(6, 0), (PairClass{DistanceClass::same_package, 32}));
  EXPECT_EQ(topo.pair_class(0, 2), (PairClass{DistanceClass::same_package, 12}));
  EXPECT_EQ(topo.pair_class(2, 4), (PairClass{DistanceClass::same_package, 32}));
  EXPECT_EQ(topo.pair_class(0, 1), (PairClass{DistanceClass::same_numa, 0}));
  EXPECT_EQ(topo.pair_class(3, 3), (PairClass{DistanceClass::same_pu, 0}));
}

TEST(PairClass, NoMatrixOrOneRemoteValueLeavesTheClasses) {
  for (const std::string& spec : {std::string(kTwoSockets), two_socket_xml()}) {
    SCOPED_TRACE(spec);
    const Topology topo = Topology::load(spec);
    EXPECT_FALSE(topo.splits_by_numa_distance());
    const unsigned last = topo.pus().back().os_index;
    EXPECT_EQ(topo.pair_class(0, last), (PairClass{topo.distance(0, last), 0}));
  }
}

TEST(MemoryPolicyNames, RoundTrip) {
  for (const auto& [policy, text] :
       {std::pair{MemoryPolicy::local, "local"}, std::pair{MemoryPolicy::remote, "remote"},
        std::pair{MemoryPolicy::interleave, "interleave"}}) {
    EXPECT_EQ(name(policy), text);
    EXPECT_EQ(parse_memory_policy(text), policy);
  }
  EXPECT_EQ(parse_memory_policy("Local"), std::nullopt);
  EXPECT_EQ(parse_memory_policy("first-touch"), std::nullopt);
}

// ---- describe()

// Golden files name XML sources by "DATA/" so they hold on any checkout.
std::string golden(std::string_view file) {
  std::string text = read_file(data_path(file));
  const std::string marker = "xml:DATA/";
  if (const std::size_t at = text.find(marker); at != std::string::npos) {
    text.replace(at, marker.size(), "xml:" + data_path(""));
  }
  return text;
}

TEST(Describe, SmtMachineMatchesGolden) {
  EXPECT_EQ(Topology::load(kSmt2).describe(), golden("describe-one-l3-smt2.txt"));
}

TEST(Describe, TwoSocketsMatchesGolden) {
  EXPECT_EQ(Topology::load(kTwoSockets).describe(), golden("describe-two-sockets-numa.txt"));
}

TEST(Describe, XmlMatchesGolden) {
  EXPECT_EQ(Topology::load(two_socket_xml()).describe(), golden("describe-two-socket-smt.txt"));
}

TEST(Describe, SharedL2GetsItsOwnHeader) {
  EXPECT_EQ(Topology::load(kSharedL2).describe(),
            "synthetic:pack:1 l3:1 l2:2 core:2 pu:1 has 1 package, 1 NUMA node, 1 L3 cache, 2 "
            "L2 caches, 4 cores, 4 PUs (no SMT)\n"
            "package 0\n"
            "  NUMA node 0 (P#0, 1024 MiB)\n"
            "    L3 0 (16 MiB)\n"
            "      L2 0 (4096 KiB)\n"
            "        core 0: PU 0\n"
            "        core 1: PU 1\n"
            "      L2 1 (4096 KiB)\n"
            "        core 2: PU 2\n"
            "        core 3: PU 3\n");
}

TEST(Describe, PusWithoutCoresAreListedAlone) {
  EXPECT_EQ(Topology::load("synthetic:pack:1 pu:2").describe(),
            "synthetic:pack:1 pu:2 has 1 package, 1 NUMA node, 0 L3 caches, 0 L2 caches, 0 "
            "cores, 2 PUs (no SMT)\n"
            "package 0\n"
            "  NUMA node 0 (P#0, 1024 MiB)\n"
            "    PU 0\n"
            "    PU 1\n");
}

TEST(Describe, ThisMachineHasOneLinePerCore) {
  const Topology topo = Topology::this_machine();
  const std::string text = topo.describe();
  EXPECT_EQ(text.rfind("this machine has ", 0), 0u) << text;
  std::size_t core_lines = 0;
  for (std::size_t at = text.find("core "); at != std::string::npos;
       at = text.find("core ", at + 1)) {
    ++core_lines;
  }
  EXPECT_EQ(core_lines, topo.cores()) << text;
  EXPECT_EQ(text, topo.describe());
}

// ---- Binding threads

// The kernel moves a thread at its next scheduling point; give it a few.
std::optional<unsigned> settled_location(const Topology& topo, unsigned pu) {
  std::optional<unsigned> seen = topo.last_cpu_location();
  for (int attempt = 0; attempt < 1000 && seen != pu; ++attempt) {
    std::this_thread::yield();
    seen = topo.last_cpu_location();
  }
  return seen;
}

// On a thread of its own, so the test's main thread keeps its affinity.
TEST(Binding, ThreadRunsOnEachAllowedPuInTurn) {
  const Topology topo = Topology::this_machine();
  std::thread worker([&topo] {
    for (const PuInfo& info : topo.pus()) {
      ASSERT_NO_THROW(topo.bind_this_thread(info.os_index));
      EXPECT_EQ(settled_location(topo, info.os_index), info.os_index);
    }
  });
  worker.join();
}

TEST(Binding, ThreadsSharingOneTopologyBindConcurrently) {
  const Topology topo = Topology::this_machine();
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < 2 * topo.pus().size() + 2; ++t) {
    workers.emplace_back([&topo, t] {
      for (std::size_t round = 0; round < 20; ++round) {
        const unsigned pu = topo.pus()[(t + round) % topo.pus().size()].os_index;
        ASSERT_NO_THROW(topo.bind_this_thread(pu));
        EXPECT_EQ(settled_location(topo, pu), pu);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
}

TEST(Binding, LastLocationIsAPuOfThisMachine) {
  const Topology topo = Topology::this_machine();
  const std::optional<unsigned> where = topo.last_cpu_location();
  ASSERT_TRUE(where.has_value());
  EXPECT_TRUE(topo.has_pu(*where));
}

TEST(Binding, MissingPuIsRefusedBeforeBinding) {
  const Topology topo = Topology::this_machine();
  EXPECT_EQ(error_of([&] {
              topo.bind_this_thread(100000);
            }).rfind("PU 100000 is not on this machine (PUs: ", 0),
            0u);
}

TEST(Binding, SyntheticAndXmlTopologiesOnlyPlan) {
  const Topology synthetic = Topology::load(kOnePackage);
  EXPECT_EQ(error_of([&] { synthetic.bind_this_thread(0); }),
            "binding needs this machine's topology; synthetic:pack:1 core:4 pu:1 can only plan "
            "(use --dry-run)");
  EXPECT_EQ(synthetic.last_cpu_location(), std::nullopt);
  const Topology xml = Topology::load(two_socket_xml());
  EXPECT_EQ(error_of([&] { xml.bind_this_thread(8); }), "binding needs this machine's topology; " +
                                                            two_socket_xml() +
                                                            " can only plan (use --dry-run)");
}

// ---- Memory

TEST(MemoryPlan, TwoSocketsBindsNearFarOrAcross) {
  const Topology topo = Topology::load(kTwoSockets);
  EXPECT_EQ(topo.memory_plan(0, MemoryPolicy::local), "local:numa0");
  EXPECT_EQ(topo.memory_plan(17, MemoryPolicy::local), "local:numa1");
  EXPECT_EQ(topo.memory_plan(63, MemoryPolicy::local), "local:numa3");
  // No latency matrix: the first node in the other package.
  EXPECT_EQ(topo.memory_plan(0, MemoryPolicy::remote), "remote:numa2");
  EXPECT_EQ(topo.memory_plan(17, MemoryPolicy::remote), "remote:numa2");
  EXPECT_EQ(topo.memory_plan(40, MemoryPolicy::remote), "remote:numa0");
  EXPECT_EQ(topo.memory_plan(5, MemoryPolicy::interleave), "interleave:numa0-3");
}

TEST(MemoryPlan, RemoteFollowsTheLatencyMatrix) {
  const Topology topo = Topology::load(nps4_xml());
  ASSERT_EQ(topo.numa_nodes(), 4u);
  // In one package the structure alone would pick node 1 for node 0; the matrix says 3.
  EXPECT_EQ(topo.memory_plan(0, MemoryPolicy::remote), "remote:numa3");
  EXPECT_EQ(topo.memory_plan(3, MemoryPolicy::remote), "remote:numa2");
  EXPECT_EQ(topo.memory_plan(5, MemoryPolicy::remote), "remote:numa1");
  EXPECT_EQ(topo.memory_plan(7, MemoryPolicy::remote), "remote:numa0");
  EXPECT_EQ(topo.memory_plan(3, MemoryPolicy::local), "local:numa1");
}

TEST(MemoryPlan, OneNodeIsFirstTouchAndRefusesRemoteAndInterleave) {
  const Topology topo = Topology::load(kOnePackage);
  EXPECT_EQ(topo.memory_plan(2, MemoryPolicy::local), "first-touch");
  EXPECT_EQ(error_of([&] { topo.memory_plan(2, MemoryPolicy::remote); }),
            "remote memory needs 2 NUMA nodes; synthetic:pack:1 core:4 pu:1 has 1");
  EXPECT_EQ(error_of([&] { topo.memory_plan(2, MemoryPolicy::interleave); }),
            "interleave memory needs 2 NUMA nodes; synthetic:pack:1 core:4 pu:1 has 1");
  EXPECT_EQ(error_of([&] { topo.memory_plan(4, MemoryPolicy::local); }),
            "PU 4 is not in synthetic:pack:1 core:4 pu:1 (PUs: 0-3)");
}

TEST(BindMemory, SyntheticTopologyOnlyPlans) {
  const Topology topo = Topology::load(kTwoSockets);
  std::vector<std::byte> area(4096);
  EXPECT_EQ(error_of([&] { topo.bind_memory(area, 0, MemoryPolicy::local); }),
            "binding needs this machine's topology; synthetic:pack:2 numa:2 l3:2 core:4 pu:2 can "
            "only plan (use --dry-run)");
}

TEST(BindMemory, ThisMachineDoesWhatItPlannedOrFirstTouch) {
  const Topology topo = Topology::this_machine();
  std::vector<std::byte> area(1 << 20);
  const unsigned pu = topo.pus().front().os_index;
  if (topo.numa_nodes() == 1) {
    EXPECT_EQ(topo.bind_memory(area, pu, MemoryPolicy::local), "first-touch");
    EXPECT_EQ(error_of([&] { topo.bind_memory(area, pu, MemoryPolicy::remote); }),
              "remote memory needs 2 NUMA nodes; this machine has 1");
    return;
  }
  for (const MemoryPolicy policy :
       {MemoryPolicy::local, MemoryPolicy::remote, MemoryPolicy::interleave}) {
    const std::string done = topo.bind_memory(area, pu, policy);
    EXPECT_TRUE(done == topo.memory_plan(pu, policy) || done == "first-touch") << done;
  }
}

}  // namespace
}  // namespace refbench::pinning

namespace refbench::pinning {
namespace {

// hwloc gives a synthetic machine without a numa level one NUMA node spanning everything:
// PUs on different packages still cross the interconnect.
TEST(Distance, DifferentPackagesAreCrossPackageEvenInOneNumaNode) {
  const Topology topo = Topology::load("synthetic:pack:2 core:2 pu:2");
  ASSERT_EQ(topo.numa_nodes(), 1u);
  EXPECT_EQ(topo.distance(0, 4), DistanceClass::cross_package);
  EXPECT_EQ(topo.distance(0, 2), DistanceClass::same_package);
  EXPECT_EQ(topo.distance(0, 1), DistanceClass::smt_sibling);
}

}  // namespace
}  // namespace refbench::pinning
