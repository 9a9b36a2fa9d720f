// How far apart two processing units are: the closest level of the machine they share.
#pragma once

#include <array>
#include <optional>
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

}  // namespace refbench::pinning
