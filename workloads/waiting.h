// Waiting for another thread, the same way everywhere: channels and interpreter locks both
// wait through a Backoff, so --wait governs every wait of a run.
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>

#include "workloads/hardware.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {

// One wait: call pause() each time a try failed. Under `block` it answers true once the
// caller should stop spinning and sleep on a futex.
class Backoff {
 public:
  explicit Backoff(WaitPolicy policy) : policy_(policy) {}

  // Returns true when the caller should go to sleep (block policy, after spinning a while).
  bool pause() {
    switch (policy_) {
      case WaitPolicy::spin:
        cpu_relax();
        return false;
      case WaitPolicy::yield:
        sched_yield();
        return false;
      case WaitPolicy::block:
        if (++tries_ < kSpinsBeforeSleep) {
          cpu_relax();
          return false;
        }
        return true;
    }
    return false;
  }

 private:
  // About a microsecond of spinning: long enough to catch a peer that is about to act,
  // short next to the futex round trip (several microseconds) it saves.
  static constexpr std::uint32_t kSpinsBeforeSleep = 64;
  WaitPolicy policy_;
  std::uint32_t tries_ = 0;
};

}  // namespace refbench::workloads
