// One run point: a workload under one strategy between pinned interpreter threads. This is
// what workloads/ offers the harness; it knows nothing of the CLI or of output formats.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "workloads/integrity.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {

struct PointConfig {
  Strategy strategy = Strategy::atomic;
  Workload workload = Workload::stream;
  WaitPolicy wait = WaitPolicy::spin;
  // Interpreter threads. stream and pingpong run them as independent pairs (2k sends to
  // 2k+1), so the count must be even: more pairs show how a strategy scales. pipeline,
  // fanout and shuffle run any count from 2 (interpreters_problem says what is allowed).
  unsigned interpreters = 2;
  // The timed phase runs `messages` sends, or, when messages is 0, for `duration`. What a
  // send is depends on the workload (each pair, stage or interpreter decides for itself):
  //   stream    messages each sender sends            hand-offs: pairs x messages
  //   pingpong  round trips each pair makes           hand-offs: pairs x 2 x messages
  //   pipeline  objects the first stage sends         hand-offs: (n - 1) x messages
  //   fanout    broadcasts of interpreter 0           hand-offs: (n - 1) x messages
  //   shuffle   messages each interpreter sends       hand-offs: n x messages
  std::uint64_t messages = 0;
  std::chrono::nanoseconds duration{0};
  // Untimed sends before the timed phase (caches, TLB, branch predictors, clocks settle).
  std::uint64_t warmup_messages = 0;
  std::uint32_t payload_bytes = 64;
  std::uint32_t objects = 1;     // pool of distinct objects each interpreter sends
  std::uint32_t local_work = 0;  // increment+decrement pairs on own objects per message
  std::uint32_t channel_capacity = 256;
  // civ-deferred, after CPython's pending calls (`cpython` picks the version): each
  // interpreter's ring holds at most `release_queue` calls (a full ring drops them), the
  // owner looks at it every `drain_interval` safe points (a message sent or received) and
  // carries out at most `release_batch` calls each time. Unset: the version's own. A set
  // value, or an interval other than 1, departs from CPython (the row says not_cpython).
  CpythonVersion cpython = CpythonVersion::v3_13;
  std::optional<std::uint32_t> release_queue;
  std::optional<std::uint32_t> release_batch;
  std::uint32_t drain_interval = 1;
  // The interpreter locks (strategies with traits().interpreter_lock): CPython's GIL or a
  // spinlock, and how long a CPython waiter waits before it asks the holder to drop.
  GilKind gil = GilKind::cpython;
  std::chrono::nanoseconds switch_interval = std::chrono::milliseconds(5);
  bool verify = false;  // keep the ground-truth ledger
  // With verify, racy only: each store of a count becomes an exchange that sees what it
  // overwrote, so lost increments and decrements are counted one by one (exact), at the
  // price of a locked instruction per update: a different, narrower race than racy's.
  bool witness = false;
  Teardown teardown = Teardown::end;
  // Views only (traits().views): what a view holds of its sender. strong (the seed's) keeps
  // it alive while the view is open; id (CPython's) does not, so after --teardown early a
  // close may find it gone (orphaned_releases) and a read may see its buffer after it was
  // finalised (reads_after_owner_gone).
  ViewOwner view_owner = ViewOwner::strong;
  // A point in which no message moves for this long is given up (PointStalled); 0: never.
  std::chrono::nanoseconds stall_timeout{0};
  // Each interpreter a thread, or a forked process over one shared memory region (the hooks
  // then run in the interpreter's process: what they record there stays there).
  Isolation isolation = Isolation::thread;
};

// Who sends to whom: (sender, receiver) interpreter indices, for a workload on n
// interpreters. The harness reads a point's distance from these links.
std::vector<std::pair<unsigned, unsigned>> links(Workload workload, unsigned interpreters);

// What interpreter i of n does:
//   sender    only sends (stream's 2k, fanout's root, a pipeline's first stage), or starts
//             each round trip (pingpong's 2k)
//   receiver  only receives (stream's 2k+1, fanout's others, a pipeline's last stage), or
//             receives and answers (pingpong's 2k+1)
//   relay     a pipeline's middle stage: receives from one, sends its own to the next
//   peer      shuffle: sends to and receives from every other interpreter
// With --teardown early the senders, and only they, tear themselves down after their last
// send.
enum class Role { sender, receiver, relay, peer };
Role role(Workload workload, unsigned interpreter, unsigned interpreters);

// Empty if the workload can run on n interpreters, else why not (for an error message).
std::string interpreters_problem(Workload workload, unsigned interpreters);

// Empty if the workload can run with this teardown, else why not (for an error message):
// shuffle has no pure sender to tear down early.
std::string teardown_problem(Workload workload, Teardown teardown);

// civ-deferred's queue drops what does not fit (as CPython's pending calls do). It never
// fills with this many requests, when each drain may take `interpreters * drain_interval`:
// between two drains of one owner, at most the messages it has out (a channel's worth per
// interpreter) plus what it sends in two intervals come back as requests (n per safe point
// for a fanout root). A bound for every shape, not a tight one: a stream sender has one
// channel out, and drops nothing at CPython's 300 with 256-message channels.
std::uint32_t release_queue_that_never_fills(unsigned interpreters, std::uint32_t channel_capacity,
                                             std::uint32_t drain_interval);

