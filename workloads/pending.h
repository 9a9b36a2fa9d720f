// Requests other threads post to an interpreter, taken by the interpreter's own thread at
// its safe points: objects to merge (biased) or views to release (civ-deferred).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "workloads/invariant.h"
#include "workloads/object.h"
#include "workloads/process_shared.h"
#include "workloads/region_offset.h"

namespace refbench::workloads {

// Many posters, one taker: a mutex-guarded list, as CPython's pending calls are. A poster
// never waits for the owner, which may itself be waiting on a channel the poster has to
// drain: a bounded queue that is full refuses the request (CPython drops such a release),
// and once the owner's thread has stopped taking requests (it finished or tore itself
// down) every post is refused, and the poster handles the request itself.
class PendingQueue {
 public:
  static constexpr std::size_t kUnbounded = 0;
  static constexpr std::size_t kAll = static_cast<std::size_t>(-1);  // for take()

  // One request: an object, and which part of its release (civ-deferred on CPython's main
  // posts two calls per view; every other request is part 0).
  // The object is an offset from the point's region, as in a channel's messages.
  struct Request {
    RegionOffset<Object> object_at;
    std::uint32_t part = 0;
    Object* object() const { return object_at.get(); }
  };
  explicit PendingQueue(std::size_t capacity = kUnbounded) : capacity_(capacity) {}

  // What became of a request: queued for the owner, or refused, and then the poster must
  // deal with it (full: CPython drops it; owner_gone: carry it out itself).
  enum class Posted { queued, full, owner_gone };
  [[nodiscard]] Posted post(Object& object, std::uint32_t part = 0) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return Posted::owner_gone;
      if (capacity_ != kUnbounded && requests_.size() == capacity_) return Posted::full;
      requests_.push_back({RegionOffset<Object>(&object), part});
    }
    // Then signal the owner, as CPython does after it lets go of the pending mutex: an
    // atomic OR into the word the owner's eval breaker polls (_Py_set_eval_breaker_bit),
    // a locked instruction on the owner's line per post. Relaxed: only a hint; the
    // requests themselves are read under the mutex, which orders them. The owner clears it
    // under the mutex when it empties the queue; a signal set after that, for a request it
    // already took, only makes it look once more.
    pending_.fetch_or(kCallsToDo, std::memory_order_relaxed);
    return Posted::queued;
  }

  // The owner's check at a safe point: one load, no lock. Relaxed: a request it misses now
  // is taken at a later safe point, or at the latest when the owner exits, taking under
  // the mutex after close(), which orders every post that got in before it.
  bool has_pending() const { return pending_.load(std::memory_order_relaxed) != 0; }

  // Moves up to `most` of the oldest requests into `out`, under one hold of the mutex (as
  // CPython's biased counting takes a whole merge queue). The owner's thread only.
  void take(std::size_t most, std::vector<Request>& out) {
    std::lock_guard lock(mutex_);
    check_taker();
    const std::size_t n = std::min(most, requests_.size());
    out.insert(out.end(), requests_.begin(), requests_.begin() + static_cast<std::ptrdiff_t>(n));
    requests_.erase(requests_.begin(), requests_.begin() + static_cast<std::ptrdiff_t>(n));
    // Relaxed: as in post().
    if (requests_.empty()) pending_.store(0, std::memory_order_relaxed);
  }

  // The oldest request, under a hold of the mutex of its own, as CPython's drain pops each
  // pending call (_pop_pending_call); false if there is none. The owner's thread only.
  [[nodiscard]] bool take_one(Request& out) {
    std::lock_guard lock(mutex_);
    check_taker();
    if (requests_.empty()) {
      pending_.store(0, std::memory_order_relaxed);  // a late signal (see post())
      return false;
    }
    out = requests_.front();
    requests_.pop_front();
    // Relaxed: as in post().
    if (requests_.empty()) pending_.store(0, std::memory_order_relaxed);
    return true;
  }

  // The interpreter is being ended (CPython's Py_EndInterpreter makes the remaining pending
  // calls, _Py_FinishPendingCalls): later posts refuse, and every request queued moves into
  // `out`. On the thread that ends it, which need not be the owner's: by then no thread
  // runs in the interpreter.
  void finish(std::vector<Request>& out) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    out.insert(out.end(), requests_.begin(), requests_.end());
    requests_.clear();
    pending_.store(0, std::memory_order_relaxed);
  }

  // The owner stops taking requests: later posts refuse. Those already queued stay, for the
  // owner to take.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }

 private:
  void check_taker() {
    if constexpr (kChecked) {
      REFBENCH_ASSERT(taker_ == std::thread::id() || taker_ == std::this_thread::get_id(),
                      "a pending queue is taken from by its owner's thread only");
      taker_ = std::this_thread::get_id();
    }
  }

  const std::size_t capacity_;
  PointMutex mutex_;  // process-shared where the queue is (--isolation process)
  std::deque<Request> requests_;
  bool closed_ = false;
  std::thread::id taker_;                         // the thread that takes (checked builds only)
  static constexpr std::uint32_t kCallsToDo = 1;  // the eval breaker's _PY_CALLS_TO_DO_BIT
  alignas(kCacheLine) std::atomic<std::uint32_t> pending_{0};
};

}  // namespace refbench::workloads
