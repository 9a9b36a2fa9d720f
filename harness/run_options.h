// What `refbench run` was asked to do, after parsing and checking.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "workloads/vocabulary.h"

namespace refbench::harness {

struct RunOptions {
  std::vector<workloads::Strategy> strategies{workloads::kAllStrategies.begin(),
                                              workloads::kAllStrategies.end()};
  std::vector<workloads::Workload> workloads{workloads::kAllWorkloads.begin(),
                                             workloads::kAllWorkloads.end()};
  // A placement spec; none: one PU, the nearest pair and the farthest pair of this machine.
  std::optional<std::string> cores;
  std::uint64_t messages = 0;  // 0: run for `seconds`
  double seconds = 0.5;
  std::uint64_t warmup_messages = 10000;
  std::uint32_t payload_bytes = 64;
  std::uint32_t objects = 1;
  std::uint32_t local_work = 0;
  std::uint32_t channel_capacity = 256;
  std::optional<workloads::WaitPolicy> wait;  // none: auto (spin apart, yield on one PU)
  unsigned repetitions = 5;
  bool verify = false;
  std::filesystem::path out;  // empty: results/refbench-YYYYmmdd-HHMMSS.csv
  bool quiet = false;
};

}  // namespace refbench::harness
