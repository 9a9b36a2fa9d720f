// The interpreter threads of one point: started together, stopped together, and never
// left hanging when one of them fails. Or, with --isolation process, the interpreter
// processes: forked by run(), over the point's shared region, which must be active on the
// calling thread (shared_region.h) so that what they share is in it.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "workloads/point.h"
#include "workloads/region_offset.h"
#include "workloads/shared_region.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {

// What the interpreter processes of a point share to start phases together and to tell the
// parent why one failed. In the point's shared region.
struct CrewProcesses {
  explicit CrewProcesses(unsigned n) : expected(n) {}
  std::atomic<std::uint32_t> lock{0};  // guards the counts below; held for a few stores
  std::atomic<std::uint32_t> expected;
  std::atomic<std::uint32_t> arrived{0};
  std::atomic<std::uint32_t> generation{0};
  std::atomic<bool> aborted{false};   // a process died: no one waits at the barrier any more
  std::atomic<bool> given_up{false};  // the watchdog gave the point up (see Crew::given_up)
  std::atomic<int> failed{-1};        // the first interpreter that threw, its message below
  char message[512] = {};
};

// The barrier was abandoned: an interpreter process died.
struct CrewAborted : std::runtime_error {
  CrewAborted() : std::runtime_error("the point was given up: an interpreter process died") {}
};

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
  // Process isolation: `give_up` is what the parent does when a process died, for the
  // others to stop (they may wait on something the dead one held: abandon the locks too).
  Crew(unsigned threads, std::function<void()> cancel, Isolation isolation = Isolation::thread,
       std::function<void()> give_up = nullptr)
      : threads_(threads),
        barrier_(static_cast<std::ptrdiff_t>(threads)),
        cancel_(std::move(cancel)),
        give_up_(std::move(give_up)) {
    if (isolation == Isolation::process) {
      if (SharedRegion::active() == nullptr) {
        throw std::logic_error("interpreter processes need the point's shared region");
      }
      processes_ = new CrewProcesses(threads);  // in the region: freed with it
    }
  }

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
    if (processes_ != nullptr) return run_processes(body);
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
  void sync() {
    if (processes_ != nullptr) return arrive(false);
    barrier_.arrive_and_wait();
  }

  // The point was given up from outside (the watchdog, after it cancelled the point): with
  // processes, those that do not stop within kGrace are killed. Any thread.
  void given_up() {
    if (processes_ != nullptr) processes_->given_up.store(true, std::memory_order_relaxed);
  }

  // How long the others get to stop, once one process failed, before they are killed.
  static constexpr std::chrono::seconds kGrace{10};

 private:
  // The barrier between processes: a count under a spinlock, waited on by yielding (it is
  // passed twice per point, outside the measured phase).
  void arrive(bool drop) {
    CrewProcesses& p = *processes_;
    while (p.lock.exchange(1, std::memory_order_acquire) != 0) sched_yield();
    const std::uint32_t generation = p.generation.load(std::memory_order_relaxed);
    if (drop) {
      p.expected.fetch_sub(1, std::memory_order_relaxed);
    } else {
      p.arrived.fetch_add(1, std::memory_order_relaxed);
    }
    const bool complete =
        p.arrived.load(std::memory_order_relaxed) >= p.expected.load(std::memory_order_relaxed);
    if (complete) {
      p.arrived.store(0, std::memory_order_relaxed);
      p.generation.store(generation + 1, std::memory_order_release);
    }
    p.lock.store(0, std::memory_order_release);
    if (drop || complete) return;
    while (p.generation.load(std::memory_order_acquire) == generation) {
      if (p.aborted.load(std::memory_order_relaxed)) throw CrewAborted();
      sched_yield();
    }
  }

  // In the interpreter process: runs its body, tells the parent what went wrong if
  // anything did, and exits without running anything of the parent's (no destructors, no
  // atexit, no stdio flush: _exit).
  template <class Body>
  [[noreturn]] void child(unsigned i, Body& body, pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // refbench killed: its interpreters go too
    if (getppid() != parent) _exit(3);
    // This process's own base for the offsets in messages: where it maps the region.
    const SharedRegion& region = *SharedRegion::active();
    const RegionBase::Scope messages_from(region.base(), region.size());
    int code = 0;
    try {
      body(i);
    } catch (const std::exception& e) {
      fail(i, e.what());
      code = 1;
    } catch (...) {
      fail(i, "unknown exception");
      code = 1;
    }
    _exit(code);
  }

  void fail(unsigned i, const char* what) {
    int none = -1;
    if (processes_->failed.compare_exchange_strong(none, static_cast<int>(i))) {
      std::strncpy(processes_->message, what, sizeof processes_->message - 1);
    }
    try {
      cancel_();
    } catch (...) {  // a lock whose holder died: the parent gives up the point anyway
    }
    arrive(true);
  }

  // The parent: every process stopped, one way or another, before it returns.
  void give_up_processes() {
    processes_->aborted.store(true, std::memory_order_relaxed);
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (give_up_) give_up_();
        cancel_();
        return;
      } catch (...) {  // LockOwnerDied: the lock is consistent now, try once more
      }
    }
  }

  template <class Body>
  void run_processes(Body& body) {
    const pid_t parent = getpid();
    std::vector<pid_t> pids;
    std::vector<int> pidfds;
    std::optional<ThreadsNotStarted> not_started;
    for (unsigned i = 0; i < threads_; ++i) {
      const pid_t pid = fork();
      if (pid == 0) child(i, body, parent);
      if (pid < 0) {
        not_started.emplace(std::error_code(errno, std::generic_category()), i, threads_);
        break;
      }
      pids.push_back(pid);
      pidfds.push_back(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    }
    if (not_started) {
      give_up_processes();
      for (unsigned missing = static_cast<unsigned>(pids.size()); missing < threads_; ++missing) {
        arrive(true);
      }
    }
    std::optional<InterpreterProcessDied> died;
    bool failed = not_started.has_value();
    auto deadline = std::chrono::steady_clock::now() + kGrace;
    std::vector<bool> reaped(pids.size(), false);
    for (std::size_t left = pids.size(); left > 0;) {
      std::vector<pollfd> fds;
      for (std::size_t k = 0; k < pids.size(); ++k) {
        if (!reaped[k]) fds.push_back({pidfds[k], POLLIN, 0});
      }
      const int timeout_ms = failed ? 100 : 1000;
      poll(fds.data(), fds.size(), timeout_ms);
      for (std::size_t k = 0; k < pids.size(); ++k) {
        if (reaped[k]) continue;
        int status = 0;
        const pid_t got = waitpid(pids[k], &status, WNOHANG);
        if (got != pids[k]) continue;
        reaped[k] = true;
        --left;
        const bool signalled = WIFSIGNALED(status);
        const bool bad = signalled || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
        if (signalled && !died) {
          died.emplace(static_cast<unsigned>(k), pids[k], WTERMSIG(status));
        }
        if (bad && !failed) {
          failed = true;
          deadline = std::chrono::steady_clock::now() + kGrace;
          give_up_processes();
        }
      }
      if (!failed && processes_->given_up.load(std::memory_order_relaxed)) {
        failed = true;  // the watchdog cancelled the point: the grace starts now
        processes_->aborted.store(true, std::memory_order_relaxed);
        deadline = std::chrono::steady_clock::now() + kGrace;
      }
      if (failed && left > 0 && std::chrono::steady_clock::now() > deadline) {
        for (std::size_t k = 0; k < pids.size(); ++k) {
          if (!reaped[k]) kill(pids[k], SIGKILL);
        }
      }
    }
    for (int fd : pidfds) {
      if (fd >= 0) close(fd);
    }
    if (died) throw *died;
    if (not_started) throw *not_started;
    if (const int i = processes_->failed.load(); i >= 0) {
      throw std::runtime_error("interpreter process " + std::to_string(i) + ": " +
                               processes_->message);
    }
  }

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
  std::function<void()> give_up_;
  CrewProcesses* processes_ = nullptr;  // process isolation only
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

}  // namespace refbench::workloads
