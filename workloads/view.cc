#include "workloads/view.h"

#include "workloads/counting.h"
#include "workloads/invariant.h"

namespace refbench::workloads {

void release_in_sender(Object& object, Interpreter& sender, Tally& holder) {
  REFBENCH_ASSERT(object.exports > 0, "a buffer export is released once, after it was taken");
  --object.exports;
  keep_in_memory(object.exports);
  counting::Plain::decref(object, holder);
  sender.view_closed();
}

void CloseInSender::close(Object& object, Interpreter& sender, Tally& holder) {
  Entered* here = Entered::current();
  const bool was_inside = here != nullptr && here->inside();
  if (was_inside) here->leave();  // step 4: leave the receiving interpreter
  {
    Entered there(sender);  // step 5: enter the sending interpreter
    release_in_sender(object, sender, holder);
  }                               // ...and leave it
  if (was_inside) here->enter();  // step 6: back in the receiving interpreter,
  sender.decref(holder);          // then drop the reference that kept the sender alive
}

void PostToSender::close(Object& object, Interpreter& sender, Tally& holder) {
  // As CPython finds the owner by its id (_PyInterpreterState_LookUpID): under the
  // runtime's process-wide lock, held for the lookup only.
  if (std::mutex* lookup = sender.release_path().lookup_lock) std::lock_guard hold(*lookup);
  // Each call carries a part of the view's references; whoever carries it out drops them.
  const bool in_two = sender.release_path().calls_per_release == 2;
  switch (sender.pending().post(object, in_two ? ViewRelease::kBuffer : ViewRelease::kWhole)) {
    case PendingQueue::Posted::queued:
      break;
    case PendingQueue::Posted::full:  // dropped, as CPython drops it: the references leak
      ++holder.dropped_releases;
      break;
    case PendingQueue::Posted::owner_gone:
      CloseInSender::close(object, sender, holder);
      return;
  }
  if (!in_two) return;
  switch (sender.pending().post(object, ViewRelease::kView)) {
    case PendingQueue::Posted::queued:
      return;
    case PendingQueue::Posted::full:  // the interpreter stays held: a leak
      ++holder.dropped_releases;
      return;
    case PendingQueue::Posted::owner_gone:  // the view lets go of the sender itself
      sender.decref(holder);
      return;
  }
}

}  // namespace refbench::workloads
