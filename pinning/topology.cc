#include "pinning/topology.h"

#include <hwloc.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <unordered_map>
#include <utility>

namespace refbench::pinning {
namespace {

struct BitmapDeleter {
  void operator()(hwloc_bitmap_s* bitmap) const { hwloc_bitmap_free(bitmap); }
};
using Bitmap = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;

struct HandleDeleter {
  void operator()(hwloc_topology* topology) const { hwloc_topology_destroy(topology); }
};
using Handle = std::unique_ptr<hwloc_topology, HandleDeleter>;

Bitmap new_bitmap() {
  Bitmap bitmap(hwloc_bitmap_alloc());
  if (!bitmap) throw std::bad_alloc();
  return bitmap;
}

// Callers copy errno right after the failed call: building strings may allocate, and an
// allocation may change errno.
std::string failure(const std::string& call, int error) {
  return call + " failed: " + std::strerror(error);
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string count_of(unsigned n, std::string_view thing) {
  return std::to_string(n) + " " + std::string(thing) + (n == 1 ? "" : "s");
}

// "0-3,8,10-11": sets of PU or NUMA node numbers, short enough to read in a message.
std::string ranges(std::vector<unsigned> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string out;
  for (std::size_t i = 0; i < values.size();) {
    std::size_t last = i;
    while (last + 1 < values.size() && values[last + 1] == values[last] + 1) ++last;
    if (!out.empty()) out += ",";
    out += std::to_string(values[i]);
    if (last > i) out += "-" + std::to_string(values[last]);
    i = last + 1;
  }
  return out;
}

// As lstopo prints sizes: move to the next unit only from 10240 of the current one, so the
// number keeps its precision: 4 MiB reads "4096 KiB", 16 MiB reads "16 MiB".
std::string size_text(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (bytes >= 10240 && unit + 1 < kUnits.size()) {
    bytes = (bytes + 512) / 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + kUnits[unit];
}

// The containers a PU sits in, most specific first: distance() breaks ties between
// containers holding the same PUs in this order.
struct Level {
  int PuInfo::*field;
  hwloc_obj_type_t type;
  DistanceClass shared;  // the class of two PUs whose smallest common container is this
};
constexpr std::size_t kCoreLevel = 0;
constexpr std::size_t kL2Level = 1;
constexpr std::size_t kL3Level = 2;
constexpr std::size_t kNumaLevel = 3;
constexpr std::size_t kPackageLevel = 4;
constexpr std::array<Level, 5> kLevels = {{
    {&PuInfo::core, HWLOC_OBJ_CORE, DistanceClass::smt_sibling},
    {&PuInfo::l2, HWLOC_OBJ_L2CACHE, DistanceClass::shared_l2},
    {&PuInfo::l3, HWLOC_OBJ_L3CACHE, DistanceClass::shared_l3},
    {&PuInfo::numa, HWLOC_OBJ_NUMANODE, DistanceClass::same_numa},
    {&PuInfo::package, HWLOC_OBJ_PACKAGE, DistanceClass::same_package},
}};

unsigned count_objects(hwloc_topology_t topology, hwloc_obj_type_t type) {
  return static_cast<unsigned>(std::max(0, hwloc_get_nbobjs_by_type(topology, type)));
}

std::vector<hwloc_obj_t> objects(hwloc_topology_t topology, hwloc_obj_type_t type) {
  std::vector<hwloc_obj_t> found;
  for (unsigned i = 0; i < count_objects(topology, type); ++i) {
    found.push_back(hwloc_get_obj_by_type(topology, type, i));
  }
  return found;
}

int logical_ancestor(hwloc_topology_t topology, hwloc_obj_type_t type, hwloc_obj_t pu) {
  const hwloc_obj_t ancestor = hwloc_get_ancestor_obj_by_type(topology, type, pu);
  return ancestor ? static_cast<int>(ancestor->logical_index) : -1;
}

// NUMA nodes hang off the tree as memory children in hwloc 2, so they are never a PU's
// ancestor: the PU's node is the first whose cpuset holds it.
int numa_holding(const std::vector<hwloc_obj_t>& nodes, unsigned pu_os_index) {
  for (const hwloc_obj_t node : nodes) {
    if (hwloc_bitmap_isset(node->cpuset, pu_os_index)) return static_cast<int>(node->logical_index);
  }
  return -1;
}

PuInfo describe_pu(hwloc_topology_t topology, const std::vector<hwloc_obj_t>& numa_nodes,
                   hwloc_obj_t pu) {
  PuInfo info;
  info.os_index = pu->os_index;
  for (const Level& level : kLevels) {
    if (level.type != HWLOC_OBJ_NUMANODE) {
      info.*level.field = logical_ancestor(topology, level.type, pu);
    }
  }
  info.numa = numa_holding(numa_nodes, pu->os_index);
  return info;
}

// The firmware's NUMA latency matrix (ACPI SLIT on Linux), where hwloc found one.
class NumaLatencies {
 public:
  explicit NumaLatencies(hwloc_topology_t topology) : topology_(topology) {
    unsigned wanted = 1;
    if (hwloc_distances_get_by_type(topology, HWLOC_OBJ_NUMANODE, &wanted, &matrix_,
                                    HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) != 0 ||
        wanted == 0) {
      matrix_ = nullptr;
    }
  }
  ~NumaLatencies() {
    if (matrix_) hwloc_distances_release(topology_, matrix_);
  }
  NumaLatencies(const NumaLatencies&) = delete;
  NumaLatencies& operator=(const NumaLatencies&) = delete;

  std::optional<std::uint64_t> between(hwloc_obj_t from, hwloc_obj_t to) const {
    hwloc_uint64_t there = 0;
    hwloc_uint64_t back = 0;
    if (!matrix_ || hwloc_distances_obj_pair_values(matrix_, from, to, &there, &back) != 0) {
      return std::nullopt;
    }
    return there;
  }

 private:
  hwloc_topology_t topology_;
  hwloc_distances_s* matrix_ = nullptr;
};

// How far `to` is from `from`: the latency where the firmware gives one, else 1 for a node
// in another package and 0 for one in the same package.
std::uint64_t remoteness(hwloc_topology_t topology, const NumaLatencies& latencies,
                         hwloc_obj_t from, hwloc_obj_t to) {
  if (const auto latency = latencies.between(from, to)) return *latency;
  return hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_PACKAGE, from) !=
         hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_PACKAGE, to);
}

// The matrix's values between the nodes (logical order) where it holds more than one value
// between distinct nodes; empty otherwise (no matrix, or every remote node equally far).
std::vector<std::vector<unsigned>> splitting_distances(hwloc_topology_t topology,
                                                       const std::vector<hwloc_obj_t>& nodes) {
  const NumaLatencies latencies(topology);
  std::vector<std::vector<unsigned>> matrix(nodes.size(), std::vector<unsigned>(nodes.size(), 0));
  std::optional<std::uint64_t> first_remote;
  bool several = false;
  for (std::size_t from = 0; from < nodes.size(); ++from) {
    for (std::size_t to = 0; to < nodes.size(); ++to) {
      if (to == from) continue;
      const auto latency = latencies.between(nodes[from], nodes[to]);
      if (!latency || *latency == 0 || *latency > std::numeric_limits<unsigned>::max()) return {};
      matrix[from][to] = static_cast<unsigned>(*latency);
      if (!first_remote) first_remote = *latency;
      several = several || *latency != *first_remote;
    }
  }
  if (!several) return {};
  return matrix;
}

// For each NUMA node, the logical index of the node farthest from it (the first of the
// farthest); -1 with a single node.
std::vector<int> farthest_nodes(hwloc_topology_t topology, const std::vector<hwloc_obj_t>& nodes) {
  const NumaLatencies latencies(topology);
  std::vector<int> farthest(nodes.size(), -1);
  for (std::size_t from = 0; from < nodes.size(); ++from) {
    std::uint64_t best = 0;
    for (std::size_t to = 0; to < nodes.size(); ++to) {
      if (to == from) continue;
      const std::uint64_t distance = remoteness(topology, latencies, nodes[from], nodes[to]);
      if (farthest[from] < 0 || distance > best) {
        farthest[from] = static_cast<int>(to);
        best = distance;
      }
    }
  }
  return farthest;
}

Handle new_handle(std::string_view spec) {
  hwloc_topology_t topology = nullptr;
  if (hwloc_topology_init(&topology) != 0) {
    const int error = errno;
    throw PinningError("cannot load topology " + quoted(spec) + ": " +
                       failure("hwloc_topology_init", error));
  }
  return Handle(topology);
}

void check_load_step(int status, std::string_view spec, const char* call,
                     std::string_view hint = {}) {
  if (status == 0) return;
  const int error = errno;
  throw PinningError("cannot load topology " + quoted(spec) + ": " + failure(call, error) +
                     std::string(hint));
}

// hwloc 2 already leaves out PUs that cgroups forbid; restricting again makes that explicit
// and holds for hwloc builds or environments that keep them.
void restrict_to_allowed(hwloc_topology_t topology) {
  const hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topology);
  if (hwloc_bitmap_isequal(allowed, hwloc_topology_get_topology_cpuset(topology))) return;
  const Bitmap copy(hwloc_bitmap_dup(allowed));
  if (!copy) throw std::bad_alloc();
  check_load_step(hwloc_topology_restrict(topology, copy.get(), 0), "this",
                  "hwloc_topology_restrict");
}

// The shell may leave quotes around a description: synthetic:"pack:2 core:4 pu:2".
std::string_view unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

constexpr std::string_view kSyntheticPrefix = "synthetic:";
constexpr std::string_view kXmlPrefix = "xml:";
constexpr std::string_view kSyntheticHint =
    " (describe levels outermost first, e.g. synthetic:pack:2 numa:2 l3:2 core:4 pu:2)";

}  // namespace

