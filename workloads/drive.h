// The phases every point goes through, for a strategy S and a workload shape. A header so
// that bench/ can run the same driver over another channel.
#pragma once

#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workloads/actor.h"
#include "workloads/crew.h"
#include "workloads/phase.h"
#include "workloads/point.h"
#include "workloads/runtime.h"
#include "workloads/watchdog.h"

namespace refbench::workloads {

// Runs the crew under the watchdog. A point the watchdog gave up on throws PointStalled,
// whatever its threads threw while they unwound.
template <class Body>
void run_watched(Crew& crew, Watchdog& watchdog, const PointConfig& config, Body body) {
  std::exception_ptr failure;
  try {
    crew.run(body);
  } catch (...) {
    failure = std::current_exception();
  }
  watchdog.stop();
  if (failure && !watchdog.fired()) std::rethrow_exception(failure);
  if (watchdog.fired()) throw PointStalled(config.stall_timeout);
}

// The count the ground truth checks: what the strategy says an object's references are.
template <class S>
std::int64_t references_of(const Object& o) {
  if constexpr (requires { S::references(o); }) {
    return S::references(o);
  } else {
    return Runtime::refcount_of(o);
  }
}

// On interpreter i's thread, when it has nothing left to do: the strategy carries out what
// other threads posted to it and stops taking requests (biased, civ-deferred).
template <class S>
void owner_exits(Interpreter& interpreter, Tally& actor) {
  if constexpr (requires { S::owner_exits(interpreter, actor); }) {
    std::optional<Entered> inside;  // inside the interpreter, where it has a lock
    if constexpr (S::kTraits.interpreter_lock) inside.emplace(interpreter);
    S::owner_exits(interpreter, actor);
  }
}

// After every interpreter thread is done, before the audit: the runtime ends each
// interpreter, inside it, and the strategy carries out what is still pending there
// (civ-deferred as CPython runs it).
template <class S>
void interpreters_end(Runtime& runtime, unsigned n, Tally& events) {
  if constexpr (requires(Interpreter & i, Tally & t) { S::interpreter_ends(i, t); }) {
    for (unsigned i = 0; i < n; ++i) {
      Entered inside(runtime.interpreter(i));
      S::interpreter_ends(runtime.interpreter(i), events);
    }
  }
}

// --teardown early, on sending interpreter i's own thread: the runtime lets go of it. Where
// views hold only its id (--view-owner id) nothing else holds it, so that ends it now: as
// Py_EndInterpreter does first, the strategy makes the calls still pending (later posts
// find the queue finished), and then it is finalised. Returns the views open then.
template <class S>
std::uint64_t tear_down_early(Runtime& runtime, unsigned i, const PointConfig& config,
                              Tally& actor) {
  Entered inside(runtime.interpreter(i));
  if constexpr (requires(Interpreter & in, Tally & t) { S::interpreter_ends(in, t); }) {
    if (config.view_owner == ViewOwner::id) S::interpreter_ends(runtime.interpreter(i), actor);
  }
  return runtime.tear_down_early(i, actor);
}

// How S kept the counts the ground truth checks.
template <class S>
constexpr Runtime::Counts counts_of() {
  if constexpr (!S::kTraits.counts) return Runtime::Counts::not_kept;
  if constexpr (requires { S::kWitnessed; }) return Runtime::Counts::witnessed;
  return Runtime::Counts::kept;
}

// Interpreter i's part of one phase, run inside its interpreter: the thread holds its lock
// from the start of the phase to its end, as a CPython thread holds its GIL while it runs,
// and lets go only where it would block or when asked (Actor). Free-threaded strategies
// take no lock.
// `first`, if set, runs once inside before the phase (ThreadHooks::inside_at_measure_begin).
template <class S, class Shape>
std::uint64_t play_inside(Shape& shape, unsigned i, Actor<S>& actor, PhaseLimit limit,
                          std::vector<std::uint64_t>* round_trips,
                          const std::function<void(unsigned)>* first = nullptr) {
  std::optional<Entered> inside;
  if constexpr (S::kTraits.interpreter_lock) inside.emplace(actor.self());
  if (first != nullptr && *first) (*first)(i);
  return shape.play(i, actor, limit, round_trips);
}

// --isolation process: runs the crew (`run`); if an interpreter process died, every process
// of the point is gone by the time the crew throws, and what the point left is counted
// (Runtime::inventory) into the exception, from the region they all wrote in.
template <class S, class Run>
void accounting_for_the_dead(Runtime& runtime, std::vector<Actor<S>>& actors, Run run) {
  try {
    run();
  } catch (const InterpreterProcessDied& died) {
    Tally events;
    for (Actor<S>& actor : actors) events += actor.tally();
    throw InterpreterProcessDied(
        died.interpreter, died.pid, died.signal,
        runtime.inventory(events, counts_of<S>(), &references_of<S>, died.interpreter));
  }
}

// The phases every point goes through, on every interpreter thread:
//   pin, make the heap, [sync], warm-up phase, [sync], timed phase, check the pinning.
template <class S, class Shape>
PointResult drive(const PointConfig& config, const ThreadHooks& hooks) {
  const unsigned n = config.interpreters;
  // On the heap, not the stack: with --isolation process that heap is the point's shared
  // region, which every interpreter process sees (the parent's stack it does not).
  const auto runtime_owned =
      std::make_unique<Runtime>(config, n, S::kTraits.shared_lock, &S::drop_heap_reference);
  Runtime& runtime = *runtime_owned;
  const auto shape_owned = std::make_unique<Shape>(config);
  Shape& shape = *shape_owned;
  const bool processes = config.isolation == Isolation::process;

  std::vector<Actor<S>> actors;  // cache-line aligned: each thread writes only its own
  actors.reserve(n);
  for (unsigned i = 0; i < n; ++i)
    actors.emplace_back(runtime.interpreter(i), config, runtime.ledger_row(i));
  // Written once per thread, outside the measured loops.
  std::vector<Clock::time_point> starts(n);
  std::vector<Clock::time_point> ends(n);
  std::vector<StampRate> stamp_rates(n);  // what each thread's round-trip ticks are in ns
  std::vector<std::uint64_t> counted(n);
  std::vector<Traffic> traffic(n);
  std::vector<std::uint64_t> open_at_teardown(n);
  std::vector<std::vector<std::uint64_t>> round_trips(n);
  if (config.workload == Workload::pingpong) {
    for (auto& samples : round_trips) samples.reserve(config.messages);
  }

  std::vector<std::string> reports(processes ? n : 0);  // ThreadHooks::report's, per process
  std::vector<Progress> progress(n);
  for (unsigned i = 0; i < n; ++i) actors[i].report_progress_to(progress[i]);
  Crew crew(
      n, [&] { shape.cancel(); }, config.isolation, [&] { runtime.abandon_locks(); });
  Watchdog watchdog(config.stall_timeout, progress, [&] {
    runtime.abandon_locks();
    shape.cancel();
    crew.given_up();
  });
  const auto interpreter = [&](unsigned i) {
    if (processes) counting::set_process_token(i);  // biased tells owners by thread token
    counting::witness() = {};  // thread-local: this thread's witness starts at zero
    this_thread_ledger_row() = runtime.ledger_row(i);
    if (hooks.on_start) hooks.on_start(i);
    runtime.make_heap(i, [&](std::span<std::byte> memory) {
      if (hooks.on_heap) hooks.on_heap(i, memory);
    });
    progress[i].step();
    crew.sync();
    play_inside(shape, i, actors[i], PhaseLimit::sends(config.warmup_messages), nullptr);
    crew.sync();
    const Traffic before{actors[i].sent(), actors[i].received()};
    if (hooks.on_measure_begin) hooks.on_measure_begin(i);
    starts[i] = Clock::now();
    stamp_rates[i].begin();
    const PhaseLimit limit = config.messages > 0
                                 ? PhaseLimit::sends(config.messages)
                                 : PhaseLimit::deadline(starts[i] + config.duration);
    counted[i] =
        play_inside(shape, i, actors[i], limit, &round_trips[i], &hooks.inside_at_measure_begin);
    stamp_rates[i].end();
    ends[i] = Clock::now();
    if (hooks.on_measure_end) hooks.on_measure_end(i);
    traffic[i] = {actors[i].sent() - before.sent, actors[i].received() - before.received};
    if (config.teardown == Teardown::early && role(config.workload, i, n) == Role::sender) {
      open_at_teardown[i] = tear_down_early<S>(runtime, i, config, actors[i].tally());
    }
    owner_exits<S>(runtime.interpreter(i), actors[i].tally());
    if (hooks.on_finish) hooks.on_finish(i);
    actors[i].tally().lost_increments += counting::witness().lost_increments;
    actors[i].tally().lost_decrements += counting::witness().lost_decrements;
    if (processes && hooks.report) reports[i] = hooks.report(i);
  };
  accounting_for_the_dead(runtime, actors,
                          [&] { run_watched(crew, watchdog, config, interpreter); });

  PointResult result;
  Tally events;
  for (unsigned i = 0; i < n; ++i) {
    events += actors[i].tally();
    result.checksum += actors[i].checksum();
    result.messages += counted[i];
    result.traffic.push_back(traffic[i]);
    for (std::uint64_t ticks : round_trips[i]) {
      result.round_trip_ns.push_back(stamp_rates[i].nanoseconds(ticks));
    }
  }
  if (config.workload == Workload::pingpong) result.round_trips = result.messages / 2;
  result.reports = std::move(reports);
  const auto elapsed =
      *std::max_element(ends.begin(), ends.end()) - *std::min_element(starts.begin(), starts.end());
  result.elapsed_seconds = std::chrono::duration<double>(elapsed).count();
  result.lock_acquisitions = runtime.lock_acquisitions();
  interpreters_end<S>(runtime, n, events);
  result.integrity = runtime.audit_and_tear_down(events, counts_of<S>(), &references_of<S>);
  for (std::uint64_t open : open_at_teardown) result.integrity.views_open_at_teardown += open;
  return result;
}

}  // namespace refbench::workloads
