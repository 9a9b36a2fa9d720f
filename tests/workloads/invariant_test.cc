// The invariant tier (workloads/invariant.h): in the checked build each broken invariant
// aborts with its reason. Elsewhere the asserts are compiled out and these tests skip; what
// every build checks is that what a run may legitimately get wrong (racy) never aborts.
#include "workloads/invariant.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "workloads/biased.h"
#include "workloads/counting.h"
#include "workloads/interpreter_lock.h"
#include "workloads/pending.h"
#include "workloads/runtime.h"
#include "workloads/strategies.h"
#include "workloads/view.h"

namespace refbench::workloads {
namespace {

#define SKIP_UNLESS_CHECKED() \
  if (!kChecked)              \
  GTEST_SKIP() << "asserts are compiled out (NDEBUG); scripts/build checked runs them"

// Two interpreters with their own locks and one object each, as in view_test.cc.
class TwoInterpretersDeathTest : public testing::Test {
 protected:
  TwoInterpretersDeathTest() : runtime_(config(), 2, false, &CivStrategy::drop_heap_reference) {
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
  Interpreter& sender() { return runtime_.interpreter(0); }
  Interpreter& receiver() { return runtime_.interpreter(1); }
  Object& object() { return sender().heap().pooled(0); }
  Message open_view() {
    Entered inside(sender());
    return CivStrategy::send(sender(), object(), tally_);
  }

  Runtime runtime_;
  Tally tally_;
};

TEST_F(TwoInterpretersDeathTest, ClosingAClosedView) {
  SKIP_UNLESS_CHECKED();
  EXPECT_DEATH(
      {
        const Message m = open_view();
        Entered inside(receiver());
        View view = CivStrategy::receive(receiver(), m, tally_);
        view.close();
        view.close();
      },
      "a view is closed once");
}

TEST_F(TwoInterpretersDeathTest, ReleasingAViewNeverOpened) {
  SKIP_UNLESS_CHECKED();
  EXPECT_DEATH(
      {
        Entered inside(sender());
        release_in_sender(object(), sender(), tally_);
      },
      "a buffer export is released once");
}

TEST_F(TwoInterpretersDeathTest, AnInterpretersCountBelowZero) {
  SKIP_UNLESS_CHECKED();
  EXPECT_DEATH(
      {
        sender().decref(tally_);  // the runtime's reference: finalises
        sender().decref(tally_);
      },
      "an interpreter's count never goes below zero");
}

TEST(InvariantDeathTest, ACorrectCountBelowZero) {
  SKIP_UNLESS_CHECKED();
  Object o;
  o.refcount = 0;  // live, yet counted at zero: a correct strategy lost a reference
  Tally t;
  EXPECT_DEATH(counting::Plain::decref(o, t), "a correct count is above zero while referenced");
  EXPECT_DEATH(counting::Atomic::decref(o, t), "a correct count is above zero while referenced");
  EXPECT_DEATH(counting::Atomic::incref(o), "a correct count is above zero while referenced");
}

TEST(InvariantDeathTest, AFreedObjectCountedByACorrectStrategy) {
  SKIP_UNLESS_CHECKED();
  Object o;
  o.held_by_heap.store(false);
  Tally t;
  counting::Atomic::decref(o, t);  // 1 -> 0: freed
  ASSERT_EQ(o.state.load(), ObjectState::freed);
  EXPECT_DEATH(counting::Atomic::incref(o), "a correct strategy never counts a freed object");
  EXPECT_DEATH(counting::Plain::decref(o, t), "a correct strategy never counts a freed object");
  EXPECT_DEATH(counting::Biased::incref(o), "a correct strategy never counts a freed object");
}

TEST(InvariantDeathTest, APendingQueueTakenFromByTwoThreads) {
  SKIP_UNLESS_CHECKED();
  PendingQueue queue;
  std::vector<PendingQueue::Request> taken;
  queue.take(1, taken);  // this thread is the owner's
  EXPECT_DEATH(std::thread([&] { queue.take(1, taken); }).join(),
               "taken from by its owner's thread only");
}

TEST(InvariantDeathTest, UnlockingAFreeLock) {
  SKIP_UNLESS_CHECKED();
  for (WaitPolicy policy : kAllWaitPolicies) {
    InterpreterLock lock(policy);
    EXPECT_DEATH(lock.unlock(), "unlocked by its holder") << name(policy);
  }
}

// racy miscounts on purpose: below zero, and on freed objects. The detectors count it
// (counting_test.cc); no assert may fire, in any build.
TEST(Invariant, RacyCountsAreNeverAsserted) {
  Object o;
  Tally t;
  counting::Racy::decref(o, t);  // 1 -> 0: freed (premature)
  counting::Racy::decref(o, t);  // 0 -> -1, on a freed object
  counting::Racy::incref(o);
  counting::RacyWitnessed::decref(o, t);
  EXPECT_EQ(o.refcount, -1);
  EXPECT_EQ(t.premature_frees, 1u);
  EXPECT_EQ(t.double_frees, 0u) << "-1 is not zero: no second free";
}

}  // namespace
}  // namespace refbench::workloads
