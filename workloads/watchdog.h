// Watches a point's progress from a thread of its own, and gives up on a point that
// stalls: no message moved for the stall timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "workloads/hardware.h"

namespace refbench::workloads {

// What one interpreter thread has done so far (messages received, heaps made),
// on a cache line of its own: the thread writes it, the watchdog only reads.
struct alignas(kCacheLine) Progress {
  std::atomic<std::uint64_t> steps{0};
  // Single writer: a relaxed load and store, no locked instruction in the measured loop.
  void step() { steps.store(steps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};

class Watchdog {
 public:
  // Checks `progress` a few times per `timeout`; if none changed for `timeout`, calls
  // `give_up` (which must make every wait of the point return or throw) once. A zero
  // timeout watches nothing.
  Watchdog(std::chrono::nanoseconds timeout, const std::vector<Progress>& progress,
           std::function<void()> give_up)
      : timeout_(timeout), progress_(progress), give_up_(std::move(give_up)) {
    if (timeout_.count() > 0) thread_ = std::jthread([this] { watch(); });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { stop(); }

  // The point finished (or failed): stop watching.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // Whether the watchdog gave up on the point. Read it after stop(): only then has every
  // effect of give_up happened. Relaxed: stop()'s join orders the store before (watch()).
  bool fired() const { return fired_.load(std::memory_order_relaxed); }

 private:
  std::uint64_t total() const {
    std::uint64_t sum = 0;
    // Relaxed: only whether a count changed matters; nothing is read through it.
    for (const Progress& p : progress_) sum += p.steps.load(std::memory_order_relaxed);
    return sum;
  }

  void watch() {
    const auto period =
        std::max<std::chrono::nanoseconds>(timeout_ / 8, std::chrono::milliseconds(1));
    std::uint64_t seen = total();
    auto last_change = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopped_; })) {
      const std::uint64_t now_seen = total();
      const auto now = std::chrono::steady_clock::now();
      if (now_seen != seen) {
        seen = now_seen;
        last_change = now;
      } else if (now - last_change >= timeout_) {
        // Relaxed: fired() is read after stop() has joined this thread, and the end of a
        // thread synchronises with its join, which orders this store, and all that give_up
        // did, before the read. (A release here would order only what came before it, and
        // give_up comes after.)
        fired_.store(true, std::memory_order_relaxed);
        give_up_();
        return;
      }
    }
  }

  const std::chrono::nanoseconds timeout_;
  const std::vector<Progress>& progress_;
  const std::function<void()> give_up_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::atomic<bool> fired_{false};
  std::jthread thread_;
};

}  // namespace refbench::workloads
