// An interpreter's lock (its GIL). Under `gil` every interpreter shares one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "workloads/cpython_gil.h"
#include "workloads/hardware.h"
#include "workloads/invariant.h"
#include "workloads/process_shared.h"
#include "workloads/vocabulary.h"
#include "workloads/waiting.h"

namespace refbench::workloads {

// Thrown by a wait for an abandoned lock (InterpreterLock::abandon).
struct LockAbandoned : std::runtime_error {
  LockAbandoned() : std::runtime_error("the interpreter lock was abandoned by the watchdog") {}
};

// An interpreter's lock, held by its thread while the thread runs (as a CPython thread
// holds its GIL) and given up when the thread would block, or at its next safe point when
// another thread asks for it (drop_requested(), the eval breaker's GIL_DROP_REQUEST).
//
// --gil cpython: CPython's GIL (CpythonGil): a waiter asks after the switch interval.
// --gil spin: a test-and-test-and-set lock that waits by the run's policy, and a waiter
// asks at once. Under `block` it is Drepper's futex mutex ("Futexes Are Tricky", mutex 2):
// 0 free, 1 held, 2 held with sleepers, so an uncontended unlock makes no system call.
//
// Either way a holder that lets go while a waiter asks waits until another thread has
// taken the lock (CPython's FORCE_SWITCHING), so that it cannot take it straight back.
class alignas(kCacheLine) InterpreterLock {
 public:
  InterpreterLock(GilKind kind, WaitPolicy policy, std::chrono::nanoseconds switch_interval)
      : policy_(policy),
        cpython_(kind == GilKind::cpython ? std::make_unique<CpythonGil>(switch_interval)
                                          : nullptr) {}
  explicit InterpreterLock(WaitPolicy policy)
      : InterpreterLock(GilKind::spin, policy, std::chrono::nanoseconds{0}) {}
  InterpreterLock(const InterpreterLock&) = delete;
  InterpreterLock& operator=(const InterpreterLock&) = delete;

  // acquire (in try_lock): what the previous holder wrote under the lock is visible to us.
  void lock() {
    if (cpython_) {
      if (!cpython_->lock()) throw LockAbandoned();
      return;
    }
    if (!try_lock()) lock_contended();
  }

  // True if the lock was free and is now ours.
  [[nodiscard]] bool try_lock() {
    if (cpython_) return cpython_->try_lock();
    std::uint32_t expected = kFree;
    // Failure relaxed: a lock we did not get orders nothing.
    if (!state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      return false;
    }
    taken();
    return true;
  }

  // The eval breaker's check, at every safe point of the holder: another thread asks for
  // the lock. Relaxed: a hint, polled; the hand-over is ordered by the lock itself.
  bool drop_requested() const {
    if (cpython_) return cpython_->drop_requested();
    return drop_request_.load(std::memory_order_relaxed);
  }

  // The watchdog gave up on the point: every wait for this lock, now or later, throws
  // LockAbandoned instead of waiting on, so that stuck threads unwind. Sleepers are woken
  // by kAbandoned, a state no lock or unlock writes; the flag keeps saying it after the state
  // is overwritten (by a sleeper's exchange, or by the holder's unlock).
  void abandon() {
    if (cpython_) cpython_->abandon();
    // Relaxed: published by the release store of the state just after it.
    abandoned_.store(true, std::memory_order_relaxed);
    // release: a thread whose acquire read-modify-write of the state reads kAbandoned, or any
    // later value (every later write under `block`, where threads sleep, is a
    // read-modify-write, so they all continue this store's release sequence), sees the flag.
    state_.store(kAbandoned, std::memory_order_release);
    notify_state(INT_MAX);
  }

  void unlock() {
    if (cpython_) return cpython_->unlock();
    // Relaxed: only our own unlock makes a held lock free, so we read a state we wrote or
    // one a waiter or the watchdog wrote over it, never kFree.
    REFBENCH_ASSERT(state_.load(std::memory_order_relaxed) != kFree,
                    "an interpreter lock is unlocked by its holder");
    // Read before the lock is free: the switch the waiter's acquisition will make.
    const std::uint64_t switches_seen = switches_.load(std::memory_order_relaxed);
    const bool asked = drop_request_.load(std::memory_order_relaxed);
    // release: our writes under the lock are visible to the next holder.
    if (policy_ != WaitPolicy::block) {
      state_.store(kFree, std::memory_order_release);
    } else if (state_.exchange(kFree, std::memory_order_release) == kHeldWithSleepers) {
      notify_state(1);
    }
    if (asked) wait_for_switch(switches_seen);
  }

