// An interpreter's lock (its GIL). Under `gil` every interpreter shares one.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "workloads/hardware.h"
#include "workloads/invariant.h"
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

  // True if the lock was free and is now ours.
  [[nodiscard]] bool try_lock() {
    std::uint32_t expected = kFree;
    // Failure relaxed: a lock we did not get orders nothing.
    return state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  // The watchdog gave up on the point: every wait for this lock, now or later, throws
  // LockAbandoned instead of waiting on, so that stuck threads unwind. Sleepers are woken
  // by kAbandoned, a state no lock or unlock writes; the flag keeps saying it after the state
  // is overwritten (by a sleeper's exchange, or by the holder's unlock).
  void abandon() {
    // Relaxed: published by the release store of the state just after it.
    abandoned_.store(true, std::memory_order_relaxed);
    // release: a thread whose acquire read-modify-write of the state reads kAbandoned, or any
    // later value (every later write under `block`, where threads sleep, is a
    // read-modify-write, so they all continue this store's release sequence), sees the flag.
    state_.store(kAbandoned, std::memory_order_release);
    state_.notify_all();
  }

  void unlock() {
    // Relaxed: only our own unlock makes a held lock free, so we read a state we wrote or
    // one a waiter or the watchdog wrote over it, never kFree.
    REFBENCH_ASSERT(state_.load(std::memory_order_relaxed) != kFree,
                    "an interpreter lock is unlocked by its holder");
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
      // The test before the test-and-set, relaxed: a value read here only decides whether
      // to try; the compare-exchange that takes the lock acquires (its failure orders nothing).
      const std::uint32_t seen = state_.load(std::memory_order_relaxed);
      if (seen == kFree && state_.compare_exchange_weak(expected, kHeld, std::memory_order_acquire,
                                                        std::memory_order_relaxed)) {
        return;
      }
      // The state says it while it holds kAbandoned; the flag once the state was overwritten.
      // Relaxed: nothing is read after it, and a spinning waiter that misses the flag now
      // sees it on a later turn; a sleeper's check comes after an acquire (below).
      if (seen == kAbandoned || abandoned_.load(std::memory_order_relaxed)) throw LockAbandoned();
      if (backoff.pause()) return sleep_until_acquired();
    }
  }

  // Marks the lock "held with sleepers" and sleeps; whoever unlocks it then wakes one of
  // us. We keep the mark when we get it, since others may still sleep.
  void sleep_until_acquired() {
    // acquire: on kFree, as in try_lock; otherwise, after abandon(), it makes the flag
    // visible (see abandon()).
    while (state_.exchange(kHeldWithSleepers, std::memory_order_acquire) != kFree) {
      // Relaxed: the acquire exchange just above ordered abandon()'s store of it before us.
      if (abandoned_.load(std::memory_order_relaxed)) give_up_sleeping();
      // Relaxed: the exchange at the top of the loop, once woken, does the acquiring.
      state_.wait(kHeldWithSleepers, std::memory_order_relaxed);
    }
  }

  // Our exchange may have overwritten kAbandoned with kHeldWithSleepers, and a sleeper that
  // wakes to find kHeldWithSleepers again would go back to sleep for good: put kAbandoned
  // back and wake them all, so that each of them sees it, throws, and does the same.
  [[noreturn]] void give_up_sleeping() {
    // release: as in abandon(), for the sleepers it wakes.
    state_.store(kAbandoned, std::memory_order_release);
    state_.notify_all();
    throw LockAbandoned();
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
