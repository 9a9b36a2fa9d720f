// The three ways a reference count is changed, and what happens when one reaches zero.
#pragma once

#include <atomic>
#include <cstdint>

#include "workloads/hardware.h"
#include "workloads/integrity.h"
#include "workloads/invariant.h"
#include "workloads/object.h"

namespace refbench::workloads::counting {

// Frees an object whose count reached zero. Nothing is returned to the allocator during a
// run: the object is marked freed (quarantined), so a later access is counted as a
// use-after-free instead of touching reused memory. The exchange makes exactly one of two
// racing freers the first; relaxed, since freeing publishes no data. `held_by_heap` is read
// relaxed too: in a correct strategy the decrement that led here is ordered after the
// finaliser's store (made before it dropped the heap's reference); racy may read it stale,
// as it reads its counts.
inline void free_object(Object& object, Tally& actor) {
  if (object.state.exchange(ObjectState::freed, std::memory_order_relaxed) == ObjectState::freed) {
    ++actor.double_frees;
  } else if (object.held_by_heap.load(std::memory_order_relaxed)) {
    ++actor.premature_frees;
  }
}

// Counts an access to a freed object. Relaxed: we only need to notice the mark.
inline void check_live(const Object& object, Tally& actor) {
  if (object.state.load(std::memory_order_relaxed) == ObjectState::freed) {
    ++actor.use_after_free;
  }
}

// The invariants of a correct count (every strategy but racy), asserted before each change:
// the object is alive (a correct strategy never frees what is referenced, so it never counts
// a freed object), and the caller holds a reference (the count it changes is above zero).
// Relaxed: only a correct strategy asks, and there the free that would make the state stale
// cannot happen while the caller holds its reference.
inline void assert_live(const Object& o) {
  REFBENCH_ASSERT(o.state.load(std::memory_order_relaxed) == ObjectState::live,
                  "a correct strategy never counts a freed object");
}
inline void assert_held(const Object& o, std::int64_t count_before) {
  assert_live(o);
  REFBENCH_ASSERT(count_before > 0, "a correct count is above zero while referenced");
}

// `++ob_refcnt` as CPython writes it: correct only while one lock orders every writer.
struct Plain {
  static void incref(Object& o) {
    assert_held(o, o.refcount);
    ++o.refcount;
    keep_in_memory(o.refcount);
  }
  static void decref(Object& o, Tally& actor) {
    assert_held(o, o.refcount);
    --o.refcount;
    keep_in_memory(o.refcount);
    if (o.refcount == 0) free_object(o, actor);
  }
};

// The same load, add and store, from threads that hold different locks: the seed's hazard.
// Written as a relaxed atomic load and a relaxed atomic store (the instructions of `++`),
// so the lost updates are real but the program has no undefined behaviour.
struct Racy {
  static void incref(Object& o) {
    std::atomic_ref<std::int64_t> count(o.refcount);
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  static void decref(Object& o, Tally& actor) {
    std::atomic_ref<std::int64_t> count(o.refcount);
    const std::int64_t now = count.load(std::memory_order_relaxed) - 1;
    count.store(now, std::memory_order_relaxed);
    if (now == 0) free_object(o, actor);
  }
};

// What the witnessed racy count saw its own stores overwrite, on this thread: the
// increments and decrements other threads made between its load and its store, lost.
struct Witness {
  std::uint64_t lost_increments = 0;
  std::uint64_t lost_decrements = 0;
};
inline Witness& witness() {
  static thread_local Witness seen;
  return seen;
}

// Racy under --verify: the same load, add and store, but the store is an exchange, which
// returns the value it overwrote. Anything but what was loaded is the net of other threads'
// updates made in between, which this store wipes out: a lost increment per unit above,
// a lost decrement per unit below. Every overwrite is seen by the store that made it, so
// the counts are exact, not a lower bound; the exchange is a locked instruction, which
// changes the timing (verified rows are never compared with unverified ones). Relaxed, as
// Racy: the lost updates are the point.
struct RacyWitnessed {
  static std::int64_t store(Object& o, std::int64_t loaded, std::int64_t wanted) {
    std::atomic_ref<std::int64_t> count(o.refcount);
    const std::int64_t overwritten = count.exchange(wanted, std::memory_order_relaxed);
    const std::int64_t others = overwritten - loaded;
    if (others > 0) witness().lost_increments += static_cast<std::uint64_t>(others);
    if (others < 0) witness().lost_decrements += static_cast<std::uint64_t>(-others);
    return wanted;
  }
  static void incref(Object& o) {
    const std::int64_t loaded =
        std::atomic_ref<std::int64_t>(o.refcount).load(std::memory_order_relaxed);
    store(o, loaded, loaded + 1);
  }
  static void decref(Object& o, Tally& actor) {
    const std::int64_t loaded =
        std::atomic_ref<std::int64_t>(o.refcount).load(std::memory_order_relaxed);
    if (store(o, loaded, loaded - 1) == 0) free_object(o, actor);
  }
};

// Lock-prefixed read-modify-write, as in a free-threaded runtime without biasing.
struct Atomic {
  // relaxed: the caller already holds a reference, so the object cannot die meanwhile.
  static void incref(Object& o) {
    const std::int64_t before =
        std::atomic_ref<std::int64_t>(o.refcount).fetch_add(1, std::memory_order_relaxed);
    assert_held(o, before);
  }
  // acq_rel: each holder's writes are released by its decrement and acquired by whoever
  // takes the count to zero and frees.
  static void decref(Object& o, Tally& actor) {
    const std::int64_t before =
        std::atomic_ref<std::int64_t>(o.refcount).fetch_sub(1, std::memory_order_acq_rel);
    assert_held(o, before);
    if (before == 1) free_object(o, actor);
  }
};

// Forked interpreter processes (--isolation process) inherit the forking thread's
// thread-locals at the same addresses: each sets this, after the fork, to a value of its own
// above every user-space address (0 in thread mode and in the parent).
inline std::uintptr_t process_token_offset = 0;
inline void set_process_token(unsigned interpreter) {
  process_token_offset = (std::uintptr_t{interpreter} + 1) << 48;
}

// A token for the calling thread, as cheap to get as CPython's _Py_ThreadId(): the address
// of a thread-local, read relative to the thread pointer (plus the process's offset).
inline std::uintptr_t this_thread_token() {
  static thread_local const char token = 0;
  return reinterpret_cast<std::uintptr_t>(&token) + process_token_offset;
}

}  // namespace refbench::workloads::counting
