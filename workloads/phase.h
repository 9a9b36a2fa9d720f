// When a phase of sends ends: after a number of sends, or at a deadline.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace refbench::workloads {

using Clock = std::chrono::steady_clock;

// A timestamp for short intervals timed on one thread (a round trip), in ticks of a counter
// that runs at a constant rate: on x86 the TSC, read with rdtscp, which waits until every
// earlier instruction has executed, so a round trip's end is stamped after the load that
// saw the reply. It costs about 23 ns on our VM, where steady_clock::now() costs about 30
// (kvm-clock through the vDSO: the same TSC, then the pvclock page's scaling), and a sample
// holds about one read. Elsewhere the steady clock's own count. StampRate turns ticks into
// time.
inline std::uint64_t stamp() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned int processor;  // rdtscp's TSC_AUX, unused
  return __rdtscp(&processor);
#else
  return static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
#endif
}

// The rate of stamp() against the steady clock, taken over one interval read with both (a
// thread's timed phase: a tenth of a second or more, so the two clocks' own read costs
// vanish in it). Converts the ticks of intervals stamped in it.
class StampRate {
 public:
  // Marks the interval's start and end; begin() before end(), on one thread.
  void begin() {
    clock_start_ = Clock::now();
    stamp_start_ = stamp();
  }
  void end() {
    stamp_end_ = stamp();
    clock_end_ = Clock::now();
  }

  // `ticks` of stamp() in nanoseconds, rounded to the nearest.
  std::uint64_t nanoseconds(std::uint64_t ticks) const {
    const std::chrono::duration<double, std::nano> clock = clock_end_ - clock_start_;
    const std::uint64_t stamped = stamp_end_ - stamp_start_;
    if (stamped == 0) return 0;  // an empty interval holds no sample
    return static_cast<std::uint64_t>(
        static_cast<double>(ticks) * clock.count() / static_cast<double>(stamped) + 0.5);
  }

 private:
  Clock::time_point clock_start_;
  Clock::time_point clock_end_;
  std::uint64_t stamp_start_ = 0;
  std::uint64_t stamp_end_ = 0;
};

class PhaseLimit {
 public:
  static PhaseLimit sends(std::uint64_t n) { return PhaseLimit(n, Clock::time_point::max()); }
  static PhaseLimit deadline(Clock::time_point at) { return PhaseLimit(0, at); }

  // `done` sends so far. The clock is read every kClockStride sends only: a read costs
  // about as much as a hand-off on the same core.
  bool reached(std::uint64_t done) const {
    if (deadline_ == Clock::time_point::max()) return done >= sends_;
    return done % kClockStride == 0 && Clock::now() >= deadline_;
  }

 private:
  static constexpr std::uint64_t kClockStride = 64;
  PhaseLimit(std::uint64_t n, Clock::time_point at) : sends_(n), deadline_(at) {}
  std::uint64_t sends_;
  Clock::time_point deadline_;
};

}  // namespace refbench::workloads
