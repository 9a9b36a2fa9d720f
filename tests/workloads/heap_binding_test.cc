// --isolation process: each interpreter's heap is its own page-aligned area of the point's
// shared region, handed to the harness's on_heap hook in the interpreter's own process before
// it is first touched, so that hwloc_set_area_membind (an mbind of that area) keeps each heap
// near its owner, whatever the other heaps' binding.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>

#include "tests/thread_sanitizer.h"
#include "workloads/point.h"
#include "workloads/shared_region.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {
namespace {

constexpr long kMpolBind = 2;  // linux/mempolicy.h's MPOL_BIND

// What the heap hook saw in interpreter i's process, said as text: its own pid, whether the
// area is whole pages of the region, and what the kernel said to binding it to node 0 (the
// call hwloc_set_area_membind makes on Linux).
std::string inspect(std::span<std::byte> heap) {
  const auto begin = reinterpret_cast<std::uintptr_t>(heap.data());
  const long page = sysconf(_SC_PAGESIZE);
  const bool aligned = begin % static_cast<std::uintptr_t>(page) == 0;
  const bool in_region =
      SharedRegion::in_any(heap.data()) && SharedRegion::in_any(heap.data() + heap.size() - 1);
  unsigned long node0 = 1;
  const std::size_t length = (heap.size() + static_cast<std::size_t>(page) - 1) /
                             static_cast<std::size_t>(page) * static_cast<std::size_t>(page);
  const long bound =
      syscall(SYS_mbind, heap.data(), length, kMpolBind, &node0, 8 * sizeof node0, 0);
  return std::to_string(getpid()) + (aligned ? " aligned" : " unaligned") +
         (in_region ? " in-region" : " outside") +
         (bound == 0 ? " bound" : std::string(" mbind: ") + std::strerror(errno));
}

TEST(HeapBinding, EachInterpreterProcessBindsAHeapOfItsOwnPages) {
  SKIP_UNDER_TSAN();
  PointConfig c;
  c.strategy = Strategy::atomic;
  c.workload = Workload::stream;
  c.wait = WaitPolicy::yield;
  c.messages = 2'000;
  c.payload_bytes = 100;
  c.objects = 3;
  c.isolation = Isolation::process;
  std::map<unsigned, std::string> seen;  // in each interpreter's process
  std::map<unsigned, std::string> reported;
  ThreadHooks hooks;
  hooks.on_heap = [&](unsigned i, std::span<std::byte> heap) { seen[i] = inspect(heap); };
  hooks.report = [&](unsigned i) { return seen[i]; };
  hooks.on_report = [&](unsigned i, const std::string& text) { reported[i] = text; };
  const PointResult r = run_point(c, hooks);
  EXPECT_EQ(r.integrity.leaks, 0u);
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_TRUE(seen.empty()) << "the hooks ran in the interpreters' processes, not here";
  for (const auto& [i, text] : reported) {
    EXPECT_NE(text.find(" aligned in-region bound"), std::string::npos) << i << ": " << text;
    EXPECT_NE(text.substr(0, text.find(' ')), std::to_string(getpid())) << i;
  }
  EXPECT_NE(reported[0].substr(0, reported[0].find(' ')),
            reported[1].substr(0, reported[1].find(' ')))
      << "each heap bound in its own process";
}

}  // namespace
}  // namespace refbench::workloads
