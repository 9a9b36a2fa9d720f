// An interpreter lock as CPython's GIL works (Python/ceval_gil.c, 3.12 and later): a mutex
// and a condition variable guard a `locked` flag. A thread that wants the lock waits on the
// condition for the switch interval at a time; if the holder has not switched meanwhile,
// it sets the drop request (the eval breaker's GIL_DROP_REQUEST bit), and the holder lets
// go at its next safe point. A holder that drops because it was asked waits until another
// thread has taken the lock (FORCE_SWITCHING), so that it cannot take it straight back.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "workloads/hardware.h"
#include "workloads/process_shared.h"

namespace refbench::workloads {

class CpythonGil {
 public:
  explicit CpythonGil(std::chrono::nanoseconds switch_interval)
      : switch_interval_(switch_interval) {}
  CpythonGil(const CpythonGil&) = delete;
  CpythonGil& operator=(const CpythonGil&) = delete;

  // take_gil: returns holding the lock, or false if the lock was abandoned meanwhile.
  [[nodiscard]] bool lock() {
    PointCondition::Lock guard(mutex_);
    while (locked_ && !abandoned_) {
      const std::uint64_t switches_seen = switches_;
      const bool taken_meanwhile = cond_.wait_for(guard, switch_interval_, [&] {
        return !locked_ || abandoned_ || switches_ != switches_seen;
      });
      // A whole interval without a switch: ask the holder to drop at its next safe point.
      // Relaxed: the bit is a hint the holder polls; the hand-over itself is ordered by
      // the mutex.
      if (!taken_meanwhile) drop_request_.store(true, std::memory_order_relaxed);
    }
    if (abandoned_) return false;
    locked_ = true;
    ++switches_;
    // Our request (or another waiter's) is served; a waiter still waiting sets it again
    // after its next interval. Relaxed, as above.
    drop_request_.store(false, std::memory_order_relaxed);
    switch_cond_.notify_all();
    return true;
  }

  [[nodiscard]] bool try_lock() {
    std::lock_guard<PointMutex> guard(mutex_);
    if (locked_ || abandoned_) return false;
    locked_ = true;
    ++switches_;
    switch_cond_.notify_all();
    return true;
  }

  // drop_gil: lets go, wakes one waiter and, if a waiter asked for the lock, waits until
  // some thread has taken it (FORCE_SWITCHING).
  void unlock() {
    PointCondition::Lock guard(mutex_);
    locked_ = false;
    cond_.notify_one();
    if (!drop_request_.load(std::memory_order_relaxed)) return;
    const std::uint64_t switches_seen = switches_;
    switch_cond_.wait(guard, [&] { return switches_ != switches_seen || abandoned_; });
  }

  // The eval breaker's check at a safe point: one relaxed load of a flag the waiter writes.
  bool drop_requested() const { return drop_request_.load(std::memory_order_relaxed); }

  // Every wait, now or later, returns false instead of waiting on.
  void abandon() {
    std::lock_guard<PointMutex> guard(mutex_);
    abandoned_ = true;
    cond_.notify_all();
    switch_cond_.notify_all();
  }

  // Times the lock changed hands (was taken), for tests.
  std::uint64_t switches() const {
    std::lock_guard<PointMutex> guard(mutex_);
    return switches_;
  }

 private:
  const std::chrono::nanoseconds switch_interval_;
  mutable PointMutex mutex_;    // process-shared in a shared region
  PointCondition cond_;         // the lock was released (or abandoned)
  PointCondition switch_cond_;  // the lock was taken by some thread
  bool locked_ = false;
  bool abandoned_ = false;
  std::uint64_t switches_ = 0;
  // Polled by the holder on every safe point, written by waiters: its own line.
  alignas(kCacheLine) std::atomic<bool> drop_request_{false};
};

}  // namespace refbench::workloads
