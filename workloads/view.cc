#include "workloads/view.h"

#include "workloads/counting.h"

namespace refbench::workloads {

View::~View() {
  if (!is_open()) return;
  ++holder_->resource_warnings;
  close();
}

void View::close() {
  Entered* here = Entered::current();
  const bool was_inside = here != nullptr && here->inside();
  if (was_inside) here->leave();  // step 4: leave the receiving interpreter
  {
    Entered there(*sender_);  // step 5: enter the sending interpreter
    --object_->exports;
    keep_in_memory(object_->exports);
    counting::Plain::decref(*object_, *holder_);
    sender_->view_closed();
  }                               // ...and leave it
  if (was_inside) here->enter();  // step 6: back in the receiving interpreter,
  object_ = nullptr;
  sender_->decref(*holder_);  // drop the reference that kept the sender alive
}

DeferredView::~DeferredView() {
  if (!is_open()) return;
  ++holder_->resource_warnings;
  close();
}

void DeferredView::close() {
  Object& object = *object_;
  object_ = nullptr;
  // The request carries the view's references; whoever carries it out drops them.
  switch (sender_->pending().post(object)) {
    case PendingQueue::Posted::queued:
      return;
    case PendingQueue::Posted::full:  // dropped, as CPython drops it: the references leak
      ++holder_->dropped_releases;
      return;
    case PendingQueue::Posted::owner_gone:
      View(object, *sender_, *holder_).close();
      return;
  }
}

}  // namespace refbench::workloads
