#include "workloads/counting.h"

#include <gtest/gtest.h>

namespace refbench::workloads {
namespace {

// A fresh Object is as every pooled object starts: one reference, held by its heap.
TEST(Counting, FreeWhileTheHeapHoldsTheObjectIsPremature) {
  Object o;
  Tally t;
  counting::Plain::decref(o, t);
  EXPECT_EQ(o.state.load(), ObjectState::freed);
  EXPECT_EQ(t.premature_frees, 1u);
  EXPECT_EQ(t.double_frees, 0u);
}

TEST(Counting, FreeAfterTheHeapLetGoIsNormal) {
  Object o;
  o.held_by_heap.store(false);
  Tally t;
  counting::Atomic::decref(o, t);
  EXPECT_EQ(o.state.load(), ObjectState::freed);
  EXPECT_EQ(t.premature_frees, 0u);
}

TEST(Counting, ReachingZeroAgainIsADoubleFree) {
  Object o;
  Tally t;
  counting::Racy::decref(o, t);  // 1 -> 0: freed (premature)
  counting::Racy::incref(o);     // a use after free, made to the quarantined header
  counting::Racy::decref(o, t);  // 1 -> 0 again
  EXPECT_EQ(t.premature_frees, 1u);
  EXPECT_EQ(t.double_frees, 1u);
}

TEST(Counting, AccessToAFreedObjectIsCounted) {
  Object o;
  Tally t;
  counting::check_live(o, t);
  EXPECT_EQ(t.use_after_free, 0u);
  counting::Plain::decref(o, t);
  counting::check_live(o, t);
  counting::check_live(o, t);
  EXPECT_EQ(t.use_after_free, 2u);
}

TEST(Counting, EachKindCountsUpAndDownExactly) {
  Object plain, racy, atomic;
  Tally t;
  for (int i = 0; i < 10; ++i) {
    counting::Plain::incref(plain);
    counting::Racy::incref(racy);
    counting::Atomic::incref(atomic);
  }
  EXPECT_EQ(plain.refcount, 11);
  EXPECT_EQ(racy.refcount, 11);
  EXPECT_EQ(atomic.refcount, 11);
  for (int i = 0; i < 10; ++i) {
    counting::Plain::decref(plain, t);
    counting::Racy::decref(racy, t);
    counting::Atomic::decref(atomic, t);
  }
  EXPECT_EQ(plain.refcount, 1);
  EXPECT_EQ(racy.refcount, 1);
  EXPECT_EQ(atomic.refcount, 1);
  EXPECT_EQ(t.premature_frees + t.double_frees, 0u);
}

// The witness classifies what a store overwrote: the difference between the value it
// replaced and the value it loaded is the net of the other threads' updates in between.
TEST(Counting, WitnessedStoreSeesTheUpdatesItOverwrites) {
  counting::witness() = {};
  Object o;
  o.refcount = 5;  // two increments landed after this thread loaded 3
  counting::RacyWitnessed::store(o, 3, 4);
  EXPECT_EQ(o.refcount, 4);
  EXPECT_EQ(counting::witness().lost_increments, 2u);
  EXPECT_EQ(counting::witness().lost_decrements, 0u);
  o.refcount = 2;  // a decrement landed after this thread loaded 3
  counting::RacyWitnessed::store(o, 3, 4);
  EXPECT_EQ(counting::witness().lost_decrements, 1u);
  counting::RacyWitnessed::incref(o);  // nothing in between: nothing lost
  EXPECT_EQ(o.refcount, 5);
  EXPECT_EQ(counting::witness().lost_increments, 2u);
  EXPECT_EQ(counting::witness().lost_decrements, 1u);
  counting::witness() = {};
}

}  // namespace
}  // namespace refbench::workloads