struct Topology::Impl {
  Handle handle;
  std::string source;
  bool this_machine = false;
  std::vector<PuInfo> pus;
  // This machine's PUs that this process may not run on (its CPU affinity: taskset, a
  // cpuset), left out of the topology: OS indices, ascending.
  std::vector<unsigned> outside;
  std::unordered_map<unsigned, std::size_t> position;  // PU OS index -> index in pus
  // For each level of kLevels, the number of PUs in each container (by logical index).
  std::array<std::vector<unsigned>, kLevels.size()> pus_in;
  std::vector<hwloc_obj_t> numa_nodes;  // logical order
  std::vector<int> farthest_numa;       // logical index -> logical index
  // By logical index: the NUMA distance between two nodes, where it splits classes (see
  // splitting_distances); empty elsewhere.
  std::vector<std::vector<unsigned>> numa_split;
  unsigned pus_per_core = 1;

  Impl(Handle loaded, std::string name);

  hwloc_topology_t get() const { return handle.get(); }
  unsigned count(hwloc_obj_type_t type) const { return count_objects(get(), type); }

  void collect_pus();
  void count_containers();
  std::string where() const;
  void require_this_machine() const;
  std::vector<hwloc_obj_t> memory_nodes(unsigned pu, MemoryPolicy policy) const;
  std::vector<std::size_t> header_levels() const;
  std::string header(std::size_t level, int index) const;
};

