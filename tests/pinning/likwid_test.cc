#include "pinning/likwid.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "pinning/placement.h"

namespace refbench::pinning {
namespace {

using Pus = std::vector<unsigned>;

// 2 packages x 2 NUMA nodes x 2 L3s x 4 cores x 2 PUs: PU 2k and 2k+1 share a core.
Topology two_sockets() { return Topology::load("synthetic:pack:2 numa:2 l3:2 core:4 pu:2"); }

TEST(Likwid, DomainsAreNumberedAsLikwidDoes) {
  const Topology t = two_sockets();
  // Within a domain: every core's first PU, then the SMT siblings.
  EXPECT_EQ(likwid_pus(t, "N:0-3"), (Pus{0, 2, 4, 6}));
  EXPECT_EQ(likwid_pus(t, "N:32-33"), (Pus{1, 3}));
  EXPECT_EQ(likwid_pus(t, "S1:0-3"), (Pus{32, 34, 36, 38}));
  EXPECT_EQ(likwid_pus(t, "S0:16"), (Pus{1}));
  EXPECT_EQ(likwid_pus(t, "D1:0"), (Pus{32}));  // no dies seen: D# is S#
  EXPECT_EQ(likwid_pus(t, "M3:0,2"), (Pus{48, 52}));
  EXPECT_EQ(likwid_pus(t, "C1:0-1"), (Pus{8, 10}));
  EXPECT_EQ(likwid_pus(t, "S0:0-1@S1:0-1"), (Pus{0, 2, 32, 34}));
}

TEST(Likwid, ExpressionsTakeCountChunkAndStride) {
  const Topology t = two_sockets();
  EXPECT_EQ(likwid_pus(t, "E:N:8:1:2"), (Pus{0, 4, 8, 12, 16, 20, 24, 28}));
  EXPECT_EQ(likwid_pus(t, "E:S0:4:2:4"), (Pus{0, 2, 8, 10}));
  EXPECT_EQ(likwid_pus(t, "E:S1:3"), (Pus{32, 34, 36}));
}

TEST(Likwid, ScatterGoesRoundTheDomainsOfAKind) {
  const Topology t = two_sockets();
  EXPECT_EQ(likwid_pus(t, "S:scatter", 4), (Pus{0, 32, 2, 34}));
  EXPECT_EQ(likwid_pus(t, "M:scatter", 4), (Pus{0, 16, 32, 48}));
  EXPECT_EQ(likwid_pus(t, "S:scatter").size(), 64u);
  EXPECT_TRUE(is_likwid_scatter("S:scatter"));
  EXPECT_FALSE(is_likwid_scatter("S0:0-1"));
}

TEST(Likwid, PlaceTakesThemAsPlacementSpecs) {
  const Topology t = two_sockets();
  EXPECT_EQ(place(t, "S0:0-1@S1:0-1", 4), (Pus{0, 2, 32, 34}));
  EXPECT_EQ(place(t, "S:scatter", 2), (Pus{0, 32}));
  EXPECT_FALSE(is_likwid_expression("0,1"));
  EXPECT_FALSE(is_likwid_expression("scatter"));
  EXPECT_TRUE(is_likwid_expression("E:N:2"));
}

TEST(Likwid, BadExpressionsSayWhatIsWrongInOneLine) {
  const Topology t = two_sockets();
  const auto error_of = [&](const char* spec, std::optional<unsigned> n = std::nullopt) {
    try {
      likwid_pus(t, spec, n);
    } catch (const PinningError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("S2:0").find("domain S2 is not on synthetic:pack:2 numa:2 l3:2 core:4 "
                                  "pu:2, which has 2 S domains"),
            std::string::npos);
  EXPECT_NE(error_of("S0:0-32").find("domain S0 has 32 PUs (indices 0-31)"), std::string::npos);
  EXPECT_NE(error_of("S0:3-1").find("'3-1' is not an index or a rising range"), std::string::npos);
  EXPECT_NE(error_of("E:N:0").find("count and chunk must be at least 1"), std::string::npos);
  EXPECT_NE(error_of("E:S0:40").find("40 PUs of S0 in chunks of 1 every 1 need more than its 32"),
            std::string::npos);
  EXPECT_NE(error_of("N:0-1", 3).find("it names 2 PUs for 3 interpreters"), std::string::npos);
  EXPECT_NE(error_of("X:scatter").find("scatter needs a kind of domain"), std::string::npos);
  for (const char* spec : {"S2:0", "N:0-1x"}) {
    EXPECT_EQ(error_of(spec).find('\n'), std::string::npos) << spec;
    EXPECT_EQ(error_of(spec).rfind("bad LIKWID expression '", 0), 0u) << spec;
  }
}

// On this machine, the PUs likwid-pin -p -c gives, where likwid runs here.
TEST(Likwid, ThisMachineAgreesWithLikwidPin) {
  const Topology here = Topology::this_machine();
  if (here.pus().size() < 2) GTEST_SKIP() << "needs 2 PUs";
  std::unique_ptr<FILE, int (*)(FILE*)> probe(popen("likwid-pin -p 2>/dev/null", "r"), pclose);
  char line[256];
  if (!probe || fgets(line, sizeof line, probe.get()) == nullptr) {
    GTEST_SKIP() << "likwid-pin cannot run here (apt-get install likwid)";
  }
  for (const char* spec : {"N:0-1", "N:1", "S0:0-1", "E:N:2:1:1", "M0:0", "S0:0@S0:1"}) {
    std::unique_ptr<FILE, int (*)(FILE*)> pin(
        popen((std::string("likwid-pin -p -c '") + spec + "' 2>/dev/null").c_str(), "r"), pclose);
    std::string theirs;
    while (fgets(line, sizeof line, pin.get()) != nullptr) theirs += line;
    while (!theirs.empty() && (theirs.back() == '\n' || theirs.back() == ' ')) theirs.pop_back();
    std::string ours;
    for (unsigned pu : likwid_pus(here, spec))
      ours += (ours.empty() ? "" : ",") + std::to_string(pu);
    EXPECT_EQ(ours, theirs) << spec;
  }
}

}  // namespace
}  // namespace refbench::pinning
