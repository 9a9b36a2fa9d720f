// The audit after a run: counts checked against the ledger, and the detectors against
// both. Miscounts are made by hand here, so each outcome is known exactly.
#include <gtest/gtest.h>

#include "workloads/runtime.h"
#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

// Two interpreters with two pooled objects each, a ledger, and no thread: the test plays
// every part.
class GroundTruthTest : public testing::Test {
 protected:
  GroundTruthTest() : runtime_(config(), 2, false, &AtomicStrategy::drop_heap_reference) {
    for (unsigned i = 0; i < 2; ++i) runtime_.make_heap(i, [](auto) {});
  }
  static PointConfig config() {
    PointConfig c;
    c.strategy = Strategy::atomic;
    c.objects = 2;
    c.payload_bytes = 8;
    c.messages = 1;
    c.verify = true;
    return c;
  }
  Object& object(unsigned interpreter, unsigned i) {
    return runtime_.interpreter(interpreter).heap().pooled(i);
  }

  Runtime runtime_;
};

TEST_F(GroundTruthTest, ExactCountsShowNothingLost) {
  Object& o = object(0, 1);
  Ledger::taken(runtime_.ledger_row(0), o);
  ++o.refcount;
  Ledger::dropped(runtime_.ledger_row(1), o);
  --o.refcount;
  const Integrity i = runtime_.audit_and_tear_down({}, Runtime::Counts::kept);
  EXPECT_EQ(*i.lost_increments, 0u);
  EXPECT_EQ(*i.lost_decrements, 0u);
  EXPECT_EQ(i.truth->count_deficit, 0);
  EXPECT_EQ(i.violations(), 0u);
}

// Without a witness each object's deficit is all that is known: one object two
// references short (two lost increments), another one over (a lost decrement).
TEST_F(GroundTruthTest, KeptCountsReportEachObjectsDeficit) {
  for (int k = 0; k < 3; ++k) Ledger::taken(runtime_.ledger_row(0), object(0, 0));
  object(0, 0).refcount += 1;
  object(1, 1).refcount += 1;
  const Integrity i = runtime_.audit_and_tear_down({}, Runtime::Counts::kept);
  EXPECT_EQ(*i.lost_increments, 2u);
  EXPECT_EQ(*i.lost_decrements, 1u);
  EXPECT_EQ(i.truth->count_deficit, 1);
  EXPECT_EQ(i.truth->increments_missing, 2u);
  EXPECT_EQ(i.truth->decrements_missing, 1u);
  EXPECT_GE(i.violations(), 3u);
}

// A witness that explains the deficit is believed; one that does not is a harness bug.
TEST_F(GroundTruthTest, WitnessMustExplainTheDeficitExactly) {
  Ledger::taken(runtime_.ledger_row(0), object(0, 0));
  Ledger::taken(runtime_.ledger_row(0), object(0, 0));
  Tally seen;
  seen.lost_increments = 3;  // three increments lost ...
  seen.lost_decrements = 1;  // ... and one decrement: the count ends 2 short
  const Integrity i = runtime_.audit_and_tear_down(seen, Runtime::Counts::witnessed);
  EXPECT_EQ(*i.lost_increments, 3u);
  EXPECT_EQ(*i.lost_decrements, 1u);
  EXPECT_EQ(i.truth->count_deficit, 2);
}

// A release that was never made (dropped, or orphaned: its sender was gone) leaves its
// reference: the ledger must find that decrement missing. Releases counted as never made
// that the ledger does not see are a harness bug.
TEST_F(GroundTruthTest, EachReleaseNeverMadeIsALostDecrement) {
  Object& o = object(0, 1);
  Ledger::taken(runtime_.ledger_row(0), o);
  ++o.refcount;
  Ledger::dropped(runtime_.ledger_row(1), o);  // the receiver let go: its release was orphaned
  Tally seen;
  seen.orphaned_releases = 1;
  seen.object_releases_lost = 1;
  const Integrity i = runtime_.audit_and_tear_down(seen, Runtime::Counts::kept);
  EXPECT_EQ(*i.lost_decrements, 1u);
  EXPECT_EQ(*i.lost_increments, 0u);
  EXPECT_EQ(i.truth->count_deficit, -1);
}

TEST_F(GroundTruthTest, AReleaseNeverMadeThatTheLedgerDoesNotSeeIsAMismatch) {
  Tally seen;  // claims an orphaned release, but every count is as the ledger says
  seen.orphaned_releases = 1;
  seen.object_releases_lost = 1;
  EXPECT_THROW(runtime_.audit_and_tear_down(seen, Runtime::Counts::kept), GroundTruthMismatch);
}

TEST_F(GroundTruthTest, AWitnessThatDisagreesIsAMismatch) {
  Ledger::taken(runtime_.ledger_row(0), object(1, 0));
  Tally seen;  // saw nothing, but the count is one short
  EXPECT_THROW(runtime_.audit_and_tear_down(seen, Runtime::Counts::witnessed), GroundTruthMismatch);
}

// An object found freed before teardown must have been counted as a premature free.
TEST_F(GroundTruthTest, FreedObjectsMustMatchThePrematureFrees) {
  Tally seen;
  counting::free_object(object(0, 0), seen);
  object(0, 0).refcount = 0;
  Ledger::dropped(runtime_.ledger_row(1), object(0, 0));  // the ledger agrees it went to zero
  EXPECT_EQ(seen.premature_frees, 1u);
  const Integrity i = runtime_.audit_and_tear_down(seen, Runtime::Counts::kept);
  EXPECT_EQ(i.truth->objects_freed, 1u);
  EXPECT_EQ(i.events.premature_frees, 1u);
}

TEST_F(GroundTruthTest, AnUncountedFreeIsAMismatch) {
  Tally seen;
  counting::free_object(object(1, 1), seen);
  const Tally none;  // the threads' tallies lost it
  EXPECT_THROW(runtime_.audit_and_tear_down(none, Runtime::Counts::not_kept), GroundTruthMismatch);
}

}  // namespace
}  // namespace refbench::workloads