Topology::Impl::Impl(Handle loaded, std::string name)
    : handle(std::move(loaded)),
      source(std::move(name)),
      this_machine(hwloc_topology_is_thissystem(handle.get())) {
  collect_pus();
  count_containers();
}

void Topology::Impl::collect_pus() {
  numa_nodes = objects(get(), HWLOC_OBJ_NUMANODE);
  farthest_numa = farthest_nodes(get(), numa_nodes);
  numa_split = splitting_distances(get(), numa_nodes);
  for (const hwloc_obj_t pu : objects(get(), HWLOC_OBJ_PU)) {
    position.emplace(pu->os_index, pus.size());
    pus.push_back(describe_pu(get(), numa_nodes, pu));
  }
  if (pus.empty()) throw PinningError("topology " + quoted(source) + " has no PUs");
}

void Topology::Impl::count_containers() {
  for (std::size_t level = 0; level < kLevels.size(); ++level) {
    for (const PuInfo& info : pus) {
      const int container = info.*kLevels[level].field;
      if (container < 0) continue;
      auto& counts = pus_in[level];
      if (counts.size() <= static_cast<std::size_t>(container)) counts.resize(container + 1);
      ++counts[container];
    }
  }
  for (unsigned n : pus_in[kCoreLevel]) pus_per_core = std::max(pus_per_core, n);
}

