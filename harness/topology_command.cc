#include "harness/commands.h"
#include "harness/placements.h"
#include "harness/usage_error.h"
#include "pinning/placement.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

// Short names for the matrix: one column per PU must stay narrow.
std::string abbreviation(pinning::PairClass pair) {
  if (pair.numa_distance != 0) return "n" + std::to_string(pair.numa_distance);
  switch (pair.level) {
    case pinning::DistanceClass::same_pu:
      return "pu";
    case pinning::DistanceClass::smt_sibling:
      return "smt";
    case pinning::DistanceClass::shared_l2:
      return "l2";
    case pinning::DistanceClass::shared_l3:
      return "l3";
    case pinning::DistanceClass::same_numa:
      return "numa";
    case pinning::DistanceClass::same_package:
      return "pkg";
    case pinning::DistanceClass::cross_package:
      return "xpkg";
  }
  return "?";
}

std::string classes_present(const pinning::Topology& topo) {
  std::string out = "distance classes (first pair of each):\n";
  for (const auto& [a, b] : pinning::representative_pairs(topo)) {
    out += "  " + pinning::name(topo.pair_class(a, b)) + ": PUs " + std::to_string(a) + "," +
           std::to_string(b) + "\n";
  }
  return out;
}

std::string class_matrix(const pinning::Topology& topo) {
  std::vector<std::string> header = {"<PU"};
  for (const auto& pu : topo.pus()) header.push_back(std::to_string(pu.os_index));
  results::TextTable table(header);
  for (const auto& a : topo.pus()) {
    std::vector<std::string> cells = {std::to_string(a.os_index)};
    for (const auto& b : topo.pus())
      cells.emplace_back(abbreviation(topo.pair_class(a.os_index, b.os_index)));
    table.add_row(std::move(cells));
  }
  return "distance class of every pair (pu same PU, smt SMT sibling, l2/l3 shared cache, numa "
         "same NUMA node, pkg same package, xpkg across packages" +
         std::string(topo.splits_by_numa_distance()
                         ? "; nN different NUMA nodes at distance N in the firmware's matrix"
                         : "") +
         "):\n" + table.render();
}

std::string placement_plan(const pinning::Topology& topo, const std::string& spec, unsigned n) {
  const PuList pus = resolve_pus(topo, "--placement", spec, n);
  std::string out = spec + " for " + std::to_string(n) + " interpreter" + (n == 1 ? "" : "s") +
                    ": PUs " + Placement{pus}.pus_text() + "\n";
  const auto links = workloads::links(workloads::Workload::stream, n);
  for (const auto& [sender, receiver] : links) {
    out += "  pair " + std::to_string(sender) + "->" + std::to_string(receiver) + ": PUs " +
           std::to_string(pus[sender]) + "," + std::to_string(pus[receiver]) + " (" +
           pinning::name(topo.pair_class(pus[sender], pus[receiver])) + ")\n";
  }
  return out;
}

}  // namespace

int topology_command(const TopologyOptions& options, std::ostream& out) {
  pinning::Topology topo = [&] {
    try {
      return pinning::Topology::load(options.topology);
    } catch (const pinning::PinningError& e) {
      throw UsageError(std::string("--topology: ") + e.what());
    }
  }();
  out << topo.describe() << "\n" << classes_present(topo);
  if (options.placement)
    out << "\n" << placement_plan(topo, *options.placement, options.interpreters);
  if (options.matrix) out << "\n" << class_matrix(topo);
  return 0;
}

}  // namespace refbench::harness
