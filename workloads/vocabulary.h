// The names users type: strategies, workloads and wait policies.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace refbench::workloads {

// How a reference that crosses interpreters is counted (MISSION.md has the table).
enum class Strategy { gil, racy, atomic, biased, civ, civ_deferred, immortal };
inline constexpr std::array<Strategy, 7> kAllStrategies = {
    Strategy::gil, Strategy::racy,         Strategy::atomic,  Strategy::biased,
    Strategy::civ, Strategy::civ_deferred, Strategy::immortal};

// What a strategy is, asked by everyone who must behave differently for it: the harness,
// the runtime and the drivers ask these traits and never compare a strategy's identity.
struct StrategyTraits {
  // Keeps every count exact (all but racy): any violation is a failure of the run.
  bool correct = true;
  // Counts references at all (all but immortal): the ground truth checks the counts.
  bool counts = true;
  // Its interpreters have locks, each held by its thread while it runs (a GIL each, or
  // one shared): all but the free-threaded strategies (atomic, biased, immortal).
  bool interpreter_lock = true;
  // Every interpreter takes one process-wide lock (gil).
  bool shared_lock = false;
  // The receiver holds a view of the sender's object (civ, civ-deferred), not a reference.
  bool views = false;
  // Releases travel to the owner's bounded queue of pending calls (civ-deferred), so the
  // queue's capacity, batch and drain interval apply.
  bool release_queue = false;
  // Non-owner decrements are queued to the owner for a merge (biased).
  bool merge_queue = false;
};

constexpr StrategyTraits traits(Strategy s) {
  switch (s) {
    case Strategy::gil:
      return {.shared_lock = true};
    case Strategy::racy:
      return {.correct = false};
    case Strategy::atomic:
      return {.interpreter_lock = false};
    case Strategy::biased:
      return {.interpreter_lock = false, .merge_queue = true};
    case Strategy::civ:
      return {.views = true};
    case Strategy::civ_deferred:
      return {.views = true, .release_queue = true};
    case Strategy::immortal:
      return {.counts = false, .interpreter_lock = false};
  }
  return {};
}

// Every strategy but `racy` must keep every count exact.
constexpr bool is_correct(Strategy s) { return traits(s).correct; }

// Who sends to whom (workloads/shapes.h, workloads/group_shapes.h, workloads/shuffle.h):
//   stream    independent pairs, 2k streams to 2k+1: throughput
//   pingpong  independent pairs, round trips: latency
//   pipeline  a chain: each stage passes one of its own objects on per object it received
//   fanout    interpreter 0 broadcasts each object to every other: one count hot on N cores
//   shuffle   all to all: each interpreter sends to every other, round robin
enum class Workload { stream, pingpong, pipeline, fanout, shuffle };
inline constexpr std::array<Workload, 5> kAllWorkloads = {
    Workload::stream, Workload::pingpong, Workload::pipeline, Workload::fanout, Workload::shuffle};

// What a thread does while it cannot go on (full or empty channel, a lock held elsewhere).
//   spin   busy-waits with the CPU's pause hint: lowest latency, needs a core of its own
//   yield  sched_yield between tries: both ends may share a PU
//   block  spins briefly, then sleeps on a futex until woken
enum class WaitPolicy { spin, yield, block };
inline constexpr std::array<WaitPolicy, 3> kAllWaitPolicies = {WaitPolicy::spin, WaitPolicy::yield,
                                                               WaitPolicy::block};

// How an interpreter lock is kept (--gil):
//   cpython  CPython's GIL: a mutex and a condition variable; a waiter asks the holder to
//            drop after the switch interval, and the holder lets go at its next safe point
//   spin     a test-and-test-and-set lock waiting by the run's policy; a waiter asks the
//            holder to drop at once (the lock refbench used before it modelled the GIL)
enum class GilKind { cpython, spin };
inline constexpr std::array<GilKind, 2> kAllGilKinds = {GilKind::cpython, GilKind::spin};

// Which CPython's release path civ-deferred follows (--cpython): how big each
// interpreter's ring of pending calls is, how many calls a drain carries out at most, and
// how many pending calls the release of one received memoryview posts (3.12: a 32-entry
// ring drained 32 at a time; 3.13: 300 and 100; main: 300 and 100, and two calls per
// memoryview, _release_xid_data's and xibufferview_dealloc's).
enum class CpythonVersion { v3_12, v3_13, main };
inline constexpr std::array<CpythonVersion, 3> kAllCpythonVersions = {
    CpythonVersion::v3_12, CpythonVersion::v3_13, CpythonVersion::main};

struct PendingCalls {
  std::uint32_t ring = 300;
  std::uint32_t batch = 100;
  std::uint32_t per_release = 1;
};

constexpr PendingCalls pending_calls(CpythonVersion v) {
  switch (v) {
    case CpythonVersion::v3_12:
      return {.ring = 32, .batch = 32, .per_release = 1};
    case CpythonVersion::v3_13:
      return {.ring = 300, .batch = 100, .per_release = 1};
    case CpythonVersion::main:
      return {.ring = 300, .batch = 100, .per_release = 2};
  }
  return {};
}

// When a sending interpreter is destroyed:
//   end    after every thread is done (the runtime finalises every interpreter)
//   early  by its own thread, as soon as it has sent its last message, while receivers
//          may still hold references and views of its objects (the seed's last case)
enum class Teardown { end, early };

// What an interpreter runs as (--isolation): a thread of refbench's process, or a process
// of its own, forked for the point, sharing the point's memory region (shared_region.h).
enum class Isolation { thread, process };
inline constexpr std::array<Isolation, 2> kAllIsolations = {Isolation::thread, Isolation::process};

// What a view (civ, civ-deferred) holds of the interpreter that sent it (--view-owner):
//   strong  a reference (the seed's view): the sender cannot be finalised while a view of
//           its objects is open
//   id      only its id (CPython's cross-interpreter buffer, 3.12 on): the sender may be
//           finalised while views are open; a close that finds it gone cannot release (the
//           object and its buffer leak) and a read of its buffer then is a read after free
enum class ViewOwner { strong, id };
inline constexpr std::array<ViewOwner, 2> kAllViewOwners = {ViewOwner::strong, ViewOwner::id};

std::string_view name(Strategy s);
std::string_view name(Workload w);
std::string_view name(WaitPolicy w);
std::string_view name(Teardown t);
std::string_view name(Isolation i);
std::string_view name(GilKind g);
std::string_view name(CpythonVersion v);
std::string_view name(ViewOwner o);

std::optional<Strategy> parse_strategy(std::string_view text);
std::optional<Workload> parse_workload(std::string_view text);
std::optional<WaitPolicy> parse_wait_policy(std::string_view text);
std::optional<Teardown> parse_teardown(std::string_view text);
std::optional<Isolation> parse_isolation(std::string_view text);
std::optional<GilKind> parse_gil_kind(std::string_view text);
std::optional<CpythonVersion> parse_cpython_version(std::string_view text);
std::optional<ViewOwner> parse_view_owner(std::string_view text);

// "gil, racy, atomic, biased, civ, civ-deferred, immortal": for error messages and --help.
std::string strategy_names();
std::string workload_names();
std::string wait_policy_names();
std::string gil_kind_names();
std::string cpython_version_names();
std::string view_owner_names();

}  // namespace refbench::workloads
