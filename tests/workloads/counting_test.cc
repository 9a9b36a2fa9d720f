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
  o.held_by_heap = false;
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

}  // namespace
}  // namespace refbench::workloads