std::string Topology::Impl::where() const {
  return this_machine ? "on this machine" : "in " + source;
}

void Topology::Impl::require_this_machine() const {
  if (this_machine) return;
  throw PinningError("binding needs this machine's topology; " + source +
                     " can only plan (use --dry-run)");
}

// The nodes a policy binds to; none means first touch (one node: nothing to choose).
std::vector<hwloc_obj_t> Topology::Impl::memory_nodes(unsigned pu, MemoryPolicy policy) const {
  const int home = pus[position.at(pu)].numa;
  if (numa_nodes.size() < 2 || home < 0) {
    if (policy == MemoryPolicy::local) return {};
    throw PinningError(std::string(name(policy)) + " memory needs 2 NUMA nodes; " + source +
                       " has " + std::to_string(numa_nodes.size()));
  }
  switch (policy) {
    case MemoryPolicy::local:
      return {numa_nodes[home]};
    case MemoryPolicy::remote:
      return {numa_nodes[farthest_numa[home]]};
    case MemoryPolicy::interleave:
      return numa_nodes;
  }
  return {};
}

// The levels describe() prints a header for, outermost first: those the topology has, and
// L2 only where it groups several cores (a per-core L2 would repeat every core line).
std::vector<std::size_t> Topology::Impl::header_levels() const {
  const bool l2_shared = count(HWLOC_OBJ_L2CACHE) < count(HWLOC_OBJ_CORE);
  std::vector<std::size_t> levels;
  for (std::size_t level : {kPackageLevel, kNumaLevel, kL3Level, kL2Level}) {
    if (!pus_in[level].empty() && (level != kL2Level || l2_shared)) levels.push_back(level);
  }
  return levels;
}

std::string Topology::Impl::header(std::size_t level, int index) const {
  static constexpr std::array<const char*, kLevels.size()> kNames = {"core", "L2", "L3",
                                                                     "NUMA node", "package"};
  std::string text = std::string(kNames[level]) + " " + std::to_string(index);
  const hwloc_obj_t object = hwloc_get_obj_by_type(get(), kLevels[level].type, index);
  if (level == kNumaLevel) {
    text += " (P#" + std::to_string(object->os_index);
    const std::uint64_t memory = object->attr->numanode.local_memory;
    return text + (memory ? ", " + size_text(memory) : "") + ")";
  }
  if (hwloc_obj_type_is_cache(object->type) && object->attr->cache.size) {
    text += " (" + size_text(object->attr->cache.size) + ")";
  }
  return text;
}

