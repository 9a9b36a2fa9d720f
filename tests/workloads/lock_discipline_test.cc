// The interpreter locks as CPython keeps its GIL: held while a thread runs, let go where it
// would block or when another thread asks, and the CPython protocol's hand-over.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/workloads/hang_guard.h"
#include "workloads/interpreter_lock.h"
#include "workloads/point.h"

namespace refbench::workloads {
namespace {

using namespace std::chrono_literals;

PointConfig stream_of(Strategy s, std::uint64_t messages, std::uint32_t capacity) {
  PointConfig c;
  c.strategy = s;
  c.workload = Workload::stream;
  c.wait = WaitPolicy::yield;  // both threads may share one of the two PUs here
  c.messages = messages;
  c.warmup_messages = 0;
  c.channel_capacity = capacity;
  return c;
}

// With a channel that never fills, the sender never blocks, and nobody else asks for its
// lock: each interpreter's lock is taken once per phase, not once per message.
TEST(LockDiscipline, TheLockIsHeldAcrossARunOfMessages) {
  for (GilKind kind : kAllGilKinds) {
    PointConfig c = stream_of(Strategy::racy, 5'000, 8'192);
    c.gil = kind;
    const PointResult r = run_point(c, {});
    EXPECT_EQ(r.messages, 5'000u);
    // Two interpreters, two phases (warm-up and timed), one entry each; a receiver that
    // found the channel empty left and re-entered a few times more.
    EXPECT_GE(r.lock_acquisitions, 4u) << name(kind);
    EXPECT_LT(r.lock_acquisitions, 5'000u / 2) << name(kind);
  }
}

// A channel of one message makes every push and pop wait: each wait is taken outside the
// interpreter, so a thread lets go of its lock and takes it back around it.
TEST(LockDiscipline, TheLockIsDroppedOnAWouldBlock) {
  PointConfig c = stream_of(Strategy::racy, 2'000, 1);
  c.gil = GilKind::spin;
  const PointResult r = run_point(c, {});
  EXPECT_EQ(r.messages, 2'000u);
  EXPECT_GT(r.lock_acquisitions, 2'000u / 2);
}

// Free-threaded strategies take no interpreter lock at all.
TEST(LockDiscipline, FreeThreadedStrategiesTakeNoLock) {
  for (Strategy s : {Strategy::atomic, Strategy::biased, Strategy::immortal}) {
    const PointResult r = run_point(stream_of(s, 2'000, 4), {});
    EXPECT_EQ(r.lock_acquisitions, 0u) << name(s);
  }
}

// One lock for all (gil) is handed back and forth: correct counts under both kinds, and the
// views of civ closed inside the sender, each with its own lock held by its running thread.
TEST(LockDiscipline, SharedAndEnteredLocksStayCorrectUnderBothKinds) {
  HangGuard guard(120s);
  for (GilKind kind : kAllGilKinds) {
    for (Strategy s : {Strategy::gil, Strategy::civ, Strategy::civ_deferred}) {
      for (Workload w : {Workload::stream, Workload::pingpong}) {
        PointConfig c = stream_of(s, 2'000, 16);
        c.workload = w;
        c.gil = kind;
        c.switch_interval = 1ms;
        c.verify = true;
        const PointResult r = run_point(c, {});
        EXPECT_EQ(r.integrity.violations(), 0u) << name(s) << " " << name(kind);
        EXPECT_EQ(r.integrity.views_left_open, 0u);
      }
    }
  }
}

// Holds `lock` and polls its drop request as a running interpreter does at its safe
// points, until asked (or `limit`); then lets go and waits until another thread took it.
// Returns how long it held the lock after `start`.
std::chrono::steady_clock::duration hold_until_asked(InterpreterLock& lock,
                                                     std::chrono::steady_clock::time_point start,
                                                     std::chrono::steady_clock::duration limit) {
  while (!lock.drop_requested() && std::chrono::steady_clock::now() - start < limit) {
    std::this_thread::yield();
  }
  const auto held = std::chrono::steady_clock::now() - start;
  lock.unlock();  // FORCE_SWITCHING: returns once the waiter has the lock
  return held;
}

// CPython's protocol: a waiter waits one switch interval, then asks; the holder lets go at
// its next safe point, and does not take the lock back before the waiter has had it.
TEST(CpythonGil, AWaiterAsksAfterTheSwitchIntervalAndGetsTheLock) {
  HangGuard guard(60s);
  constexpr auto kInterval = 50ms;
  InterpreterLock lock(GilKind::cpython, WaitPolicy::block, kInterval);
  lock.lock();
  const auto start = std::chrono::steady_clock::now();
  std::thread waiter([&] {
    lock.lock();
    lock.unlock();
  });
  const auto held = hold_until_asked(lock, start, 30s);
  EXPECT_GE(lock.switches(), 2u) << "the holder's unlock returned before the waiter had the lock";
  waiter.join();
  // The request comes only after a whole interval without a switch; the hand-over right
  // after it (the bound is loose: a busy machine may be slow to wake the waiter).
  EXPECT_GE(held, kInterval);
  EXPECT_LT(held, kInterval + 10s);
  EXPECT_EQ(lock.switches(), 2u);
}

// The spin kind asks at once: the holder sees the request at its next safe point.
TEST(SpinGil, AWaiterAsksAtOnce) {
  HangGuard guard(60s);
  InterpreterLock lock(GilKind::spin, WaitPolicy::yield, 0ms);
  lock.lock();
  const auto start = std::chrono::steady_clock::now();
  std::thread waiter([&] {
    lock.lock();
    lock.unlock();
  });
  const auto held = hold_until_asked(lock, start, 30s);
  waiter.join();
  EXPECT_LT(held, 10s);
  EXPECT_EQ(lock.switches(), 2u);
}

// A holder that lets go while nobody asks does not wait for a switch.
TEST(CpythonGil, AnUnaskedUnlockDoesNotWait) {
  InterpreterLock lock(GilKind::cpython, WaitPolicy::block, 5ms);
  for (int i = 0; i < 1000; ++i) {
    lock.lock();
    EXPECT_FALSE(lock.drop_requested());
    lock.unlock();
  }
  EXPECT_EQ(lock.switches(), 1000u);
}

// The watchdog's abandon wakes a waiter of the CPython lock, which throws.
TEST(CpythonGil, AbandonWakesAWaiter) {
  HangGuard guard(60s);
  InterpreterLock lock(GilKind::cpython, WaitPolicy::block, 1s);
  lock.lock();
  std::thread waiter([&] { EXPECT_THROW(lock.lock(), LockAbandoned); });
  std::this_thread::sleep_for(20ms);
  lock.abandon();
  waiter.join();
}

}  // namespace
}  // namespace refbench::workloads
