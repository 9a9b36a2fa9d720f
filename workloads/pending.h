// Requests other threads post to an interpreter, taken by the interpreter's own thread at
// its safe points: objects to merge (biased) or views to release (civ-deferred).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "workloads/object.h"

namespace refbench::workloads {

// Many posters, one taker. A mutex-guarded list that is never full: a poster must never wait
// for the owner, which may itself be waiting on a channel the poster has to drain. Once the
// owner's thread has stopped taking requests (it finished or tore itself down), post()
// refuses and the poster handles the request itself.
class PendingQueue {
 public:
  // False if the owner no longer takes requests.
  bool post(Object& object) {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    requests_.push_back(&object);
    // Relaxed: only a hint for the owner's cheap check; the requests themselves are read
    // under the mutex, which orders them.
    pending_.store(requests_.size(), std::memory_order_relaxed);
    return true;
  }

  // The owner's check at a safe point: one load, no lock.
  bool has_pending() const { return pending_.load(std::memory_order_relaxed) != 0; }

  // Moves up to `most` of the oldest requests into `out`.
  void take(std::size_t most, std::vector<Object*>& out) {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(most, requests_.size());
    out.insert(out.end(), requests_.begin(), requests_.begin() + static_cast<std::ptrdiff_t>(n));
    requests_.erase(requests_.begin(), requests_.begin() + static_cast<std::ptrdiff_t>(n));
    pending_.store(requests_.size(), std::memory_order_relaxed);
  }

  // The owner stops taking requests: moves every one left into `out`; later posts refuse.
  void close(std::vector<Object*>& out) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    out.insert(out.end(), requests_.begin(), requests_.end());
    requests_.clear();
    pending_.store(0, std::memory_order_relaxed);
  }

 private:
  std::mutex mutex_;
  std::deque<Object*> requests_;
  bool closed_ = false;
  alignas(kCacheLine) std::atomic<std::size_t> pending_{0};
};

}  // namespace refbench::workloads