  // Times the lock was taken, for tests.
  std::uint64_t switches() const {
    if (cpython_) return cpython_->switches();
    return switches_.load(std::memory_order_relaxed);
  }

 private:
  // On every acquisition: count the switch and clear a request it served.
  void taken() {
    // Relaxed: a single writer (the holder) at a time; FORCE_SWITCHING only needs to see the
    // count change, and the lock's own acquire/release orders the holders.
    switches_.store(switches_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (drop_request_.load(std::memory_order_relaxed)) {
      drop_request_.store(false, std::memory_order_relaxed);
    }
  }

  // A waiter asked (FORCE_SWITCHING): wait until it (or another) has taken the lock.
  void wait_for_switch(std::uint64_t switches_seen) {
    Backoff backoff(policy_ == WaitPolicy::block ? WaitPolicy::yield : policy_);
    while (switches_.load(std::memory_order_relaxed) == switches_seen &&
           !abandoned_.load(std::memory_order_relaxed)) {
      backoff.pause();
    }
  }

  // A waiter that cannot have the lock asks the holder to drop it at its next safe point.
  // Written only when not already set, so that spinning waiters do not keep writing the
  // line the holder reads. Relaxed, as drop_requested().
  void ask_for_drop() {
    if (!drop_request_.load(std::memory_order_relaxed)) {
      drop_request_.store(true, std::memory_order_relaxed);
    }
  }

  void lock_contended() {
    Backoff backoff(policy_);
    for (;;) {
      std::uint32_t expected = kFree;
      // The test before the test-and-set, relaxed: a value read here only decides whether
      // to try; the compare-exchange that takes the lock acquires (its failure orders nothing).
      const std::uint32_t seen = state_.load(std::memory_order_relaxed);
      if (seen == kFree && state_.compare_exchange_weak(expected, kHeld, std::memory_order_acquire,
                                                        std::memory_order_relaxed)) {
        taken();
        return;
      }
      ask_for_drop();
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
      ask_for_drop();
      // Relaxed: the acquire exchange just above ordered abandon()'s store of it before us.
      if (abandoned_.load(std::memory_order_relaxed)) give_up_sleeping();
      // Relaxed: the exchange at the top of the loop, once woken, does the acquiring.
      wait_state(kHeldWithSleepers);
    }
    taken();
  }

  // Our exchange may have overwritten kAbandoned with kHeldWithSleepers, and a sleeper that
  // wakes to find kHeldWithSleepers again would go back to sleep for good: put kAbandoned
  // back and wake them all, so that each of them sees it, throws, and does the same.
  [[noreturn]] void give_up_sleeping() {
    // release: as in abandon(), for the sleepers it wakes.
    state_.store(kAbandoned, std::memory_order_release);
    notify_state(INT_MAX);
    throw LockAbandoned();
  }

  // Across processes (made in a point's shared region) the futex must be a shared one.
  void notify_state(int how_many) {
    if (shared_) {
      shared_futex_wake(state_, how_many);
    } else if (how_many == 1) {
      state_.notify_one();
    } else {
      state_.notify_all();
    }
  }
  void wait_state(std::uint32_t seen) {
    if (shared_) {
      shared_futex_wait(state_, seen);
    } else {
      state_.wait(seen, std::memory_order_relaxed);
    }
  }

  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kHeld = 1;
  static constexpr std::uint32_t kHeldWithSleepers = 2;
  static constexpr std::uint32_t kAbandoned = 3;

  std::atomic<std::uint32_t> state_{kFree};
  const WaitPolicy policy_;
  std::atomic<bool> abandoned_{false};
  const bool shared_ = constructing_shared();
  // On the lock's own line: the waiters who write it already spin on this line.
  std::atomic<bool> drop_request_{false};
  std::atomic<std::uint64_t> switches_{0};
  const std::unique_ptr<CpythonGil> cpython_;  // --gil cpython; null for spin
};

static_assert(sizeof(InterpreterLock) == kCacheLine,
              "an interpreter lock fills its own cache line, so taking it moves nothing else");

}  // namespace refbench::workloads
