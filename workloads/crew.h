// The interpreter threads of one point: started together, stopped together, and never
// left hanging when one of them fails.
#pragma once

#include <barrier>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace refbench::workloads {

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
  template <class Body>
  void run(Body body) {
    std::vector<std::jthread> threads;
    threads.reserve(threads_);
    for (unsigned i = 0; i < threads_; ++i) {
      threads.emplace_back([this, i, &body] { run_one(i, body); });
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
