// Topologies and helpers shared by the pinning tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "pinning/topology.h"

namespace refbench::pinning::testing {

// Synthetic machines, numbered by hwloc in order: PU p of (c) is on core p/2, L3 p/8,
// NUMA node p/16 and package p/32.
inline constexpr std::string_view kOnePackage = "synthetic:pack:1 core:4 pu:1";              // (a)
inline constexpr std::string_view kSmt2 = "synthetic:pack:1 l3:1 core:4 pu:2";               // (b)
inline constexpr std::string_view kTwoSockets = "synthetic:pack:2 numa:2 l3:2 core:4 pu:2";  // (c)
// Two cores under each L2: the only way to get shared_l2.
inline constexpr std::string_view kSharedL2 = "synthetic:pack:1 l3:1 l2:2 core:2 pu:1";

inline std::string data_path(std::string_view file) {
  return std::string(REFBENCH_TEST_DATA_DIR) + "/" + std::string(file);
}

// tests/data/two-socket-smt.xml: 2 packages, one NUMA node and one L3 each, per-core L2,
// 4 cores of 2 PUs each, numbered as Linux numbers Intel servers (siblings 8 apart: core k
// has PUs k and k+8), so logical order and OS indices differ. Made with
//   lstopo-no-graphics --input "pack:2 numa:1 l3:1 l2:4 core:1 pu:2(indexes=0,8,1,9,2,10,3,
//   11,4,12,5,13,6,14,7,15)" --of xml tests/data/two-socket-smt.xml
inline std::string two_socket_xml() { return "xml:" + data_path("two-socket-smt.xml"); }

// tests/data/one-socket-nps4.xml: one package split into 4 NUMA nodes of 2 cores (as an AMD
// EPYC in NPS4 mode), with a latency matrix in which node 3 is farthest from node 0 and node
// 2 from node 1 (12 to neighbours, 32 across). Made with
//   lstopo-no-graphics --input "pack:1 numa:4 core:2 pu:1" --of xml base.xml
//   hwloc-annotate base.xml tests/data/one-socket-nps4.xml -- none -- distances matrix.txt
inline std::string nps4_xml() { return "xml:" + data_path("one-socket-nps4.xml"); }

// tests/data/two-socket-uneven-smt.xml: 2 packages of 3 cores, SMT only in package 1
// (package 0 has PUs 0,2,4, one per core; package 1 has cores of PUs 6,7 8,9 10,11), so
// the first SMT pair is not in the first PU's row. Made with
//   lstopo-no-graphics --input "pack:2 numa:1 l3:1 core:3 pu:2" --restrict 0x0fd5 --of xml
//   tests/data/two-socket-uneven-smt.xml
inline std::string uneven_smt_xml() { return "xml:" + data_path("two-socket-uneven-smt.xml"); }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The PinningError message `action` throws, or a marker no expected message matches.
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const PinningError& e) {
    return e.what();
  }
  return "<no PinningError>";
}

}  // namespace refbench::pinning::testing
