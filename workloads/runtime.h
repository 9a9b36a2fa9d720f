// The interpreters of one point, their locks, the ledger, and their teardown.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/interpreter_lock.h"
#include "workloads/ledger.h"
#include "workloads/point.h"

namespace refbench::workloads {

// The detectors and the ground truth disagree: refbench itself miscounted.
struct GroundTruthMismatch : std::logic_error {
  using std::logic_error::logic_error;
};

class Runtime {
 public:
  // `shared_lock`: every interpreter takes one lock (gil). `drop` is the strategy's way of
  // letting go of a heap reference, used when an interpreter finalises.
  Runtime(const PointConfig& config, unsigned interpreters, bool shared_lock,
          Interpreter::DropHeapReference drop);

  unsigned size() const { return static_cast<unsigned>(interpreters_.size()); }
  Interpreter& interpreter(unsigned i) { return *interpreters_[i]; }
  // Interpreter thread i's row of the ledger, or null without --verify.
  Ledger::Row ledger_row(unsigned i) { return ledger_ ? ledger_->row(i) : nullptr; }

  // On interpreter i's own thread: map its heap, let `bind` place it, then touch it.
  template <class Bind>
  void make_heap(unsigned i, Bind&& bind) {
    Heap& heap = interpreters_[i]->make_heap(config_.objects, config_.payload_bytes);
    bind(heap.memory());
    heap.initialise(*interpreters_[i], i * config_.objects);
  }

  // How the strategy kept the counts of pooled objects: not at all (immortal), exactly, or
  // racily with every lost update witnessed (racy under --verify).
  enum class Counts { not_kept, kept, witnessed };

  // After every thread has been joined: with --verify, checks the counts against the
  // ledger (the ground truth) and the detectors against both, then drops the runtime's
  // reference to each interpreter (finalising those no view keeps alive) and counts what
  // is left. `events` are the tallies of the interpreter threads. Throws
  // GroundTruthMismatch if a detector disagrees with the ground truth: a harness bug.
  // `references` reads an object's count as the strategy keeps it.
  using ReadReferences = std::int64_t (*)(const Object&);
  static std::int64_t refcount_of(const Object& o) { return o.refcount; }
  Integrity audit_and_tear_down(const Tally& events, Counts counts,
                                ReadReferences references = &refcount_of);

  // --isolation process, in refbench's process, after an interpreter process (`dead`) died
  // and every other one was stopped and reaped: counts what the point left (LeftBehind), the
  // way audit_and_tear_down counts a point that ended, but changing nothing. No interpreter
  // is finalised and no object released or freed here: what the dead held can never be
  // released, and the region goes whole after the point, so nothing is freed twice.
  // `events` are the tallies of every interpreter, the dead one's as it stood.
  LeftBehind inventory(const Tally& events, Counts counts, ReadReferences references,
                       unsigned dead);

  // --teardown early, on sending interpreter i's own thread, inside it, after its last
  // send: the runtime lets go of the interpreter, which finalises now or, while views of
  // its objects are open, when the last closes. Returns how many views were open.
  std::uint64_t tear_down_early(unsigned i, Tally& actor);

  // Times the interpreter locks were taken so far, all locks together.
  std::uint64_t lock_acquisitions() const {
    std::uint64_t total = 0;
    for (const auto& lock : locks_) total += lock->switches();
    return total;
  }

  // The watchdog gave up: every wait for an interpreter lock throws from now on.
  void abandon_locks() {
    for (auto& lock : locks_) lock->abandon();
  }

 private:
  Interpreter::DropHeapReference recorded(Interpreter::DropHeapReference drop);
  GroundTruth ground_truth(ReadReferences references);
  void reconcile(Integrity& result, const GroundTruth& truth, Counts counts) const;
  void free_immortal_objects();
  // visit(interpreter, object) for every pooled object of every heap made.
  template <class Visit>
  void each_pooled(Visit visit) {
    for (auto& interpreter : interpreters_) {
      if (!interpreter->has_heap()) continue;
      for (std::uint32_t i = 0; i < interpreter->heap().pool_size(); ++i) {
        visit(*interpreter, interpreter->heap().pooled(i));
      }
    }
  }

  const PointConfig config_;
  std::vector<std::unique_ptr<InterpreterLock>> locks_;
  std::vector<std::unique_ptr<Interpreter>> interpreters_;
  std::optional<Ledger> ledger_;
  // CPython's HEAD_LOCK: the process-wide lock under which an interpreter is found by id.
  PointMutex lookup_lock_;
};

}  // namespace refbench::workloads
