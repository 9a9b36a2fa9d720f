// When a phase of sends ends: after a number of sends, or at a deadline.
#pragma once

#include <chrono>
#include <cstdint>

namespace refbench::workloads {

using Clock = std::chrono::steady_clock;

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
