#include "workloads/runtime.h"

#include <cstdlib>
#include <string>

#include "workloads/counting.h"

namespace refbench::workloads {

namespace {

// civ-deferred models CPython's bounded ring of pending calls; biased's merge queue is
// unbounded, as CPython's is.
std::size_t pending_capacity(const PointConfig& config) {
  return traits(config.strategy).release_queue ? pending_calls(config).ring
                                               : PendingQueue::kUnbounded;
}

}  // namespace

Runtime::Runtime(const PointConfig& config, unsigned interpreters, bool shared_lock,
                 Interpreter::DropHeapReference drop)
    : config_(config) {
  const unsigned lock_count = shared_lock ? 1 : interpreters;
  for (unsigned i = 0; i < lock_count; ++i) {
    locks_.push_back(
        std::make_unique<InterpreterLock>(config.gil, config.wait, config.switch_interval));
  }
  for (unsigned i = 0; i < interpreters; ++i) {
    interpreters_.push_back(std::make_unique<Interpreter>(
        i, *locks_[shared_lock ? 0 : i], recorded(drop), pending_capacity(config)));
    if (traits(config.strategy).views) {
      // civ-deferred looks the owner up on every release (CPython's pending call finds its
      // interpreter by id); civ only where its views hold no more than the id.
      const bool queue = traits(config.strategy).release_queue;
      const bool strong = config.view_owner == ViewOwner::strong;
      interpreters_.back()->set_release_path({
          .calls_per_release = queue ? pending_calls(config).per_release : 1,
          .lookup_lock = queue || !strong ? &lookup_lock_ : nullptr,
          .views_hold_owner = strong,
          .held_until_ended = queue && follows_cpython(config),
      });
    }
  }
  if (config.verify) ledger_.emplace(std::size_t{interpreters} * config.objects, interpreters);
}

GroundTruth Runtime::ground_truth(ReadReferences references) {
  GroundTruth truth;
  for (auto& interpreter : interpreters_) {
    if (!interpreter->has_heap()) continue;
    Heap& heap = interpreter->heap();
    for (std::uint32_t i = 0; i < heap.pool_size(); ++i) {
      Object& o = heap.pooled(i);
      const std::int64_t deficit = ledger_->references(o) - references(o);
      truth.count_deficit += deficit;
      if (deficit > 0) truth.increments_missing += static_cast<std::uint64_t>(deficit);
      if (deficit < 0) truth.decrements_missing += static_cast<std::uint64_t>(-deficit);
      if (o.state.load(std::memory_order_relaxed) == ObjectState::freed) ++truth.objects_freed;
    }
  }
  return truth;
}

// Lost updates from the witness where there is one (exact), else from each object's
// deficit (net per object). Either way they must explain the ground truth exactly, and
// every object freed early must have been counted as a premature free.
void Runtime::reconcile(Integrity& result, const GroundTruth& truth, Counts counts) const {
  const Tally& seen = result.events;
  switch (counts) {
    case Counts::not_kept:  // nothing counted, nothing to lose
      result.lost_increments = result.lost_decrements = 0;
      break;
    case Counts::kept:
      result.lost_increments = truth.increments_missing;
      result.lost_decrements = truth.decrements_missing;
      // Per object, only the net of what was lost is known.
      result.lost_split_exact = traits(config_.strategy).correct;
      break;
    case Counts::witnessed:
      result.lost_increments = seen.lost_increments;
      result.lost_decrements = seen.lost_decrements;
      break;
  }
  // Each release the detectors saw never made (a dropped pending call, or an orphaned
  // release: the sender was gone) left one object reference behind: the ledger must find
  // at least that many decrements missing (exactly that many where nothing else was lost;
  // more is the strategy's loss, reported as lost decrements, not a harness bug).
  if (counts != Counts::not_kept && truth.decrements_missing < seen.object_releases_lost) {
    throw GroundTruthMismatch(
        "ground truth disagrees: " + std::to_string(seen.object_releases_lost) +
        " releases never made (dropped or orphaned), " + std::to_string(truth.decrements_missing) +
        " decrements missing");
  }
  const auto explained = static_cast<std::int64_t>(*result.lost_increments) -
                         static_cast<std::int64_t>(*result.lost_decrements);
  if (counts != Counts::not_kept && explained != truth.count_deficit) {
    throw GroundTruthMismatch(
        "ground truth disagrees: the counts are " + std::to_string(truth.count_deficit) +
        " below the true references, the lost updates explain " + std::to_string(explained));
  }
  // After an early teardown the heap no longer holds its objects, and a free is premature
  // only by when it happened, which the end state cannot tell: the detectors are trusted.
  if (config_.teardown == Teardown::end && truth.objects_freed != seen.premature_frees) {
    throw GroundTruthMismatch("ground truth disagrees: " + std::to_string(truth.objects_freed) +
                              " objects freed while referenced, " +
                              std::to_string(seen.premature_frees) + " premature frees detected");
  }
}

// The strategy's way of dropping a heap's reference, also recorded in the ledger: with
// --teardown early it happens during the run, and the ground truth must know.
Interpreter::DropHeapReference Runtime::recorded(Interpreter::DropHeapReference drop) {
  return [this, drop = std::move(drop)](Object& o, Tally& actor) {
    if (ledger_) {
      // On an interpreter thread (a teardown during the run) its row, else the runtime's.
      Ledger::Row row = this_thread_ledger_row();
      Ledger::dropped(row != nullptr ? row : ledger_->runtime_row(), o);
    }
    drop(o, actor);
  };
}

std::uint64_t Runtime::tear_down_early(unsigned i, Tally& actor) {
  Interpreter& interpreter = *interpreters_[i];
  const std::uint64_t open = interpreter.views_open();
  interpreter.release_runtime_reference(actor);
  return open;
}

void Runtime::free_immortal_objects() {
  Tally ignored;  // held_by_heap is clear after finalisation: these frees are the normal end
  for (auto& interpreter : interpreters_) {
    if (!interpreter->has_heap() || !interpreter->finalised()) continue;
    for (std::uint32_t i = 0; i < interpreter->heap().pool_size(); ++i) {
      Object& o = interpreter->heap().pooled(i);
      if (o.state.load(std::memory_order_relaxed) == ObjectState::live) {
        counting::free_object(o, ignored);
      }
    }
  }
}

Integrity Runtime::audit_and_tear_down(const Tally& events, Counts counts,
                                       ReadReferences references) {
  Integrity result;
  result.events = events;
  if (ledger_) {
    result.truth = ground_truth(references);
    reconcile(result, *result.truth, counts);
  }

  Tally teardown;
  for (auto& interpreter : interpreters_) {
    result.views_left_open += interpreter->views_open();
    interpreter->release_runtime_reference(teardown);
  }
  result.events += teardown;
  if (counts == Counts::not_kept) free_immortal_objects();

  each_pooled([&](Interpreter&, const Object& o) {
    if (o.state.load(std::memory_order_relaxed) == ObjectState::live) ++result.leaks;
  });
  return result;
}

namespace {

// The references an object still holds beyond its heap's own (which finalisation would
// drop): those that keep it alive past its interpreter. A freed object holds none.
std::int64_t beyond_its_heap(const Object& o, Runtime::ReadReferences references) {
  if (o.state.load(std::memory_order_relaxed) == ObjectState::freed) return 0;
  return references(o) - (o.held_by_heap.load(std::memory_order_relaxed) ? 1 : 0);
}

}  // namespace

// Every process of the point was reaped before this runs (waitpid), so nothing changes the
// region meanwhile and plain reads (relaxed ones of the atomics) see what they left.
LeftBehind Runtime::inventory(const Tally& events, Counts counts, ReadReferences references,
                              unsigned dead) {
  LeftBehind left;
  left.integrity.events = events;
  left.counts_kept = counts != Counts::not_kept;
  for (auto& interpreter : interpreters_) {
    const std::uint64_t open = interpreter->views_open();
    left.integrity.views_left_open += open;
    if (interpreter->index() == dead) left.views_of_dead += open;
  }
  // Without counts (immortal) no reference can be told from none: nothing to count.
  if (!left.counts_kept) return left;
  each_pooled([&](const Interpreter& owner, const Object& o) {
    const std::int64_t held = beyond_its_heap(o, references);
    if (held <= 0) return;
    ++left.integrity.leaks;
    left.references += static_cast<std::uint64_t>(held);
    if (owner.index() == dead) ++left.leaks_of_dead;
  });
  return left;
}

}  // namespace refbench::workloads
