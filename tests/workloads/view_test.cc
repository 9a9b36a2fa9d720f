#include "workloads/view.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "workloads/runtime.h"
#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

constexpr unsigned kSender = 0;
constexpr unsigned kReceiver = 1;

// Two interpreters with their own locks and one object each, made on this thread.
class ViewTest : public testing::Test {
 protected:
  ViewTest() : runtime_(config(), 2, false, &CivStrategy::drop_heap_reference) {
    for (unsigned i = 0; i < 2; ++i) runtime_.make_heap(i, [](auto) {});
  }

  static PointConfig config() {
    PointConfig c;
    c.strategy = Strategy::civ;
    c.objects = 1;
    c.payload_bytes = 16;
    c.messages = 1;
    return c;
  }

  Interpreter& sender() { return runtime_.interpreter(kSender); }
  Interpreter& receiver() { return runtime_.interpreter(kReceiver); }
  Object& object() { return sender().heap().pooled(0); }

  // Seed steps 1-3: the sender opens a view for the message.
  Message open_view() {
    Entered inside(sender());
    return CivStrategy::send(sender(), object(), sender_tally_);
  }

  Runtime runtime_;
  Tally sender_tally_;
  Tally receiver_tally_;
};

TEST_F(ViewTest, OpeningTakesObjectBufferAndSenderReferences) {
  open_view();
  EXPECT_EQ(object().refcount, 2);
  EXPECT_EQ(object().exports, 1);
  EXPECT_EQ(sender().views_open(), 1u);
}

TEST_F(ViewTest, CloseReleasesEverythingItHeld) {
  const Message m = open_view();
  {
    Entered inside(receiver());
    View view = CivStrategy::receive(receiver(), m, receiver_tally_);
    EXPECT_EQ(view.buffer().size(), 16u);
    view.close();
    EXPECT_FALSE(view.is_open());
    EXPECT_TRUE(inside.inside()) << "close must re-enter the receiving interpreter";
  }
  EXPECT_EQ(object().refcount, 1);
  EXPECT_EQ(object().exports, 0);
  EXPECT_EQ(sender().views_open(), 0u);
  EXPECT_EQ(receiver_tally_.resource_warnings, 0u);
  const Integrity integrity = runtime_.audit_and_tear_down({}, Runtime::Counts::kept);
  EXPECT_EQ(integrity.violations(), 0u);
  EXPECT_TRUE(sender().finalised());
}

TEST_F(ViewTest, DestructorClosesAnOpenViewAndWarns) {
  const Message m = open_view();
  {
    Entered inside(receiver());
    View view = CivStrategy::receive(receiver(), m, receiver_tally_);
  }
  EXPECT_EQ(receiver_tally_.resource_warnings, 1u);
  EXPECT_EQ(object().refcount, 1);
  EXPECT_EQ(sender().views_open(), 0u);
}

// The seed's teardown case: an open view keeps its sender alive after the runtime let go;
// closing it finalises the sender, which frees its objects.
TEST_F(ViewTest, OpenViewKeepsTheSenderAliveUntilItCloses) {
  const Message m = open_view();
  View view = CivStrategy::receive(receiver(), m, receiver_tally_);
  const Integrity before = runtime_.audit_and_tear_down({}, Runtime::Counts::kept);
  EXPECT_FALSE(sender().finalised());
  EXPECT_EQ(before.views_left_open, 1u);
  EXPECT_EQ(before.leaks, 1u) << "the sender's object is still referenced by the view";
  EXPECT_EQ(object().state.load(), ObjectState::live);

  view.close();
  EXPECT_TRUE(sender().finalised());
  EXPECT_EQ(object().state.load(), ObjectState::freed);
  EXPECT_EQ(receiver_tally_.premature_frees + receiver_tally_.double_frees, 0u);
}

// While the sender's lock is held elsewhere, a closing receiver must have left its own
// interpreter before it waits for the sender's: no thread ever holds two interpreter locks.
TEST_F(ViewTest, CloseLeavesItsOwnInterpreterBeforeEnteringTheSender) {
  const Message m = open_view();
  std::atomic<bool> entered{false};
  std::atomic<bool> closed{false};
  sender().lock().lock();  // the sender is busy
  std::thread closer([&] {
    Entered inside(receiver());
    entered = true;
    View view = CivStrategy::receive(receiver(), m, receiver_tally_);
    view.close();
    closed = true;
  });
  while (!entered) std::this_thread::yield();
  // The receiver's lock must become free while the closer waits for the sender's.
  bool receiver_lock_was_free = false;
  for (int i = 0; i < 5000 && !receiver_lock_was_free; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    receiver_lock_was_free = receiver().lock().try_lock();
    if (receiver_lock_was_free) receiver().lock().unlock();
  }
  EXPECT_FALSE(closed.load());
  sender().lock().unlock();
  closer.join();
  EXPECT_TRUE(receiver_lock_was_free);
  EXPECT_TRUE(closed.load());
  EXPECT_EQ(object().refcount, 1);
}