Topology::Topology(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Topology::Topology(Topology&&) noexcept = default;
Topology& Topology::operator=(Topology&&) noexcept = default;
Topology::~Topology() = default;

Topology Topology::this_machine() {
  Handle handle = new_handle("this");
  check_load_step(hwloc_topology_load(handle.get()), "this", "hwloc_topology_load");
  restrict_to_allowed(handle.get());
  // The process's CPU binding (sched_getaffinity: taskset, a cpuset) is this machine too:
  // hwloc_topology_restrict to it, as HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING would,
  // keeping which PUs were left out to name them.
  std::vector<unsigned> outside;
  const Bitmap bound = new_bitmap();
  if (hwloc_get_cpubind(handle.get(), bound.get(), HWLOC_CPUBIND_PROCESS) == 0 &&
      !hwloc_bitmap_iszero(bound.get())) {
    const hwloc_const_cpuset_t all = hwloc_topology_get_topology_cpuset(handle.get());
    unsigned pu = 0;
    hwloc_bitmap_foreach_begin(pu, all) {
      if (!hwloc_bitmap_isset(bound.get(), pu)) outside.push_back(pu);
    }
    hwloc_bitmap_foreach_end();
    if (!outside.empty()) {
      hwloc_bitmap_and(bound.get(), bound.get(), all);
      if (hwloc_bitmap_iszero(bound.get())) {
        throw PinningError("this process may run on no PU of this machine (sched_getaffinity)");
      }
      check_load_step(hwloc_topology_restrict(handle.get(), bound.get(), 0), "this",
                      "hwloc_topology_restrict");
    }
  }
  auto impl = std::make_unique<Impl>(std::move(handle), "this machine");
  impl->outside = std::move(outside);
  return Topology(std::move(impl));
}

Topology Topology::load(std::string_view spec) {
  if (spec.empty() || spec == "this") return this_machine();
  Handle handle = new_handle(spec);
  std::string source;
  if (spec.starts_with(kSyntheticPrefix)) {
    const std::string description(unquote(spec.substr(kSyntheticPrefix.size())));
    check_load_step(hwloc_topology_set_synthetic(handle.get(), description.c_str()), spec,
                    "hwloc_topology_set_synthetic", kSyntheticHint);
    source = std::string(kSyntheticPrefix) + description;
  } else if (spec.starts_with(kXmlPrefix)) {
    const std::string file(unquote(spec.substr(kXmlPrefix.size())));
    check_load_step(hwloc_topology_set_xml(handle.get(), file.c_str()), spec,
                    "hwloc_topology_set_xml");
    source = std::string(kXmlPrefix) + file;
  } else {
    throw PinningError("unknown topology " + quoted(spec) +
                       ": use 'this', 'synthetic:DESCRIPTION' (e.g. synthetic:pack:2 core:4 "
                       "pu:2) or 'xml:FILE'");
  }
  check_load_step(hwloc_topology_load(handle.get()), spec, "hwloc_topology_load");
  return Topology(std::make_unique<Impl>(std::move(handle), std::move(source)));
}

bool Topology::is_this_machine() const { return impl_->this_machine; }
const std::string& Topology::source() const { return impl_->source; }
const std::vector<PuInfo>& Topology::pus() const { return impl_->pus; }
bool Topology::has_pu(unsigned os_index) const { return impl_->position.contains(os_index); }

const PuInfo& Topology::pu(unsigned os_index) const {
  const auto found = impl_->position.find(os_index);
  if (found != impl_->position.end()) return impl_->pus[found->second];
  std::vector<unsigned> all;
  for (const PuInfo& info : impl_->pus) all.push_back(info.os_index);
  const auto& outside = impl_->outside;
  if (std::find(outside.begin(), outside.end(), os_index) != outside.end()) {
    throw PinningError("PU " + std::to_string(os_index) +
                       " is outside the PUs this process may run on (allowed: " +
                       ranges(std::move(all)) + "; its CPU affinity, from taskset or a cpuset)");
  }
  throw PinningError("PU " + std::to_string(os_index) + " is not " + impl_->where() +
                     " (PUs: " + ranges(std::move(all)) + ")");
}

unsigned Topology::packages() const { return impl_->count(HWLOC_OBJ_PACKAGE); }
unsigned Topology::numa_nodes() const { return impl_->count(HWLOC_OBJ_NUMANODE); }
unsigned Topology::l3_caches() const { return impl_->count(HWLOC_OBJ_L3CACHE); }
unsigned Topology::l2_caches() const { return impl_->count(HWLOC_OBJ_L2CACHE); }
unsigned Topology::cores() const { return impl_->count(HWLOC_OBJ_CORE); }
unsigned Topology::pus_per_core() const { return impl_->pus_per_core; }

DistanceClass Topology::distance(unsigned pu_a, unsigned pu_b) const {
  const PuInfo& a = pu(pu_a);
  const PuInfo& b = pu(pu_b);
  if (pu_a == pu_b) return DistanceClass::same_pu;
  // Different packages are cross_package whatever else they share: a NUMA node that spans
  // packages (hwloc's synthetic machines without a numa level, some firmware) still leaves
  // every cache line crossing the socket interconnect.
  if (a.package >= 0 && b.package >= 0 && a.package != b.package) {
    return DistanceClass::cross_package;
  }
  std::optional<DistanceClass> closest;
  unsigned fewest_pus = 0;
  for (std::size_t level = 0; level < kLevels.size(); ++level) {
    const int container = a.*kLevels[level].field;
    if (container < 0 || container != b.*kLevels[level].field) continue;
    const unsigned pus_inside = impl_->pus_in[level][container];
    // Strictly fewer: a later (less specific) level holding the same PUs does not win.
    if (!closest || pus_inside < fewest_pus) {
      closest = kLevels[level].shared;
      fewest_pus = pus_inside;
    }
  }
  if (closest) return *closest;
  // With no package level the whole machine is the one package both PUs are in.
  return packages() == 0 ? DistanceClass::same_package : DistanceClass::cross_package;
}

PairClass Topology::pair_class(unsigned pu_a, unsigned pu_b) const {
  const DistanceClass level = distance(pu_a, pu_b);
  const int a = pu(pu_a).numa;
  const int b = pu(pu_b).numa;
  if (impl_->numa_split.empty() || a < 0 || b < 0 || a == b) return {level, 0};
  return {DistanceClass::same_package,
          impl_->numa_split[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]};
}

bool Topology::splits_by_numa_distance() const { return !impl_->numa_split.empty(); }

namespace {

std::string summary_line(const Topology& topo) {
  const unsigned smt = topo.pus_per_core();
  return topo.source() + " has " + count_of(topo.packages(), "package") + ", " +
         count_of(topo.numa_nodes(), "NUMA node") + ", " + count_of(topo.l3_caches(), "L3 cache") +
         ", " + count_of(topo.l2_caches(), "L2 cache") + ", " + count_of(topo.cores(), "core") +
         ", " + count_of(static_cast<unsigned>(topo.pus().size()), "PU") + " (" +
         (smt > 1 ? "SMT " + std::to_string(smt) : std::string("no SMT")) + ")\n";
}

// "core 3: PU 6,7" for the PUs of one core ("PU 5" for a PU outside any core).
std::string core_line(std::span<const PuInfo> core_pus) {
  const int core = core_pus.front().core;
  std::string line = core >= 0 ? "core " + std::to_string(core) + ": PU " : "PU ";
  for (const PuInfo& info : core_pus) {
    if (&info != &core_pus.front()) line += ",";
    line += std::to_string(info.os_index);
  }
  return line + "\n";
}

// PUs [begin, end) of one core: consecutive in logical order.
std::size_t core_end(const std::vector<PuInfo>& pus, std::size_t begin) {
  std::size_t end = begin + 1;
  while (end < pus.size() && pus[begin].core >= 0 && pus[end].core == pus[begin].core) ++end;
  return end;
}

}  // namespace

std::string Topology::xml() const {
  char* buffer = nullptr;
  int length = 0;
  if (hwloc_topology_export_xmlbuffer(impl_->handle.get(), &buffer, &length, 0) != 0) {
    const int error = errno;
    throw PinningError(failure("hwloc_topology_export_xmlbuffer", error));
  }
  // The length counts the terminating NUL.
  std::string text(buffer, length > 0 ? static_cast<std::size_t>(length) - 1 : 0);
  hwloc_free_xmlbuffer(impl_->handle.get(), buffer);
  return text;
}

std::string Topology::describe() const {
  std::string out = summary_line(*this);
  if (!impl_->outside.empty()) {
    out +=
        "not allowed to this process (its CPU affinity: taskset, a cpuset), never planned "
        "on: PU " +
        ranges(impl_->outside) + "\n";
  }
  const std::vector<std::size_t> levels = impl_->header_levels();
  const std::vector<PuInfo>& all = pus();
  const PuInfo* previous = nullptr;
  for (std::size_t begin = 0, end = 0; begin < all.size(); begin = end) {
    end = core_end(all, begin);
    const PuInfo& first = all[begin];
    // A new container at one level opens new ones at every level inside it.
    bool changed = previous == nullptr;
    for (std::size_t depth = 0; depth < levels.size(); ++depth) {
      const int container = first.*kLevels[levels[depth]].field;
      changed = changed || container != previous->*kLevels[levels[depth]].field;
      if (changed && container >= 0) {
        out += std::string(2 * depth, ' ') + impl_->header(levels[depth], container) + "\n";
      }
    }
    out +=
        std::string(2 * levels.size(), ' ') + core_line(std::span(all).subspan(begin, end - begin));
    previous = &first;
  }
  return out;
}

void Topology::bind_this_thread(unsigned pu_os_index) const {
  impl_->require_this_machine();
  pu(pu_os_index);  // a PU the topology lacks gets the usual message
  const std::string call = "hwloc_set_cpubind(PU " + std::to_string(pu_os_index) + ", thread)";
  if (!hwloc_topology_get_support(impl_->get())->cpubind->set_thisthread_cpubind) {
    throw PinningError(call + ": hwloc cannot bind threads on this system");
  }
  const Bitmap set = new_bitmap();
  hwloc_bitmap_only(set.get(), pu_os_index);
  // STRICT: fail rather than let hwloc settle for a wider set.
  if (hwloc_set_cpubind(impl_->get(), set.get(), HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) !=
      0) {
    const int error = errno;
    throw PinningError(failure(call, error));
  }
}

std::optional<unsigned> Topology::last_cpu_location() const {
  if (!impl_->this_machine ||
      !hwloc_topology_get_support(impl_->get())->cpubind->get_thisthread_last_cpu_location) {
    return std::nullopt;
  }
  const Bitmap set = new_bitmap();
  if (hwloc_get_last_cpu_location(impl_->get(), set.get(), HWLOC_CPUBIND_THREAD) != 0) {
    return std::nullopt;
  }
  const int first = hwloc_bitmap_first(set.get());
  if (first < 0) return std::nullopt;
  return static_cast<unsigned>(first);
}

namespace {

constexpr std::string_view kFirstTouch = "first-touch";

std::string memory_text(MemoryPolicy policy, const std::vector<hwloc_obj_t>& nodes) {
  if (nodes.empty()) return std::string(kFirstTouch);
  std::vector<unsigned> numbers;
  for (const hwloc_obj_t node : nodes) numbers.push_back(node->os_index);
  return std::string(name(policy)) + ":numa" + ranges(std::move(numbers));
}

bool membind_supported(hwloc_topology_t topology, MemoryPolicy policy) {
  const hwloc_topology_membind_support* support = hwloc_topology_get_support(topology)->membind;
  const bool policy_supported =
      policy == MemoryPolicy::interleave ? support->interleave_membind : support->bind_membind;
  return support->set_area_membind && policy_supported;
}

}  // namespace

std::string Topology::memory_plan(unsigned pu_os_index, MemoryPolicy policy) const {
  pu(pu_os_index);
  return memory_text(policy, impl_->memory_nodes(pu_os_index, policy));
}

std::string Topology::bind_memory(std::span<std::byte> area, unsigned pu_os_index,
                                  MemoryPolicy policy) const {
  impl_->require_this_machine();
  pu(pu_os_index);
  const std::vector<hwloc_obj_t> nodes = impl_->memory_nodes(pu_os_index, policy);
  const std::string plan = memory_text(policy, nodes);
  if (nodes.empty() || !membind_supported(impl_->get(), policy)) return std::string(kFirstTouch);
  const Bitmap set = new_bitmap();
  for (const hwloc_obj_t node : nodes) hwloc_bitmap_set(set.get(), node->os_index);
  const hwloc_membind_policy_t how =
      policy == MemoryPolicy::interleave ? HWLOC_MEMBIND_INTERLEAVE : HWLOC_MEMBIND_BIND;
  if (hwloc_set_area_membind(impl_->get(), area.data(), area.size(), set.get(), how,
                             HWLOC_MEMBIND_BYNODESET) != 0) {
    const int error = errno;
    // The kernel or the area cannot take the policy: the pages land where first touched.
    if (error == ENOSYS || error == EXDEV) return std::string(kFirstTouch);
    throw PinningError(failure(
        "hwloc_set_area_membind(" + plan + ") for PU " + std::to_string(pu_os_index), error));
  }
  return plan;
}

}  // namespace refbench::pinning
