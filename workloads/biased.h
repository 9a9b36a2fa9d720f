// Biased reference counting (Choi, Shull and Torrellas, PACT 2018), as PEP 703 ships it in
// free-threaded CPython: the thread that made an object counts plainly in `refcount` (the
// local count); every other thread counts atomically in `shared_refcount`. The object is
// freed only when both reach zero.
//
// `shared_refcount` holds the shared count shifted left by two, and two flags, so that the
// count and the flags change together in one compare-and-swap:
//   queued  a non-owner took the shared count below zero; the object waits in its owner's
//           queue, and that queue entry stands for the decrement (it holds a reference)
//   merged  local and shared were added up into shared; from then on there is no owner
//           and every thread counts in shared (the owner's own local count reached zero,
//           or its thread merged a queued object, or had gone when one was queued)
//
// Every compare-and-swap loop here succeeds acq_rel and fails relaxed: a failed attempt only
// refreshes `seen` for the next try, and only the one that succeeds orders anything.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "workloads/counting.h"
#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/invariant.h"
#include "workloads/object.h"

namespace refbench::workloads::counting {

struct Biased {
  static constexpr std::int64_t kQueued = 1;
  static constexpr std::int64_t kMerged = 2;
  static constexpr std::int64_t kFlags = 3;
  static constexpr int kShift = 2;
  static constexpr std::int64_t kOne = std::int64_t{1} << kShift;

  static std::atomic_ref<std::int64_t> shared(Object& o) {
    return std::atomic_ref<std::int64_t>(o.shared_refcount);
  }
  // Relaxed: only the owner ever stores its own token or clears it; any other thread reads
  // a token that is not its own either way, and takes the shared path.
  static bool owned_by_caller(Object& o) {
    return std::atomic_ref<std::uintptr_t>(o.owner_thread).load(std::memory_order_relaxed) ==
           this_thread_token();
  }

  // The object's references: local plus shared. Exact when no thread is counting and no
  // object is queued (the owners merge their queues before their threads end).
  static std::int64_t references(const Object& o) {
    return o.refcount + (o.shared_refcount >> kShift);
  }

  // Relaxed for both paths: the caller already holds a reference, so the object cannot die
  // meanwhile (as for Atomic).
  [[gnu::always_inline]] static void incref(Object& o) {
    if (owned_by_caller(o)) {
      Plain::incref(o);
    } else {
      // The caller holds a reference, but which count holds it is not known: the shared
      // count alone may be at or below zero.
      assert_live(o);
      shared(o).fetch_add(kOne, std::memory_order_relaxed);
    }
  }

  // The fast paths inline, the slow ones out of line, as CPython's Py_DECREF is written: a
  // call per decrement would cost the owner about what a lock prefix costs (measured).
  [[gnu::always_inline]] static void decref(Object& o, Tally& actor) {
    if (owned_by_caller(o)) {
      // An owned object's local count is above zero: at zero it is merged and unowned.
      assert_held(o, o.refcount);
      --o.refcount;
      keep_in_memory(o.refcount);
      if (o.refcount == 0) merge_zero_local(o, actor);
    } else {
      decref_shared(o, actor);
    }
  }

  // On the owner's thread, for each object taken from its queue: add local and shared up
  // (less the queue entry's reference) and give up ownership.
  static void merge_queued(Object& o, Tally& actor) {
    assert_live(o);  // the queue entry holds a reference
    const std::int64_t total = merge(o, -1);
    REFBENCH_ASSERT(total >= 0, "a merged count never goes below zero");
    if (total == 0) free_object(o, actor);
  }

 private:
  // A non-owner's decrement. If the shared count (flags included) is exactly zero, the
  // object is queued to its owner instead, and the queue entry keeps the reference this
  // decrement would have dropped. Otherwise the shared count goes down, below zero if it
  // must: the owner's local count holds the references that balance it.
  [[gnu::noinline]] static void decref_shared(Object& o, Tally& actor) {
    assert_live(o);  // the caller holds a reference, in whichever count
    // Relaxed: a first guess for the compare-and-swap, which orders (below).
    std::int64_t seen = shared(o).load(std::memory_order_relaxed);
    std::int64_t next = 0;
    bool queue = false;
    // acq_rel: this thread's uses of the object are released by its decrement, and
    // acquired by whichever thread's decrement or merge then frees it.
    do {
      // Once merged, shared holds every reference: it never goes below zero.
      REFBENCH_ASSERT((seen & kMerged) == 0 || (seen >> kShift) > 0,
                      "a merged count never goes below zero");
      queue = seen == 0;
      next = queue ? kQueued : seen - kOne;
    } while (!shared(o).compare_exchange_weak(seen, next, std::memory_order_acq_rel,
                                              std::memory_order_relaxed));
    if (queue) {
      // The owner's thread has gone: nobody else counts locally any more (its last local
      // write happened before it closed the queue, which post() synchronises with).
      // (Its queue is unbounded, as CPython's is: never full.)
      if (o.owner->pending().post(o) != PendingQueue::Posted::queued) merge_queued(o, actor);
    } else if (next == kMerged) {
      free_object(o, actor);
    }
  }

  // The owner's local count reached zero. With nothing shared, the object is dead; else
  // ownership is given up and the shared count marked merged: whoever takes it to zero
  // frees it.
  [[gnu::noinline]] static void merge_zero_local(Object& o, Tally& actor) {
    // acquire: see every non-owner's uses before a free.
    std::int64_t seen = shared(o).load(std::memory_order_acquire);
    if (seen == 0) {
      free_object(o, actor);
      return;
    }
    // Relaxed: see owned_by_caller().
    std::atomic_ref<std::uintptr_t>(o.owner_thread).store(0, std::memory_order_relaxed);
    std::int64_t next = 0;
    do {
      // The owner held no reference another thread drops: shared holds all that are left.
      REFBENCH_ASSERT((seen >> kShift) >= 0, "a merged count never goes below zero");
      next = (seen & ~kFlags) | kMerged;
    } while (!shared(o).compare_exchange_weak(seen, next, std::memory_order_acq_rel,
                                              std::memory_order_relaxed));
    if (next == kMerged) free_object(o, actor);
  }

  // Folds the local count, and `extra`, into shared, marked merged; the object has no
  // owner from then on. Returns the total. Only the owner, or a thread that found the
  // owner gone, calls it: no one else writes the local count.
  static std::int64_t merge(Object& o, std::int64_t extra) {
    // Relaxed: a first guess for the compare-and-swap, which orders (below).
    std::int64_t seen = shared(o).load(std::memory_order_relaxed);
    std::int64_t total = 0;
    do {
      total = (seen >> kShift) + o.refcount + extra;
    } while (!shared(o).compare_exchange_weak(seen, next_merged(total), std::memory_order_acq_rel,
                                              std::memory_order_relaxed));
    o.refcount = 0;
    keep_in_memory(o.refcount);
    // Relaxed: see owned_by_caller().
    std::atomic_ref<std::uintptr_t>(o.owner_thread).store(0, std::memory_order_relaxed);
    return total;
  }
  static constexpr std::int64_t next_merged(std::int64_t total) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(total) << kShift) | kMerged;
  }
};

}  // namespace refbench::workloads::counting
