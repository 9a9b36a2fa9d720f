// What went wrong with the counts: events seen during a run, and the audit after it.
#pragma once

#include <cstdint>
#include <optional>

namespace refbench::workloads {

// Integrity events one thread observed. Each interpreter thread keeps its own (no sharing
// in the measured loop); they are summed after the threads are joined.
struct Tally {
  std::uint64_t premature_frees = 0;    // an object freed while its owner's heap held it
  std::uint64_t use_after_free = 0;     // an access to an object already freed
  std::uint64_t double_frees = 0;       // a count reaching zero on an object already freed
  std::uint64_t resource_warnings = 0;  // views closed by their destructor, not by close()
  std::uint64_t dropped_releases = 0;   // civ-deferred: releases refused by a full queue
  std::uint64_t pending_calls = 0;      // civ-deferred: release calls carried out by owners
  // civ-deferred as CPython: release calls still pending when the owner's thread stopped,
  // carried out only when the interpreter was ended.
  std::uint64_t calls_at_end = 0;
  // Views that hold only their sender's id (--view-owner id): closes that found the sender
  // finalised, so released nothing (the object reference and the buffer export leak), and
  // payload reads of a view whose sender was finalised (the heap is quarantined, so the
  // read is safe to count; in CPython it reads freed memory).
  std::uint64_t orphaned_releases = 0;
  std::uint64_t reads_after_owner_gone = 0;
  // Object references a view's release never dropped: a dropped first pending call, or an
  // orphaned release. Not a column: the ground truth must find exactly this many
  // decrements missing (Runtime::reconcile).
  std::uint64_t object_releases_lost = 0;
  // With --verify, racy only: updates of other threads this thread's stores overwrote.
  std::uint64_t lost_increments = 0;
  std::uint64_t lost_decrements = 0;

  Tally& operator+=(const Tally& other) {
    premature_frees += other.premature_frees;
    use_after_free += other.use_after_free;
    double_frees += other.double_frees;
    resource_warnings += other.resource_warnings;
    dropped_releases += other.dropped_releases;
    pending_calls += other.pending_calls;
    calls_at_end += other.calls_at_end;
    orphaned_releases += other.orphaned_releases;
    reads_after_owner_gone += other.reads_after_owner_gone;
    object_releases_lost += other.object_releases_lost;
    lost_increments += other.lost_increments;
    lost_decrements += other.lost_decrements;
    return *this;
  }
};

// With --verify, the state of the pooled objects just before teardown, from the ledger
// (true references) and the objects themselves: what the detectors must agree with.
struct GroundTruth {
  // Sum over objects of (true references - count): increments lost minus decrements lost.
  std::int64_t count_deficit = 0;
  std::uint64_t increments_missing = 0;  // sum of the deficits of objects counted too low
  std::uint64_t decrements_missing = 0;  // sum of the surpluses of objects counted too high
  std::uint64_t objects_freed = 0;       // objects freed while the heap still held them
};

// The integrity of one run point, after teardown.
struct Integrity {
  Tally events;
  std::uint64_t leaks = 0;            // objects still alive after their interpreter finalised
  std::uint64_t views_left_open = 0;  // views opened and never closed
  // --teardown early: views of the sender's objects still open when it was torn down.
  std::uint64_t views_open_at_teardown = 0;
  // Only known with --verify, which keeps the true references in a Ledger: updates to the
  // counts that were lost, and the ground truth they were checked against.
  std::optional<std::uint64_t> lost_increments;
  std::optional<std::uint64_t> lost_decrements;
  // Whether that split is exact (a witness saw every lost update, or a correct strategy
  // lost none), or, for racy's counts checked against the ledger, a lower bound of each:
  // an increment and a decrement lost on one object net out. Their difference is exact.
  bool lost_split_exact = true;
  std::optional<GroundTruth> truth;

  // Everything that must be zero for a correct strategy. Resource warnings are not
  // violations: a view closed by its destructor is still closed correctly.
  std::uint64_t violations() const {
    return leaks + views_left_open + events.premature_frees + events.use_after_free +
           events.double_frees + events.dropped_releases + events.orphaned_releases +
           events.reads_after_owner_gone + lost_increments.value_or(0) +
           lost_decrements.value_or(0);
  }
};

// What a point left when one of its interpreter processes died (--isolation process),
// counted by refbench's process once every interpreter process of the point was gone. It
// still maps the point's region, so it reads the heaps, the interpreters' view counts and
// every interpreter's tally as the processes left them. Only counted: nothing is released
// or freed one by one (the region is unmapped whole), so nothing can be freed twice.
struct LeftBehind {
  // leaks: objects still referenced beyond their heap's own reference, by references that
  // nothing will release now (a message in a channel, a view, one a dead process held);
  // views_left_open: views opened and never closed; events: the tallies of every
  // interpreter, the dead one's as it stood when it died. No ground truth: a process killed
  // between a count and its ledger entry leaves them one apart.
  Integrity integrity;
  std::uint64_t references = 0;  // the references the leaked objects still hold
  // False where the strategy keeps no counts (immortal): no leak can be told then.
  bool counts_kept = true;
  // What the model tells of the dead interpreter: the leaked objects it owned (from its
  // heap), and the open views of its objects (it sent them).
  std::uint64_t leaks_of_dead = 0;
  std::uint64_t views_of_dead = 0;
};

}  // namespace refbench::workloads
