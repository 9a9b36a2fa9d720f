#include "harness/probe.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "results/statistics.h"
#include "workloads/hardware.h"

namespace refbench::harness {
namespace {

using Clock = std::chrono::steady_clock;

// The one line the two threads bounce. A's writes are odd (a ball served), B's even (the
// ball returned); kStop tells B to leave. Release/acquire: each side's write is seen with
// everything before it, which is all a round trip needs; the timing is of the line's moves.
struct alignas(workloads::kCacheLine) Line {
  std::atomic<std::uint64_t> value{0};
};
constexpr std::uint64_t kStop = ~std::uint64_t{0};

void wait_for(const Line& line, std::uint64_t expected) {
  while (line.value.load(std::memory_order_acquire) != expected) workloads::cpu_relax();
}

}  // namespace

double probe_round_trip_ns(const pinning::Topology& topo, unsigned pu_a, unsigned pu_b,
                           const ProbeShape& shape) {
  Line line;
  std::atomic<bool> b_ready{false};  // B is bound: A may serve
  std::exception_ptr b_failed;
  std::thread b([&] {
    try {
      topo.bind_this_thread(pu_b);
    } catch (...) {
      b_failed = std::current_exception();
      // Release: A reads b_failed after it sees the flag.
      b_ready.store(true, std::memory_order_release);
      return;
    }
    b_ready.store(true, std::memory_order_release);
    for (std::uint64_t served = 1;; served += 2) {
      std::uint64_t seen;
      while ((seen = line.value.load(std::memory_order_acquire)) != served && seen != kStop) {
        workloads::cpu_relax();
      }
      if (seen == kStop) return;
      line.value.store(served + 1, std::memory_order_release);
    }
  });
  // A runs on a thread of its own too: the caller's own affinity stays as it was.
  std::vector<double> batch_ns;
  std::exception_ptr a_failed;
  const auto stop_b = [&] {
    // Release: as every store to the line.
    line.value.store(kStop, std::memory_order_release);
    b.join();
  };
  std::thread a;
  try {
    a = std::thread([&] {
      try {
        topo.bind_this_thread(pu_a);
        while (!b_ready.load(std::memory_order_acquire)) workloads::cpu_relax();
        if (b_failed) return;
        std::uint64_t ball = 1;
        const auto round_trip = [&] {
          line.value.store(ball, std::memory_order_release);
          wait_for(line, ball + 1);
          ball += 2;
        };
        for (unsigned i = 0; i < shape.warmup_round_trips; ++i) round_trip();
        for (unsigned batch = 0; batch < shape.batches; ++batch) {
          const Clock::time_point start = Clock::now();
          for (unsigned i = 0; i < shape.round_trips_per_batch; ++i) round_trip();
          const std::chrono::duration<double, std::nano> took = Clock::now() - start;
          batch_ns.push_back(took.count() / shape.round_trips_per_batch);
        }
      } catch (...) {
        a_failed = std::current_exception();
      }
      line.value.store(kStop, std::memory_order_release);
    });
  } catch (...) {  // no second thread: B must not wait for a ball that never comes
    stop_b();
    throw;
  }
  a.join();
  b.join();
  if (b_failed) std::rethrow_exception(b_failed);
  if (a_failed) std::rethrow_exception(a_failed);
  return results::median(batch_ns);
}

}  // namespace refbench::harness