// civ-deferred's ring, batch and calls per release as the config asks for them.
PendingCalls pending_calls(const PointConfig& config);
// Whether civ-deferred runs a CPython version's own path (no --release-queue,
// --release-batch or --drain-interval of the user's).
bool follows_cpython(const PointConfig& config);

// What the harness does on each interpreter thread; each may throw to fail the point.
struct ThreadHooks {
  // First thing on the thread: pin it.
  std::function<void(unsigned interpreter)> on_start;
  // With the interpreter's fresh heap mapping, before the thread first touches it: bind it.
  std::function<void(unsigned interpreter, std::span<std::byte> heap)> on_heap;
  // Right before and right after the timed phase, on the thread: start and stop counters.
  std::function<void(unsigned interpreter)> on_measure_begin;
  std::function<void(unsigned interpreter)> on_measure_end;
  // For tests: as the timed phase starts, after on_measure_begin, inside the interpreter
  // (its lock held, where the strategy has one), so that a process killed there dies
  // holding it.
  std::function<void(unsigned interpreter)> inside_at_measure_begin;
  // After the timed phase, still on the thread: check it did not move.
  std::function<void(unsigned interpreter)> on_finish;
  // --isolation process only, where the hooks above run in each interpreter's process and
  // what they record stays there: `report` runs last in interpreter i's process and says
  // it as text; once the point is over, `on_report` gets that text in the calling process.
  std::function<std::string(unsigned interpreter)> report;
  std::function<void(unsigned interpreter, const std::string& text)> on_report;
};

// What one interpreter thread sent and received in the timed phase (end markers not
// counted): what its per-role counter figures are per.
struct Traffic {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  bool operator==(const Traffic&) const = default;
};

struct PointResult {
  // Hand-offs completed in the timed phase: messages received, by every interpreter
  // (pingpong: two per round trip; fanout: one per receiver per broadcast).
  std::uint64_t messages = 0;
  std::uint64_t round_trips = 0;  // pingpong only
  std::vector<Traffic> traffic;   // per interpreter, in order
  // From the first thread starting the timed phase to the last one finishing it.
  double elapsed_seconds = 0;
  // Pingpong: the time of each timed round trip (of every pair, pair by pair).
  std::vector<std::uint64_t> round_trip_ns;
  // Times an interpreter lock was taken, over all locks and both phases: few per thread
  // where each holds its own lock while it runs, about one per hand-off where threads hand
  // a shared lock back and forth (gil), none for free-threaded strategies.
  std::uint64_t lock_acquisitions = 0;
  Integrity integrity;
  // A sum over every payload byte received; it keeps the reads from being optimised away
  // and must be the same for the same messages whatever the strategy.
  std::uint64_t checksum = 0;
  // --isolation process: what ThreadHooks::report returned in each interpreter's process
  // (empty without one), already handed to on_report by run_point.
  std::vector<std::string> reports;
};

// A point in which no message moved for its stall timeout: the watchdog gave it up, and
// every thread was stopped and joined. How to word that for a user is the caller's.
struct PointStalled : std::runtime_error {
  explicit PointStalled(std::chrono::nanoseconds timeout_)
      : std::runtime_error("no message moved for the stall timeout"), timeout(timeout_) {}
  std::chrono::nanoseconds timeout;
};

// --isolation process: an interpreter process died of a signal (killed, crashed) during the
// point. The other processes were stopped (killed if they did not stop) and reaped. `left`:
// what the point left behind, counted after that (none where it could not be counted); the
// message says it after the interpreter, its process and the signal.
struct InterpreterProcessDied : std::runtime_error {
  InterpreterProcessDied(unsigned interpreter_, int pid_, int signal_,
                         std::optional<LeftBehind> left_ = std::nullopt);
  unsigned interpreter;
  int pid;
  int signal;
  std::optional<LeftBehind> left;
};

// Runs one point on fresh interpreters. Throws std::invalid_argument for a config it cannot
// run, PointStalled, or whatever a hook threw (after stopping and joining every thread).
PointResult run_point(const PointConfig& config, const ThreadHooks& hooks);

// What a point allocates, in bytes (double: a large point's figures overflow 64 bits), so
// that the harness can refuse one that does not fit before anything is allocated.
struct PointMemory {
  double heaps = 0;           // every interpreter's pool of objects and payloads
  double channels = 0;        // every channel's ring of slots and its lines
  double release_queues = 0;  // civ-deferred: each interpreter's ring of pending calls
  double thread_buffers = 0;  // pingpong: the round-trip samples each thread keeps
  double ledger = 0;          // --verify: a row of true references per thread
  double total() const { return heaps + channels + release_queues + thread_buffers + ledger; }
};
PointMemory memory_needed(const PointConfig& config);

}  // namespace refbench::workloads
