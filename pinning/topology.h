// The machine as hwloc sees it: the only place refbench includes <hwloc.h>.
//
// A Topology is either this machine (binding works and is verified) or a description of
// another machine (synthetic or XML: planning and dry runs only). Every query takes and
// returns PU OS indices (hwloc's "P#"), the numbers the OS and the user see.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pinning/distance.h"

namespace refbench::pinning {

// A topology that cannot be loaded, a binding call that fails, a spec the topology cannot
// satisfy. what() is one line fit for the user: it names the bad value and what is allowed.
class PinningError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where an interpreter's heap lives relative to its thread.
enum class MemoryPolicy { local, remote, interleave };
std::string_view name(MemoryPolicy policy);
std::optional<MemoryPolicy> parse_memory_policy(std::string_view text);

// One processing unit and the containers it sits in (logical indices, -1 where the
// topology has no such level).
struct PuInfo {
  unsigned os_index = 0;
  int core = -1;
  int l2 = -1;
  int l3 = -1;
  int numa = -1;
  int package = -1;
};

class Topology {
 public:
  // This machine, restricted to the PUs this process may run on: hwloc's allowed cpuset
  // (what cgroups allow) and the process's CPU binding (sched_getaffinity: `taskset`, a
  // cpuset). A PU left out is refused by pu() naming the allowed set, and describe() lists
  // it as not allowed. Throws PinningError if hwloc cannot load it.
  static Topology this_machine();
  // "synthetic:pack:2 numa:2 l3:2 core:4 pu:2", "xml:FILE", or "" / "this" for this machine.
  // The text after "synthetic:" or "xml:" may be wrapped in quotes, which are dropped.
  // Throws PinningError naming the spec and why it failed.
  static Topology load(std::string_view spec);

  Topology(Topology&&) noexcept;
  Topology& operator=(Topology&&) noexcept;
  ~Topology();

  // True only for the machine the process runs on: binding is allowed and verified.
  bool is_this_machine() const;
  // "this machine", "synthetic:...", or "xml:FILE".
  const std::string& source() const;

  // PUs in topology (logical) order, and the counts of each level.
  const std::vector<PuInfo>& pus() const;
  bool has_pu(unsigned os_index) const;
  const PuInfo& pu(unsigned os_index) const;  // throws PinningError if absent
  unsigned packages() const;
  unsigned numa_nodes() const;
  unsigned l3_caches() const;
  unsigned l2_caches() const;
  unsigned cores() const;
  unsigned pus_per_core() const;  // the largest number of PUs any core has

  // The closest level two PUs share.
  DistanceClass distance(unsigned pu_a, unsigned pu_b) const;
  // The class results give two PUs: distance(), or, where the NUMA distance matrix splits
  // classes (see PairClass) and the PUs' NUMA nodes differ, the matrix's value between them.
  PairClass pair_class(unsigned pu_a, unsigned pu_b) const;
  // True where the firmware's NUMA distance matrix holds more than one value between
  // distinct nodes, so that pair_class splits classes by it.
  bool splits_by_numa_distance() const;

  // What `refbench topology` prints: a first line with the source and the count of each
  // level, then one line per core ("core 3: PU 6,7") under headers for its package, NUMA
  // node and L3 (and L2 where cores share one). Levels the topology lacks are left out. The
  // same topology always gives the same text.
  std::string describe() const;

  // Binds the calling thread to one PU (this machine only: a synthetic or XML topology
  // throws "binding needs this machine's topology; SOURCE can only plan (use --dry-run)").
  // Throws PinningError naming the hwloc call, the PU and strerror(errno).
  void bind_this_thread(unsigned pu_os_index) const;
  // The PU the calling thread last ran on (hwloc_get_last_cpu_location), if known.
  std::optional<unsigned> last_cpu_location() const;

  // Binds [area, area+bytes) near (local), away from (remote) or interleaved across the
  // NUMA nodes relative to `pu`. Returns what was really done, for the output row
  // ("local:numa0", "remote:numa1", "interleave:numa0-1", "first-touch" where membind is not
  // supported or the machine has one NUMA node). Throws PinningError if `remote` or
  // `interleave` needs more NUMA nodes than the machine has.
  // NUMA nodes are named by OS index (as numactl names them). "remote" picks the node
  // farthest from the PU's: by the firmware's latency matrix where hwloc has one, else one
  // in another package; ties go to the first in order. Bind before the area is first touched:
  // pages already touched stay where they are. Throws PinningError (as bind_this_thread
  // does) on a synthetic or XML topology, and naming hwloc_set_area_membind and strerror
  // where binding fails for a reason other than lack of support.
  std::string bind_memory(std::span<std::byte> area, unsigned pu, MemoryPolicy policy) const;
  // hwloc's XML description of this topology, so that results can be read (and plans
  // made) against the machine that produced them (written beside them as a whole file).
  // Throws PinningError naming hwloc_topology_export_xmlbuffer and strerror.
  std::string xml() const;

  // What bind_memory would do, without binding: works on any topology, so --dry-run can
  // show it. Throws PinningError where bind_memory would for too few NUMA nodes.
  std::string memory_plan(unsigned pu, MemoryPolicy policy) const;

 private:
  struct Impl;
  explicit Topology(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace refbench::pinning
