#include "workloads/point.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "workloads/point_drivers.h"
#include "workloads/region_offset.h"
#include "workloads/shared_region.h"
#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

void check(const PointConfig& config) {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (const std::string problem = interpreters_problem(config.workload, config.interpreters);
      !problem.empty()) {
    bad(problem);
  }
  if (const std::string problem = teardown_problem(config.workload, config.teardown);
      !problem.empty()) {
    bad(problem);
  }
  if (config.messages == 0 && config.duration.count() <= 0) {
    bad("a point needs messages > 0 or a duration > 0");
  }
  if (config.objects == 0) bad("a point needs at least one object");
  if (config.channel_capacity == 0) bad("a channel needs a capacity of at least 1");
  if (config.release_queue == 0u) bad("a release queue needs room for at least 1 request");
  if (config.release_batch == 0u) bad("a release batch needs at least 1 request");
  if (config.drain_interval == 0) bad("a drain interval needs at least 1 safe point");
  if (config.witness && !config.verify) bad("the witness of lost updates needs verify");
}

std::string sigabbrev_or_number(int signal) {
  if (const char* abbrev = sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  return std::to_string(signal);
}

bool runs_pairs(Workload workload) {
  return workload == Workload::stream || workload == Workload::pingpong;
}

}  // namespace

std::vector<std::pair<unsigned, unsigned>> links(Workload workload, unsigned interpreters) {
  std::vector<std::pair<unsigned, unsigned>> pairs;
  switch (workload) {
    case Workload::stream:
    case Workload::pingpong:
      for (unsigned sender = 0; sender + 1 < interpreters; sender += 2) {
        pairs.emplace_back(sender, sender + 1);
      }
      break;
    case Workload::pipeline:
      for (unsigned stage = 0; stage + 1 < interpreters; ++stage) {
        pairs.emplace_back(stage, stage + 1);
      }
      break;
    case Workload::fanout:
      for (unsigned receiver = 1; receiver < interpreters; ++receiver) {
        pairs.emplace_back(0, receiver);
      }
      break;
    case Workload::shuffle:
      for (unsigned from = 0; from < interpreters; ++from) {
        for (unsigned to = 0; to < interpreters; ++to) {
          if (from != to) pairs.emplace_back(from, to);
        }
      }
      break;
  }
  return pairs;
}

Role role(Workload workload, unsigned interpreter, unsigned interpreters) {
  switch (workload) {
    case Workload::stream:
    case Workload::pingpong:
      return interpreter % 2 == 0 ? Role::sender : Role::receiver;
    case Workload::pipeline:
      if (interpreter == 0) return Role::sender;
      return interpreter + 1 == interpreters ? Role::receiver : Role::relay;
    case Workload::fanout:
      return interpreter == 0 ? Role::sender : Role::receiver;
    case Workload::shuffle:
      return Role::peer;
  }
  return Role::peer;
}

std::string interpreters_problem(Workload workload, unsigned interpreters) {
  if (runs_pairs(workload)) {
    if (interpreters >= 2 && interpreters % 2 == 0) return "";
    return std::string(name(workload)) +
           " runs pairs of interpreters: " + std::to_string(interpreters) +
           " is not allowed (allowed: an even count, 2 or more)";
  }
  if (interpreters >= 2) return "";
  const char* what = workload == Workload::pipeline ? "a chain of interpreters"
                     : workload == Workload::fanout ? "one interpreter sending to the others"
                                                    : "interpreters sending to each other";
  return std::string(name(workload)) + " runs " + what + ": " + std::to_string(interpreters) +
         " is not allowed (allowed: 2 or more)";
}

std::string teardown_problem(Workload workload, Teardown teardown) {
  if (teardown != Teardown::early || workload != Workload::shuffle) return "";
  return "shuffle cannot tear down early: every interpreter sends and receives until the "
         "end, so none is a pure sender";
}

std::uint32_t release_queue_that_never_fills(unsigned interpreters, std::uint32_t channel_capacity,
                                             std::uint32_t drain_interval) {
  // Times the most pending calls one release posts (two, on CPython's main).
  return 2 * interpreters * (channel_capacity + 2 * drain_interval);
}

PendingCalls pending_calls(const PointConfig& config) {
  PendingCalls calls = pending_calls(config.cpython);
  if (config.release_queue) calls.ring = *config.release_queue;
  if (config.release_batch) calls.batch = *config.release_batch;
  return calls;
}

bool follows_cpython(const PointConfig& config) {
  return !config.release_queue && !config.release_batch && config.drain_interval == 1;
}

