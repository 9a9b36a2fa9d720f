#include "workloads/interpreter.h"

#include <cassert>

namespace refbench::workloads {
namespace {
thread_local Entered* t_current = nullptr;
}

void Interpreter::finalise(Tally& actor) {
  if (heap_) {
    for (std::uint32_t i = 0; i < heap_->pool_size(); ++i) {
      Object& object = heap_->pooled(i);
      // Relaxed: read by free_object on whichever thread frees, to tell a premature free.
      object.held_by_heap.store(false, std::memory_order_relaxed);
      // An object freed during the run was counted then (premature); it holds nothing now.
      if (object.state.load(std::memory_order_relaxed) == ObjectState::live) {
        drop_heap_reference_(object, actor);
      }
    }
  }
  finalised_.store(true, std::memory_order_release);
}

Entered::Entered(Interpreter& interpreter) : interpreter_(interpreter), outer_(t_current) {
  assert((outer_ == nullptr || !outer_->inside()) && "a thread may hold one interpreter lock");
  enter();
  t_current = this;
}

Entered::~Entered() {
  if (inside_) leave();
  t_current = outer_;
}

void Entered::leave() {
  inside_ = false;
  interpreter_.lock().unlock();
}

void Entered::enter() {
  interpreter_.lock().lock();
  inside_ = true;
}

Entered* Entered::current() { return t_current; }

}  // namespace refbench::workloads
