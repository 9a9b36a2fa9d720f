#include "workloads/runtime.h"

#include <cstdlib>

namespace refbench::workloads {

Runtime::Runtime(const PointConfig& config, unsigned interpreters, bool shared_lock,
                 Interpreter::DropHeapReference drop)
    : config_(config) {
  const unsigned lock_count = shared_lock ? 1 : interpreters;
  for (unsigned i = 0; i < lock_count; ++i) {
    locks_.push_back(std::make_unique<InterpreterLock>(config.wait));
  }
  for (unsigned i = 0; i < interpreters; ++i) {
    interpreters_.push_back(std::make_unique<Interpreter>(i, *locks_[shared_lock ? 0 : i], drop));
  }
  if (config.verify) ledger_.emplace(std::size_t{interpreters} * config.objects);
}

std::uint64_t Runtime::lost_updates() {
  std::uint64_t lost = 0;
  for (auto& interpreter : interpreters_) {
    if (!interpreter->has_heap()) continue;
    Heap& heap = interpreter->heap();
    for (std::uint32_t i = 0; i < heap.pool_size(); ++i) {
      Object& o = heap.pooled(i);
      lost += static_cast<std::uint64_t>(std::llabs(o.refcount - ledger_->references(o)));
    }
  }
  return lost;
}

Integrity Runtime::audit_and_tear_down(const Tally& events, bool counts_are_kept) {
  Integrity result;
  result.events = events;
  if (ledger_) result.lost_updates = counts_are_kept ? lost_updates() : 0;

  Tally teardown;
  for (auto& interpreter : interpreters_) {
    result.views_left_open += interpreter->views_open();
    interpreter->decref(teardown);  // the runtime's own reference
  }
  result.events += teardown;

  for (auto& interpreter : interpreters_) {
    if (!interpreter->has_heap()) continue;
    Heap& heap = interpreter->heap();
    for (std::uint32_t i = 0; i < heap.pool_size(); ++i) {
      if (heap.pooled(i).state.load(std::memory_order_relaxed) == ObjectState::live) {
        ++result.leaks;
      }
    }
  }
  return result;
}

}  // namespace refbench::workloads
