#include "workloads/biased.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

using counting::Biased;

// One object owned by this thread, in an interpreter whose queue this thread drains. The
// heap has let go of it (no premature frees to tell apart): the test holds its one reference.
class BiasedTest : public testing::Test {
 protected:
  BiasedTest() : lock_(WaitPolicy::yield), owner_(0, lock_, [](Object&, Tally&) {}) {
    object_.owner = &owner_;
    object_.owner_thread = counting::this_thread_token();
    object_.held_by_heap.store(false);
  }

  // Runs `body` on another thread, which is never the object's owner.
  template <class Body>
  void elsewhere(Body body) {
    std::thread(body).join();
  }
  void drain() { BiasedStrategy::at_safe_point(owner_, tally_, 1000); }
  std::int64_t shared_count() const { return object_.shared_refcount >> Biased::kShift; }
  std::int64_t flags() const { return object_.shared_refcount & Biased::kFlags; }
  bool freed() const { return object_.state.load() == ObjectState::freed; }

  InterpreterLock lock_;
  Interpreter owner_;
  Object object_;
  Tally tally_;
};

TEST_F(BiasedTest, TheOwnerCountsLocallyEveryoneElseInShared) {
  Biased::incref(object_);
  EXPECT_EQ(object_.refcount, 2);
  EXPECT_EQ(object_.shared_refcount, 0);
  elsewhere([&] { Biased::incref(object_); });
  EXPECT_EQ(object_.refcount, 2);
  EXPECT_EQ(shared_count(), 1);
  EXPECT_EQ(Biased::references(object_), 3);
}

// The reference the owner handed over is dropped by another thread: the shared count would
// go below zero, so the object is queued to its owner, which merges it at a safe point.
TEST_F(BiasedTest, ANonOwnerTakingSharedBelowZeroQueuesTheObjectToItsOwner) {
  Biased::incref(object_);  // the reference a message carries
  Tally receiver;
  elsewhere([&] { Biased::decref(object_, receiver); });
  EXPECT_EQ(flags(), Biased::kQueued);
  EXPECT_EQ(shared_count(), 0) << "the queue entry holds the dropped reference";
  EXPECT_TRUE(owner_.pending().has_pending());
  EXPECT_FALSE(freed());

  drain();
  EXPECT_FALSE(owner_.pending().has_pending());
  EXPECT_EQ(flags(), Biased::kMerged);
  EXPECT_EQ(object_.refcount, 0);
  EXPECT_EQ(shared_count(), 1) << "local 2 + shared 0 - the queued decrement";
  EXPECT_EQ(object_.owner_thread, 0u) << "merged: no owner any more";
  EXPECT_FALSE(freed());

  Biased::decref(object_, tally_);  // now on the shared path, even for the former owner
  EXPECT_TRUE(freed());
  EXPECT_EQ(tally_.double_frees + receiver.double_frees, 0u);
}

TEST_F(BiasedTest, ShortOfASharedDropTheSharedCountGoesNegative) {
  Biased::incref(object_);
  Biased::incref(object_);
  Tally receiver;
  elsewhere([&] {
    Biased::decref(object_, receiver);  // 0 -> queued
    Biased::decref(object_, receiver);  // queued -> -1
  });
  EXPECT_EQ(flags(), Biased::kQueued);
  EXPECT_EQ(shared_count(), -1);
  drain();
  EXPECT_EQ(shared_count(), 1);  // 3 local - 1 - the queued 1
  EXPECT_FALSE(freed());
}

// Deallocation only when both counts reach zero: the owner's local zero with shared
// references left gives up ownership; the last shared decrement frees.
TEST_F(BiasedTest, TheObjectIsFreedOnlyWhenBothCountsReachZero) {
  elsewhere([&] { Biased::incref(object_); });
  Biased::decref(object_, tally_);  // local 1 -> 0, shared 1
  EXPECT_FALSE(freed());
  EXPECT_EQ(flags(), Biased::kMerged);
  EXPECT_EQ(object_.owner_thread, 0u);
  Tally other;
  elsewhere([&] { Biased::decref(object_, other); });
  EXPECT_TRUE(freed());
  EXPECT_EQ(other.double_frees, 0u);
}

TEST_F(BiasedTest, WithNothingSharedTheOwnersLastDecrementFrees) {
  Biased::decref(object_, tally_);
  EXPECT_TRUE(freed());
  EXPECT_EQ(object_.shared_refcount, 0);
}

// As when a CPython thread state is deleted: what is queued is merged, and an object
// queued after that is merged by the thread that queues it.
TEST_F(BiasedTest, OnceTheOwnerHasGoneTheQueuingThreadMerges) {
  Biased::incref(object_);
  BiasedStrategy::owner_exits(owner_, tally_);
  Tally receiver;
  elsewhere([&] { Biased::decref(object_, receiver); });
  EXPECT_FALSE(owner_.pending().has_pending());
  EXPECT_EQ(flags(), Biased::kMerged);
  EXPECT_EQ(shared_count(), 1);
  EXPECT_FALSE(freed());
  elsewhere([&] { Biased::decref(object_, receiver); });
  EXPECT_TRUE(freed());
}

// Many threads count the same object at once while its owner counts and merges: every
// count survives (the sum is exact) and the object is freed once, by the last decrement.
TEST_F(BiasedTest, ConcurrentCountsAreExactAndTheLastDecrementFreesOnce) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 20'000;
  // The owner hands each thread kRounds references up front (as messages would).
  for (int i = 0; i < kThreads * kRounds; ++i) Biased::incref(object_);
  std::vector<Tally> tallies(kThreads);
  std::vector<std::thread> others;
  for (int t = 0; t < kThreads; ++t) {
    others.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        Biased::incref(object_);  // a borrowed reference taken and dropped...
        Biased::decref(object_, tallies[t]);
        Biased::decref(object_, tallies[t]);  // ...and the handed-over one dropped
      }
    });
  }
  for (int i = 0; i < 100'000; ++i) {
    BiasedStrategy::local_incref(object_);
    BiasedStrategy::local_decref(object_, tally_);
    drain();
  }
  for (auto& t : others) t.join();
  drain();
  EXPECT_EQ(Biased::references(object_), 1);
  EXPECT_FALSE(freed());
  Biased::decref(object_, tally_);
  EXPECT_TRUE(freed());
  std::uint64_t double_frees = tally_.double_frees;
  for (const Tally& t : tallies) double_frees += t.double_frees;
  EXPECT_EQ(double_frees, 0u);
}

}  // namespace
}  // namespace refbench::workloads