// civ-deferred: a close posts a request to the sender and touches none of its counts; the
// sender releases the requests itself, at its safe points, inside its own interpreter.
TEST_F(ViewTest, ADeferredCloseLeavesTheReleaseToTheSender) {
  const Message m = open_view();
  {
    Entered inside(receiver());
    DeferredView view = CivDeferredStrategy::receive(receiver(), m, receiver_tally_);
    view.close();
    EXPECT_FALSE(view.is_open());
  }
  EXPECT_EQ(object().refcount, 2) << "released by the sender, not by the closer";
  EXPECT_EQ(object().exports, 1);
  EXPECT_EQ(sender().views_open(), 1u);
  EXPECT_TRUE(sender().pending().has_pending());
  {
    Entered inside(sender());
    CivDeferredStrategy::at_safe_point(sender(), sender_tally_, 64);
  }
  EXPECT_FALSE(sender().pending().has_pending());
  EXPECT_EQ(object().refcount, 1);
  EXPECT_EQ(object().exports, 0);
  EXPECT_EQ(sender().views_open(), 0u);
  const Integrity integrity = runtime_.audit_and_tear_down({}, Runtime::Counts::kept);
  EXPECT_EQ(integrity.violations(), 0u);
  EXPECT_TRUE(sender().finalised());
}

TEST_F(ViewTest, EachDrainReleasesAtMostABatch) {
  std::vector<Message> messages;
  for (int i = 0; i < 5; ++i) messages.push_back(open_view());
  {
    Entered inside(receiver());
    for (const Message& m : messages) {
      CivDeferredStrategy::receive(receiver(), m, receiver_tally_).close();
    }
  }
  EXPECT_EQ(sender().views_open(), 5u);
  Entered inside(sender());
  for (std::uint64_t left : {3u, 1u, 0u}) {
    CivDeferredStrategy::at_safe_point(sender(), sender_tally_, 2);
    EXPECT_EQ(sender().views_open(), left);
  }
  EXPECT_EQ(object().refcount, 1);
  EXPECT_EQ(object().exports, 0);
  EXPECT_EQ(receiver_tally_.resource_warnings, 0u);
}

// Once the sender's thread is done it takes no more requests: a close is then made by the
// closer, entering the sender as a civ close does.
TEST_F(ViewTest, AfterTheSenderStopsTakingRequestsTheCloserReleases) {
  {
    Entered inside(sender());
    CivDeferredStrategy::owner_exits(sender(), sender_tally_);
  }
  const Message m = open_view();
  {
    Entered inside(receiver());
    DeferredView view = CivDeferredStrategy::receive(receiver(), m, receiver_tally_);
    view.close();
    EXPECT_TRUE(inside.inside()) << "the closer is back in its own interpreter";
  }
  EXPECT_FALSE(sender().pending().has_pending());
  EXPECT_EQ(object().refcount, 1);
  EXPECT_EQ(object().exports, 0);
  EXPECT_EQ(sender().views_open(), 0u);
}

// --view-owner id: the view holds only its sender's id (CPython's buffer), as `strategy`
// (civ or civ-deferred) hands it over.
class IdViewTest : public testing::TestWithParam<Strategy> {
 protected:
  IdViewTest() : runtime_(config(), 2, false, &CivStrategy::drop_heap_reference) {
    for (unsigned i = 0; i < 2; ++i) runtime_.make_heap(i, [](auto) {});
  }

  static PointConfig config() {
    PointConfig c;
    c.strategy = GetParam();
    c.objects = 1;
    c.payload_bytes = 16;
    c.messages = 1;
    c.view_owner = ViewOwner::id;
    return c;
  }

  Interpreter& sender() { return runtime_.interpreter(kSender); }
  Interpreter& receiver() { return runtime_.interpreter(kReceiver); }
  Object& object() { return sender().heap().pooled(0); }

  Message open_view() {
    Entered inside(sender());
    return CivStrategy::send(sender(), object(), sender_tally_);  // civ-deferred's send is civ's
  }
  // Closes the view of `m` as the strategy does, in the receiver.
  void close_view(const Message& m) {
    Entered inside(receiver());
    if (GetParam() == Strategy::civ) {
      CivStrategy::receive(receiver(), m, receiver_tally_).close();
    } else {
      CivDeferredStrategy::receive(receiver(), m, receiver_tally_).close();
    }
    EXPECT_TRUE(inside.inside()) << "the closer is back in its own interpreter";
  }
  // The sender makes what is pending (civ-deferred) at a safe point.
  void sender_drains() {
    Entered inside(sender());
    CivDeferredStrategy::at_safe_point(sender(), sender_tally_, PendingQueue::kAll);
  }

  Runtime runtime_;
  Tally sender_tally_;
  Tally receiver_tally_;
};

