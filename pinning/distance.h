// How far apart two processing units are: the closest level of the machine they share.
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace refbench::pinning {

// Ordered from nearest to farthest. PUs in different packages are cross_package, whatever
// else they share (a NUMA node can span packages). Otherwise the class of two PUs is the
// smallest container that holds both; where two containers hold the same PUs (an L3 per
// package), the more specific one (listed first) names the class.
enum class DistanceClass {
  same_pu,        // both on one PU: the threads time-share it
  smt_sibling,    // two PUs of one core
  shared_l2,      // different cores sharing an L2
  shared_l3,      // different L2s sharing an L3
  same_numa,      // different L3s in one NUMA node
  same_package,   // different NUMA nodes (or L3s) in one package
  cross_package,  // different packages
};

inline constexpr std::array<DistanceClass, 7> kAllDistanceClasses = {
    DistanceClass::same_pu,      DistanceClass::smt_sibling, DistanceClass::shared_l2,
    DistanceClass::shared_l3,    DistanceClass::same_numa,   DistanceClass::same_package,
    DistanceClass::cross_package};

// "same_pu", "smt_sibling", ... as in the CSV's distance_class column.
std::string_view name(DistanceClass c);
std::optional<DistanceClass> parse_distance_class(std::string_view text);

// The class of a pair of PUs as results name it. Where the firmware's NUMA distance matrix
// (ACPI SLIT) holds more than one value between distinct nodes, as on an AMD EPYC in NPS4
// mode (10 local, 12 to a neighbouring quadrant, 32 across), the containers alone would put
// near and far nodes in one class: two PUs in different NUMA nodes are then classed by the
// matrix's value between their nodes, `numa_distance_12`, `numa_distance_32`, and
// `numa_distance` holds it. Such classes rank after same_numa (they stand where
// same_package does, whatever the packages), nearest first. Elsewhere `numa_distance` is 0
// and the class is `level`.
struct PairClass {
  DistanceClass level = DistanceClass::same_pu;
  unsigned numa_distance = 0;

  friend auto operator<=>(const PairClass&, const PairClass&) = default;
};

inline constexpr std::string_view kNumaDistancePrefix = "numa_distance_";

// "same_numa", "numa_distance_32", ...: the CSV's distance_class column.
std::string name(PairClass c);
// Reads what name(PairClass) writes; nothing for any other text.
std::optional<PairClass> parse_pair_class(std::string_view text);

}  // namespace refbench::pinning
