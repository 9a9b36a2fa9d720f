// Waiting and locking that also work between the interpreter processes of a point
// (--isolation process). std::atomic<T>::wait/notify and std::mutex use private futexes
// (keyed by the process's address space): a sleeper in one process is never woken by
// another. What is constructed inside a SharedRegion (shared_region.h) uses shared futexes
// and process-shared, robust pthread mutexes instead; everything else (thread mode) keeps
// the private, faster ones, unchanged.
#pragma once

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "workloads/shared_region.h"

namespace refbench::workloads {

// Whether what is being constructed now lives in a point's shared region: then its waits
// must cross processes.
inline bool constructing_shared() { return SharedRegion::active() != nullptr; }

// FUTEX_WAIT and FUTEX_WAKE without FUTEX_PRIVATE_FLAG: keyed by the page, not the address
// space. Returns on a wake, a signal, or when `word` no longer holds `expected`.
inline void shared_futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, expected, nullptr,
          nullptr, 0);
}
inline void shared_futex_wake(std::atomic<std::uint32_t>& word, int how_many) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, how_many, nullptr,
          nullptr, 0);
}

// An interpreter process died holding a process-shared lock (EOWNERDEAD): what it guarded
// may be half-changed, so the point cannot go on.
struct LockOwnerDied : std::runtime_error {
  LockOwnerDied() : std::runtime_error("an interpreter process died holding a lock (EOWNERDEAD)") {}
};

// A mutex (BasicLockable, for std::lock_guard). Constructed in a shared region: a pthread
// mutex, PTHREAD_PROCESS_SHARED and PTHREAD_MUTEX_ROBUST; a lock whose holder died throws
// LockOwnerDied (after marking the mutex consistent and letting it go, so that every other
// waiter learns the same). Elsewhere: a default pthread mutex, as std::mutex is.
class PointMutex {
 public:
  PointMutex() : shared_(constructing_shared()) {
    if (!shared_) {
      pthread_mutex_init(&mutex_, nullptr);
      return;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  PointMutex(const PointMutex&) = delete;
  PointMutex& operator=(const PointMutex&) = delete;
  ~PointMutex() { pthread_mutex_destroy(&mutex_); }

  void lock() {
    const int rc = pthread_mutex_lock(&mutex_);
    if (rc == EOWNERDEAD) {
      pthread_mutex_consistent(&mutex_);
      pthread_mutex_unlock(&mutex_);
      throw LockOwnerDied();
    }
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_mutex_lock");
  }
  void unlock() { pthread_mutex_unlock(&mutex_); }
  bool shared() const { return shared_; }
  pthread_mutex_t* native() { return &mutex_; }

 private:
  pthread_mutex_t mutex_;
  bool shared_;
};

// A condition variable on CLOCK_MONOTONIC for a PointMutex, process-shared where it is
// made in a shared region (else as std::condition_variable is). A wait that finds the
// mutex's holder died (EOWNERDEAD) marks it consistent and throws LockOwnerDied, the mutex
// held (the caller's unique_lock lets it go).
class PointCondition {
 public:
  using Lock = std::unique_lock<PointMutex>;

  PointCondition() {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (constructing_shared()) pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&cond_, &attr);
    pthread_condattr_destroy(&attr);
  }
  PointCondition(const PointCondition&) = delete;
  PointCondition& operator=(const PointCondition&) = delete;
  ~PointCondition() { pthread_cond_destroy(&cond_); }

  void notify_one() { pthread_cond_signal(&cond_); }
  void notify_all() { pthread_cond_broadcast(&cond_); }

  template <class Ready>
  void wait(Lock& lock, Ready ready) {
    while (!ready()) checked(lock, pthread_cond_wait(&cond_, lock.mutex()->native()));
  }

  // False if `ready` still does not hold after `timeout`.
  template <class Ready>
  bool wait_for(Lock& lock, std::chrono::nanoseconds timeout, Ready ready) {
    timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    const auto total = deadline.tv_nsec + timeout.count();
    deadline.tv_sec += static_cast<time_t>(total / 1000000000);
    deadline.tv_nsec = static_cast<long>(total % 1000000000);
    while (!ready()) {
      const int rc = pthread_cond_timedwait(&cond_, lock.mutex()->native(), &deadline);
      if (rc == ETIMEDOUT) return ready();
      checked(lock, rc);
    }
    return true;
  }

 private:
  static void checked(Lock& lock, int rc) {
    if (rc == EOWNERDEAD) {
      pthread_mutex_consistent(lock.mutex()->native());
      throw LockOwnerDied();
    }
  }

  pthread_cond_t cond_;
};

}  // namespace refbench::workloads
