#include "pinning/distance.h"

#include <algorithm>
#include <cstddef>

#include "pinning/numbers.h"
#include "pinning/topology.h"

namespace refbench::pinning {
namespace {

// Indexed by the enumerator: these are the CSV's values, so they never change.
constexpr std::array<std::string_view, kAllDistanceClasses.size()> kDistanceNames = {
    "same_pu",   "smt_sibling",  "shared_l2",    "shared_l3",
    "same_numa", "same_package", "cross_package"};

constexpr std::array<MemoryPolicy, 3> kAllMemoryPolicies = {
    MemoryPolicy::local, MemoryPolicy::remote, MemoryPolicy::interleave};
constexpr std::array<std::string_view, kAllMemoryPolicies.size()> kMemoryPolicyNames = {
    "local", "remote", "interleave"};

// The name tables are indexed by enumerator, so each list of values must be in enum order.
template <typename Enum, std::size_t N>
constexpr bool in_enum_order(const std::array<Enum, N>& values) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(values[i]) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(kAllDistanceClasses), "kAllDistanceClasses must follow the enum");
static_assert(in_enum_order(kAllMemoryPolicies), "kAllMemoryPolicies must follow the enum");

template <typename Enum, std::size_t N>
std::optional<Enum> find_by_name(const std::array<Enum, N>& values,
                                 const std::array<std::string_view, N>& names,
                                 std::string_view text) {
  const auto found = std::find(names.begin(), names.end(), text);
  if (found == names.end()) return std::nullopt;
  return values[static_cast<std::size_t>(found - names.begin())];
}

}  // namespace

std::string_view name(DistanceClass c) { return kDistanceNames[static_cast<std::size_t>(c)]; }

std::optional<DistanceClass> parse_distance_class(std::string_view text) {
  return find_by_name(kAllDistanceClasses, kDistanceNames, text);
}

std::string name(PairClass c) {
  if (c.numa_distance == 0) return std::string(name(c.level));
  return std::string(kNumaDistancePrefix) + std::to_string(c.numa_distance);
}

std::optional<PairClass> parse_pair_class(std::string_view text) {
  if (const auto level = parse_distance_class(text)) return PairClass{*level, 0};
  if (!text.starts_with(kNumaDistancePrefix)) return std::nullopt;
  const std::string_view digits = text.substr(kNumaDistancePrefix.size());
  const std::optional<unsigned> value = parse_unsigned(digits);
  if (!value || digits.front() == '0') return std::nullopt;  // as name() writes it: no 0, no 012
  return PairClass{DistanceClass::same_package, *value};
}

std::string_view name(MemoryPolicy policy) {
  return kMemoryPolicyNames[static_cast<std::size_t>(policy)];
}

std::optional<MemoryPolicy> parse_memory_policy(std::string_view text) {
  return find_by_name(kAllMemoryPolicies, kMemoryPolicyNames, text);
}

}  // namespace refbench::pinning
