// An interpreter's lock (its GIL). Under `gil` every interpreter shares one.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "workloads/hardware.h"
#include "workloads/vocabulary.h"
#include "workloads/waiting.h"

namespace refbench::workloads {

// Thrown by a wait for an abandoned lock (InterpreterLock::abandon).
struct LockAbandoned : std::runtime_error {
  LockAbandoned() : std::runtime_error("the interpreter lock was abandoned by the watchdog") {}
};

// A test-and-test-and-set lock that waits by the run's policy. Under `block` it is
// Drepper's futex mutex ("Futexes Are Tricky", mutex 2): 0 free, 1 held, 2 held with
// sleepers, so an uncontended unlock makes no system call.
class alignas(kCacheLine) InterpreterLock {
 public:
  explicit InterpreterLock(WaitPolicy policy) : policy_(policy) {}
  InterpreterLock(const InterpreterLock&) = delete;
  InterpreterLock& operator=(const InterpreterLock&) = delete;

  // acquire (in try_lock): what the previous holder wrote under the lock is visible to us.
  void lock() {
    if (!try_lock()) lock_contended();
  }

  bool try_lock() {
    std::uint32_t expected = kFree;
    return state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  // The watchdog gave up on the point: every wait for this lock, now or later, throws
  // LockAbandoned instead of waiting on, so that stuck threads unwind. Sleepers are woken
  // by a state no one else writes.
  void abandon() {
    abandoned_.store(true, std::memory_order_relaxed);
    state_.store(kAbandoned, std::memory_order_relaxed);
    state_.notify_all();
  }

  void unlock() {
    // release: our writes under the lock are visible to the next holder.
    if (policy_ != WaitPolicy::block) {
      state_.store(kFree, std::memory_order_release);
      return;
    }
    if (state_.exchange(kFree, std::memory_order_release) == kHeldWithSleepers) {
      state_.notify_one();
    }
  }

 private:
  void lock_contended() {
    Backoff backoff(policy_);
    for (;;) {
      std::uint32_t expected = kFree;
      if (state_.load(std::memory_order_relaxed) == kFree &&
          state_.compare_exchange_weak(expected, kHeld, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        return;
      }
      if (abandoned_.load(std::memory_order_relaxed)) throw LockAbandoned();
      if (backoff.pause()) return sleep_until_acquired();
    }
  }

  // Marks the lock "held with sleepers" and sleeps; whoever unlocks it then wakes one of
  // us. We keep the mark when we get it, since others may still sleep.
  void sleep_until_acquired() {
    while (state_.exchange(kHeldWithSleepers, std::memory_order_acquire) != kFree) {
      if (abandoned_.load(std::memory_order_relaxed)) throw LockAbandoned();
      state_.wait(kHeldWithSleepers, std::memory_order_relaxed);
    }
  }

  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kHeld = 1;
  static constexpr std::uint32_t kHeldWithSleepers = 2;
  static constexpr std::uint32_t kAbandoned = 3;

  std::atomic<std::uint32_t> state_{kFree};
  const WaitPolicy policy_;
  std::atomic<bool> abandoned_{false};
};

static_assert(sizeof(InterpreterLock) == kCacheLine,
              "an interpreter lock fills its own cache line, so taking it moves nothing else");

}  // namespace refbench::workloads
