// Interpreters: an execution context with its own lock, heap and reference count.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "workloads/integrity.h"
#include "workloads/interpreter_lock.h"
#include "workloads/invariant.h"
#include "workloads/object.h"
#include "workloads/pending.h"

namespace refbench::workloads {

class Interpreter {
 public:
  // What finalisation does with each pooled object the heap still holds: drop the heap's
  // reference with the run's strategy. Set by the driver, which knows the strategy.
  using DropHeapReference = std::function<void(Object&, Tally&)>;

  // `pending_capacity`: the most requests its queue holds (PendingQueue::kUnbounded: no limit).
  Interpreter(unsigned index, InterpreterLock& lock, DropHeapReference drop,
              std::size_t pending_capacity = PendingQueue::kUnbounded)
      : index_(index),
        lock_(lock),
        drop_heap_reference_(std::move(drop)),
        pending_(pending_capacity) {}
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  unsigned index() const { return index_; }
  InterpreterLock& lock() { return lock_; }

  // The heap is made by the interpreter's own thread, so that its pages are first touched
  // (and, without explicit binding, placed) near the core that owns them.
  Heap& make_heap(std::uint32_t pool_objects, std::uint32_t payload_bytes) {
    REFBENCH_ASSERT(heap_ == nullptr,
                    "an interpreter makes its heap once (its objects live there)");
    heap_ = std::make_unique<Heap>(pool_objects, payload_bytes);
    return *heap_;
  }
  Heap& heap() { return *heap_; }
  bool has_heap() const { return heap_ != nullptr; }

  // The interpreter's own reference count: the runtime holds one, each open view one more.
  // Increments are relaxed: whoever increments already holds a reference, so the count
  // cannot be at zero. The decrement that reaches zero must see everything other holders
  // did before they let go: acq_rel, as in shared_ptr.
  void incref() {
    const std::int64_t before = refs_.fetch_add(1, std::memory_order_relaxed);
    REFBENCH_ASSERT(before > 0, "only a holder takes another reference to an interpreter");
  }
  void decref(Tally& actor) {
    const std::int64_t before = refs_.fetch_sub(1, std::memory_order_acq_rel);
    REFBENCH_ASSERT(before > 0, "an interpreter's count never goes below zero");
    if (before == 1) finalise(actor);
  }
  // acquire: pairs with the release store at the end of finalise(), so whoever sees it
  // finalised also sees the heap's references dropped.
  bool finalised() const { return finalised_.load(std::memory_order_acquire); }

  // The runtime lets go of its reference: at the end of a point, or on the interpreter's
  // own thread with --teardown early. Once only (the exchange); returns false if already.
  bool release_runtime_reference(Tally& actor) {
    // Relaxed: the exchange only picks the one caller that goes on; the decrement orders
    // what it must (acq_rel).
    if (runtime_reference_released_.exchange(true, std::memory_order_relaxed)) return false;
    decref(actor);
    return true;
  }

  // Views of this interpreter's objects; both counts change only under this interpreter's
  // lock (the sender opens, the closer enters this interpreter to close).
  void view_opened() { ++views_opened_; }
  void view_closed() {
    REFBENCH_ASSERT(views_closed_ < views_opened_, "a view is closed only after it was opened");
    ++views_closed_;
  }
  std::uint64_t views_open() const { return views_opened_ - views_closed_; }

  // Requests other threads post for this interpreter's own thread to carry out at its safe
  // points (biased: objects to merge; civ-deferred: views to release).
  PendingQueue& pending() { return pending_; }

  // How a view of this interpreter's objects is released: for civ-deferred, as the CPython
  // version modelled does it, the pending calls one release posts; for both view
  // strategies, the process-wide lock under which the releaser looks the owner up by its
  // id (null: no lookup, the view holds the interpreter itself), and whether a view holds
  // the interpreter (strong) or only its id.
  struct ReleasePath {
    std::uint32_t calls_per_release = 1;
    PointMutex* lookup_lock = nullptr;
    // The seed's view: a reference to this interpreter, taken by the sender with each view
    // and dropped by its release. False (--view-owner id, CPython's): the view records only
    // the id, takes no reference, and its release looks this interpreter up (look_up()).
    bool views_hold_owner = true;
    // As CPython: once the owner's thread stops running, nothing drains its pending calls;
    // they wait in the ring (a full ring drops them) until the interpreter is ended. Else
    // the owner's thread carries out what is left when it exits and later closes enter the
    // sender, as civ's do (refbench's departure under --drain-interval/--release-*).
    bool held_until_ended = false;
  };
  const ReleasePath& release_path() const { return release_path_; }
  void set_release_path(ReleasePath path) { release_path_ = path; }

  // A view that holds only this interpreter's id finds it as CPython does
  // (_PyInterpreterState_LookUpID): in the runtime's table, under the process-wide lookup
  // lock. False once it was finalised (taken out of the table): the id names nothing. The
  // interpreter object itself stays allocated until the runtime is torn down, which is what
  // makes the lookup (and the quarantined heap behind it) safe to model. An interpreter
  // found here may still be finalised before the caller enters it; finalisation happens
  // inside its own lock (its own thread at --teardown early, or after every thread was
  // joined), so the caller checks finalised() again once inside.
  bool look_up() const {
    REFBENCH_ASSERT(release_path_.lookup_lock != nullptr, "a lookup by id needs the lookup lock");
    std::lock_guard hold(*release_path_.lookup_lock);
    return !finalised();
  }

 private:
  // Drops the heap's reference to every pooled object; the last reference frees it. Runs
  // once, on whichever thread dropped the last reference to the interpreter: no one else
  // can be inside it then.
  void finalise(Tally& actor);

  const unsigned index_;
  InterpreterLock& lock_;
  const DropHeapReference drop_heap_reference_;
  std::unique_ptr<Heap> heap_;
  alignas(kCacheLine) std::atomic<std::int64_t> refs_{1};
  std::atomic<bool> finalised_{false};
  std::atomic<bool> runtime_reference_released_{false};
  std::uint64_t views_opened_ = 0;
  std::uint64_t views_closed_ = 0;
  PendingQueue pending_;
  ReleasePath release_path_;
};

// The calling thread runs inside an interpreter (holds its lock) while this lives, as a
// thread state does in CPython. leave() and enter() step out and back in, for the seed's
// view close; at most one interpreter is entered per thread at any time.
class Entered {
 public:
  explicit Entered(Interpreter& interpreter);
  Entered(const Entered&) = delete;
  Entered& operator=(const Entered&) = delete;
  ~Entered();

  Interpreter& interpreter() const { return interpreter_; }
  bool inside() const { return inside_; }
  void leave();
  void enter();

  // The guard of the interpreter the calling thread is in, or null.
  static Entered* current();

 private:
  Interpreter& interpreter_;
  Entered* const outer_;  // a thread may enter again after leaving; never two at once
  bool inside_ = false;
};

}  // namespace refbench::workloads
