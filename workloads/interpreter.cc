#include "workloads/interpreter.h"

#include "workloads/invariant.h"

namespace refbench::workloads {
namespace {
thread_local Entered* t_current = nullptr;
}

void Interpreter::finalise(Tally& actor) {
  // Relaxed: only this call stores it, below; a second call is what the assert catches.
  REFBENCH_ASSERT(!finalised_.load(std::memory_order_relaxed), "an interpreter finalises once");
  if (heap_) {
    for (std::uint32_t i = 0; i < heap_->pool_size(); ++i) {
      Object& object = heap_->pooled(i);
      // Relaxed: read by free_object on whichever thread frees, to tell a premature free.
      object.held_by_heap.store(false, std::memory_order_relaxed);
      // An object freed during the run was counted then (premature); it holds nothing now.
      // Relaxed: in a correct strategy nothing frees the object while the heap holds it; a
      // racy free that races this check is told apart by free_object's exchange.
      if (object.state.load(std::memory_order_relaxed) == ObjectState::live) {
        drop_heap_reference_(object, actor);
      }
    }
  }
  // release: see finalised(). Under the lookup lock, where there is one: that is taking the
  // interpreter out of the runtime's table, which look_up() reads under the same lock.
  if (PointMutex* lookup = release_path_.lookup_lock) {
    std::lock_guard hold(*lookup);
    finalised_.store(true, std::memory_order_release);
  } else {
    finalised_.store(true, std::memory_order_release);
  }
}

Entered::Entered(Interpreter& interpreter) : interpreter_(interpreter), outer_(t_current) {
  REFBENCH_ASSERT(outer_ == nullptr || !outer_->inside(), "a thread holds one interpreter lock");
  enter();
  t_current = this;
}

Entered::~Entered() {
  if (inside_) leave();
  t_current = outer_;
}

void Entered::leave() {
  REFBENCH_ASSERT(inside_, "a thread leaves only an interpreter it is in");
  inside_ = false;
  interpreter_.lock().unlock();
}

void Entered::enter() {
  REFBENCH_ASSERT(!inside_, "a thread enters an interpreter it is not in");
  interpreter_.lock().lock();
  inside_ = true;
}

Entered* Entered::current() { return t_current; }

}  // namespace refbench::workloads
