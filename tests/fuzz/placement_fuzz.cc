// Fuzzes pinning::place: every spec and interpreter count give PUs of the topology, as many
// as asked, or a one-line PinningError.
//
// Input: byte 0 picks a topology, byte 1 the interpreter count (below 240: 0 to 79; from
// 240 on, the next 8 bytes give any unsigned), the rest is the spec.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "pinning/placement.h"
#include "pinning/topology.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using refbench::fuzz::expect;
using refbench::pinning::PinningError;
using refbench::pinning::Topology;

// Loaded once: hwloc takes far longer to build a topology than place() takes to run.
const std::vector<Topology>& topologies() {
  static const std::vector<Topology> loaded = [] {
    std::vector<Topology> all;
    for (const char* spec : {
             "synthetic:pack:2 numa:2 l3:2 core:4 pu:2",
             "synthetic:pack:1 core:2 pu:1",
             "synthetic:pack:1 l3:1 l2:2 core:2 pu:2",
             "synthetic:pack:1 core:3 pu:2(indexes=0,1,4,5,6,9)",  // OS indices with gaps
             "xml:" REFBENCH_TEST_DATA_DIR "/two-socket-smt.xml",
             "xml:" REFBENCH_TEST_DATA_DIR "/one-socket-nps4.xml",
         }) {
      all.push_back(Topology::load(spec));
    }
    return all;
  }();
  return loaded;
}

unsigned interpreter_count(refbench::fuzz::Input& input) {
  const std::uint8_t small = input.byte();
  // Mostly counts around the topologies' sizes, where policies run out of PUs or cores.
  if (small < 240) return small % 80;
  return static_cast<unsigned>(input.u64());
}

// Policies that walk one fixed order of PUs: the plan for n is a prefix of that for n + 1.
bool grows_by_prefix(std::string_view spec) {
  return spec == "compact" || spec == "scatter" || spec == "cross-package" || spec == "cross-numa";
}

bool is_policy(std::string_view spec) {
  return grows_by_prefix(spec) || spec == "smt" || spec == "same-l3";
}

// A plan checked against this input's: empty where place() refuses.
std::vector<unsigned> plan_or_none(const Topology& topo, std::string_view spec,
                                   unsigned interpreters) {
  try {
    return refbench::pinning::place(topo, spec, interpreters);
  } catch (const PinningError&) {
    return {};
  }
}

void check_plan(const Topology& topo, std::string_view spec, unsigned interpreters,
                const std::vector<unsigned>& pus) {
  expect(pus.size() == interpreters, "plan size differs from the interpreter count");
  for (unsigned pu : pus) expect(topo.has_pu(pu), "plan names a PU not in the topology");
  expect(plan_or_none(topo, spec, interpreters) == pus, "plan not deterministic");
  if (is_policy(spec)) {
    std::vector<unsigned> sorted = pus;
    std::sort(sorted.begin(), sorted.end());
    expect(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
           "a policy put two interpreters on one PU");
  }
  if (grows_by_prefix(spec) && interpreters < std::numeric_limits<unsigned>::max()) {
    const std::vector<unsigned> more = plan_or_none(topo, spec, interpreters + 1);
    expect(more.empty() || std::equal(pus.begin(), pus.end(), more.begin()),
           "plan for n is not a prefix of the plan for n + 1");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  refbench::fuzz::Input input(data, size);
  const Topology& topo = topologies()[input.byte() % topologies().size()];
  const unsigned interpreters = interpreter_count(input);
  const std::string spec = input.rest();
  try {
    check_plan(topo, spec, interpreters, refbench::pinning::place(topo, spec, interpreters));
  } catch (const PinningError& e) {
    refbench::fuzz::expect_one_line(e.what(), spec.find('\n') != std::string::npos);
  } catch (...) {
    refbench::fuzz::undocumented_exception();
  }
  return 0;
}