// Nothing keeps the sender alive for the view: when the runtime lets go of it, it is
// finalised at once, with the view still open, and the view sees its owner gone.
TEST_P(IdViewTest, AnOpenViewDoesNotKeepItsSenderAlive) {
  const Message m = open_view();
  CivStrategy::Held view = CivStrategy::receive(receiver(), m, receiver_tally_);
  EXPECT_FALSE(view.owner_gone());
  EXPECT_TRUE(sender().look_up());
  {
    Entered inside(sender());
    runtime_.tear_down_early(kSender, sender_tally_);
  }
  EXPECT_TRUE(sender().finalised()) << "the view holds only the id";
  EXPECT_FALSE(sender().look_up()) << "the id names nothing now";
  EXPECT_TRUE(view.owner_gone());
  EXPECT_EQ(object().state.load(), ObjectState::live) << "the view still holds the object";
  view.close();
}

// A close that finds its sender gone cannot release: the object reference and the buffer
// export stay (a leak), counted once as an orphaned release.
TEST_P(IdViewTest, ACloseThatFindsTheSenderGoneIsOrphaned) {
  const Message m = open_view();
  {
    Entered inside(sender());
    runtime_.tear_down_early(kSender, sender_tally_);
  }
  close_view(m);
  EXPECT_EQ(receiver_tally_.orphaned_releases, 1u);
  EXPECT_EQ(receiver_tally_.object_releases_lost, 1u);
  EXPECT_EQ(object().refcount, 1) << "the heap's reference dropped, the view's never";
  EXPECT_EQ(object().exports, 1);
  EXPECT_FALSE(sender().pending().has_pending()) << "nothing posted to a gone owner";
  const Integrity i = runtime_.audit_and_tear_down(receiver_tally_, Runtime::Counts::kept);
  EXPECT_EQ(i.leaks, 1u);
  EXPECT_EQ(i.views_left_open, 1u);
  EXPECT_EQ(i.violations(), 3u) << "orphaned, leaked, left open";
}

// While the sender lives, the close releases as the strong view's does, but takes and drops
// no reference to the sender: the runtime's alone finalises it.
TEST_P(IdViewTest, ACloseWhileTheSenderLivesReleases) {
  const Message m = open_view();
  close_view(m);
  if (GetParam() == Strategy::civ_deferred) sender_drains();
  EXPECT_EQ(receiver_tally_.orphaned_releases + sender_tally_.orphaned_releases, 0u);
  EXPECT_EQ(object().refcount, 1);
  EXPECT_EQ(object().exports, 0);
  EXPECT_EQ(sender().views_open(), 0u);
  EXPECT_FALSE(sender().finalised());
  const Integrity i = runtime_.audit_and_tear_down({}, Runtime::Counts::kept);
  EXPECT_EQ(i.violations(), 0u);
  EXPECT_TRUE(sender().finalised());
  EXPECT_EQ(object().state.load(), ObjectState::freed);
}

std::string view_strategy_name(const testing::TestParamInfo<Strategy>& param) {
  return param.param == Strategy::civ ? "civ" : "civ_deferred";
}

INSTANTIATE_TEST_SUITE_P(Views, IdViewTest, testing::Values(Strategy::civ, Strategy::civ_deferred),
                         view_strategy_name);

// civ-deferred with id views: an early teardown ends the interpreter, and as
// Py_EndInterpreter it first makes the calls still pending; a later close finds the queue
// finished and the owner gone.
TEST(IdViews, AnEndedOwnerMakesWhatWasPendingFirst) {
  PointConfig c;
  c.strategy = Strategy::civ_deferred;
  c.objects = 1;
  c.payload_bytes = 16;
  c.messages = 1;
  c.view_owner = ViewOwner::id;
  Runtime runtime(c, 2, false, &CivDeferredStrategy::drop_heap_reference);
  for (unsigned i = 0; i < 2; ++i) runtime.make_heap(i, [](auto) {});
  Interpreter& sender = runtime.interpreter(kSender);
  Interpreter& receiver = runtime.interpreter(kReceiver);
  Tally sender_tally, receiver_tally;
  Object& object = sender.heap().pooled(0);
  Message first, second;
  {
    Entered inside(sender);
    first = CivDeferredStrategy::send(sender, object, sender_tally);
    second = CivDeferredStrategy::send(sender, object, sender_tally);
  }
  {
    Entered inside(receiver);
    CivDeferredStrategy::receive(receiver, first, receiver_tally).close();  // posted
  }
  {
    Entered inside(sender);  // what drive.h's early teardown does under id
    CivDeferredStrategy::interpreter_ends(sender, sender_tally);
    runtime.tear_down_early(kSender, sender_tally);
  }
  EXPECT_EQ(sender_tally.pending_calls, 1u) << "the pending release made before the end";
  EXPECT_TRUE(sender.finalised());
  {
    Entered inside(receiver);
    CivDeferredStrategy::receive(receiver, second, receiver_tally).close();
  }
  EXPECT_EQ(receiver_tally.orphaned_releases, 1u);
  EXPECT_EQ(object.refcount, 1) << "one view released, one orphaned";
  EXPECT_EQ(object.exports, 1);
}

}  // namespace
}  // namespace refbench::workloads
