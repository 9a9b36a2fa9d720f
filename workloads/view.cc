#include "workloads/view.h"

#include "workloads/counting.h"
#include "workloads/invariant.h"

namespace refbench::workloads {

namespace {

// The sender is gone: what the release would have dropped leaks (one object reference, one
// buffer export), as CPython's buffer leaks once its owner interpreter is finalised.
void orphaned(Tally& holder) {
  ++holder.orphaned_releases;
  ++holder.object_releases_lost;
}

// A view that holds only its sender's id: found, entered, and still not finalised once
// inside (finalisation happens inside the interpreter's own lock), the sender releases;
// otherwise the release is orphaned.
void release_by_id(Object& object, Interpreter& sender, Tally& holder) {
  if (sender.look_up()) {
    Entered there(sender);
    if (!sender.finalised()) {
      release_in_sender(object, sender, holder);
      return;
    }
  }
  orphaned(holder);
}

}  // namespace

void release_in_sender(Object& object, Interpreter& sender, Tally& holder) {
  REFBENCH_ASSERT(!sender.finalised(), "a view is released only in a live interpreter");
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
  const bool strong = sender.release_path().views_hold_owner;
  if (strong) {
    Entered there(sender);  // step 5: enter the sending interpreter
    release_in_sender(object, sender, holder);
  } else {  // CPython's view: the sender by its id, if it is still there
    release_by_id(object, sender, holder);
  }                                   // ...and leave it
  if (was_inside) here->enter();      // step 6: back in the receiving interpreter,
  if (strong) sender.decref(holder);  // then drop the reference that kept the sender alive
}

void PostToSender::close(Object& object, Interpreter& sender, Tally& holder) {
  const Interpreter::ReleasePath& path = sender.release_path();
  // As CPython finds the owner by its id (_PyInterpreterState_LookUpID): under the
  // runtime's process-wide lock, held for the lookup only. A view that holds only the id
  // finds nothing once the owner was finalised: there is nowhere to post the release.
  if (!path.views_hold_owner) {
    if (!sender.look_up()) {
      orphaned(holder);
      return;
    }
  } else if (PointMutex* lookup = path.lookup_lock) {
    std::lock_guard hold(*lookup);  // the strong view holds the sender: the lookup's cost only
  }
  // Each call carries a part of the view's references; whoever carries it out drops them.
  const bool in_two = path.calls_per_release == 2;
  switch (sender.pending().post(object, in_two ? ViewRelease::kBuffer : ViewRelease::kWhole)) {
    case PendingQueue::Posted::queued:
      break;
    case PendingQueue::Posted::full:  // dropped, as CPython drops it: the references leak
      ++holder.dropped_releases;
      ++holder.object_releases_lost;
      break;
    case PendingQueue::Posted::owner_gone:  // closes by id, too, for a view that holds one
      CloseInSender::close(object, sender, holder);
      return;
  }
  if (!in_two) return;
  switch (sender.pending().post(object, ViewRelease::kView)) {
    case PendingQueue::Posted::queued:
      return;
    case PendingQueue::Posted::full:  // the interpreter stays held (strong): a leak
      ++holder.dropped_releases;
      return;
    case PendingQueue::Posted::owner_gone:  // the view lets go of the sender itself
      if (path.views_hold_owner) sender.decref(holder);
      return;
  }
}

}  // namespace refbench::workloads
