// The interpreter threads of one point: started together, stopped together, and never
// left hanging when one of them fails.
#pragma once

#include <barrier>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace refbench::workloads {

// The system refused a thread: `started` of `needed` threads were running.
struct ThreadsNotStarted : std::system_error {
  ThreadsNotStarted(std::error_code code, unsigned started_, unsigned needed_)
      : std::system_error(code, "could not start interpreter thread " +
                                    std::to_string(started_ + 1) + " of " +
                                    std::to_string(needed_)),
        started(started_),
        needed(needed_) {}
  unsigned started;
  unsigned needed;
};

class Crew {
 public:
  // `cancel` must make every blocking wait of the point return (close its channels).
  Crew(unsigned threads, std::function<void()> cancel)
      : threads_(threads),
        barrier_(static_cast<std::ptrdiff_t>(threads)),
        cancel_(std::move(cancel)) {}

  // Runs body(i) on thread i for every i, joins them all, then rethrows the first
  // exception any of them threw. A thread that throws cancels the others and leaves the
  // barrier, so that no one waits for it.
  //
  // A thread that cannot be created (a pids cgroup, RLIMIT_NPROC, no memory for its stack)
  // must not leave the others waiting at the barrier for it: the point is cancelled, the
  // barrier is told that the missing threads will never come, the started ones are joined,
  // and ThreadsNotStarted is thrown.
  template <class Body>
  void run(Body body) {
    std::vector<std::jthread> threads;
    threads.reserve(threads_);
    for (unsigned i = 0; i < threads_; ++i) {
      try {
        threads.emplace_back([this, i, &body] { run_one(i, body); });
      } catch (const std::system_error& e) {
        {
          std::lock_guard lock(failure_mutex_);
          if (!failure_) {
            failure_ = std::make_exception_ptr(ThreadsNotStarted(e.code(), i, threads_));
          }
        }
        cancel_();
        for (unsigned missing = i; missing < threads_; ++missing) barrier_.arrive_and_drop();
        break;
      }
    }
    threads.clear();  // joins
    if (failure_) std::rethrow_exception(failure_);
  }

  // Every thread waits here until all have arrived.
  void sync() { barrier_.arrive_and_wait(); }

 private:
  template <class Body>
  void run_one(unsigned i, Body& body) {
    try {
      body(i);
    } catch (...) {
      {
        std::lock_guard lock(failure_mutex_);
        if (!failure_) failure_ = std::current_exception();
      }
      cancel_();
      barrier_.arrive_and_drop();
    }
  }

  const unsigned threads_;
  std::barrier<> barrier_;
  std::function<void()> cancel_;
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

}  // namespace refbench::workloads