PointMemory memory_needed(const PointConfig& c) {
  PointMemory m;
  const double n = c.interpreters;
  m.heaps = static_cast<double>(Heap::bytes_for(c.objects, c.payload_bytes)) * n;
  const bool pingpong = c.workload == Workload::pingpong;
  const double channels =
      static_cast<double>(links(c.workload, c.interpreters).size()) * (pingpong ? 2 : 1);
  // capacity + 1 slots, a line of padding at each end, and the channel's own lines.
  m.channels = channels * ((static_cast<double>(c.channel_capacity) + 1) * sizeof(Message) +
                           6 * static_cast<double>(kCacheLine));
  if (traits(c.strategy).release_queue) {
    m.release_queues = n * pending_calls(c).ring * sizeof(PendingQueue::Request);
  }
  // Reserved per thread, then gathered into the result: twice.
  if (pingpong) m.thread_buffers = 2 * n * static_cast<double>(c.messages) * sizeof(std::uint64_t);
  if (c.verify) m.ledger = (n + 1) * n * c.objects * sizeof(std::int64_t);
  return m;
}

namespace {

// "1 object", "2 objects".
std::string count_of(std::uint64_t n, const std::string& thing) {
  return std::to_string(n) + " " + thing + (n == 1 ? "" : "s");
}

// What a killed interpreter's point left, in a few words, for the error message.
std::string left_behind_text(const LeftBehind& left, unsigned dead) {
  const std::string of_dead = "interpreter " + std::to_string(dead) + "'s";
  const std::string objects =
      left.counts_kept ? count_of(left.integrity.leaks, "object") + " still referenced (" +
                             count_of(left.references, "reference") + "; " +
                             std::to_string(left.leaks_of_dead) + " of the objects " + of_dead + ")"
                       : std::string("no counted references (the strategy counts none)");
  return "; left behind: " + objects + " and " + count_of(left.integrity.views_left_open, "view") +
         " open (" + std::to_string(left.views_of_dead) + " of " + of_dead + " objects); " +
         count_of(left.integrity.events.double_frees, "double free");
}

}  // namespace

InterpreterProcessDied::InterpreterProcessDied(unsigned interpreter_, int pid_, int signal_,
                                               std::optional<LeftBehind> left_)
    : std::runtime_error("interpreter process " + std::to_string(interpreter_) + " (pid " +
                         std::to_string(pid_) + ") was killed by signal " +
                         std::to_string(signal_) + " (" + sigabbrev_or_number(signal_) +
                         "); the point was given up" +
                         (left_ ? left_behind_text(*left_, interpreter_) : std::string())),
      interpreter(interpreter_),
      pid(pid_),
      signal(signal_),
      left(left_) {}

namespace {

// The shared region of a process-mode point: what memory_needed counts, several times over
// (containers grow by doubling, and what is freed in a region stays until the region goes),
// plus room for the objects of the point's bookkeeping. Its pages come only when touched.
std::size_t region_bytes(const PointConfig& config) {
  const double needed = memory_needed(config).total();
  double bytes = 4 * needed + 256.0 * (1 << 20);
  // Timed by duration, a pingpong keeps a sample per round trip: as many as the time allows.
  if (config.workload == Workload::pingpong && config.messages == 0) bytes += 16.0 * (1ull << 30);
  return static_cast<std::size_t>(bytes);
}

// Runs a process-mode point with its shared region active on this thread, so that all the
// point allocates lives there, then copies the result (and any exception) out of it before
// the region goes.
PointResult run_in_processes(const PointConfig& config, const ThreadHooks& hooks) {
  SharedRegion region(region_bytes(config));
  std::optional<PointResult> result;
  std::exception_ptr failure;
  std::string message;
  {
    const SharedRegion::Scope scope(region);
    const RegionBase::Scope messages_from(region.base(), region.size());
    try {
      result.emplace(drive_in_region(config, hooks));
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (failure) {
    // Rethrown as a copy made outside the region: the caught one's text lives in it.
    try {
      std::rethrow_exception(failure);
    } catch (const PointStalled& e) {
      throw PointStalled(e.timeout);
    } catch (const InterpreterProcessDied& e) {
      throw InterpreterProcessDied(e.interpreter, e.pid, e.signal, e.left);
    } catch (const ThreadsNotStarted& e) {
      throw ThreadsNotStarted(e.code(), e.started, e.needed);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()));
    } catch (const GroundTruthMismatch& e) {
      throw GroundTruthMismatch(std::string(e.what()));
    } catch (const std::system_error& e) {
      throw std::system_error(e.code(), std::string(e.what()));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(e.what()));
    }
  }
  PointResult copy(*result);  // allocated outside the region
  if (hooks.on_report) {
    for (unsigned i = 0; i < copy.reports.size(); ++i) hooks.on_report(i, copy.reports[i]);
  }
  return copy;
}

}  // namespace

PointResult run_point(const PointConfig& config, const ThreadHooks& hooks) {
  check(config);
  if (config.isolation == Isolation::process) return run_in_processes(config, hooks);
  return drive_as_threads(config, hooks);
}

}  // namespace refbench::workloads
