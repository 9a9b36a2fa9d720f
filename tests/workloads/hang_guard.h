// A deadlock would hang the test binary; HangGuard turns it into a failure with a message.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

namespace refbench::workloads {

// Aborts the test binary, saying why, if it is still alive `limit` after construction.
class HangGuard {
 public:
  explicit HangGuard(std::chrono::seconds limit)
      : done_(), guard_([this, limit, finished = done_.get_future()] {
          if (finished.wait_for(limit) == std::future_status::timeout) {
            std::fprintf(stderr, "deadlock: no progress in %lld s\n",
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~HangGuard() {
    done_.set_value();
    guard_.join();
  }

 private:
  std::promise<void> done_;
  std::thread guard_;
};

}  // namespace refbench::workloads
