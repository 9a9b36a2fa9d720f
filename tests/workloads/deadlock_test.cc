// No deadlock, and no hang: civ closes crossing in both directions and around a ring, and
// the watchdog that gives up on a stalled point.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "tests/workloads/hang_guard.h"
#include "workloads/channel.h"
#include "workloads/point.h"
#include "workloads/runtime.h"
#include "workloads/strategies.h"
#include "workloads/watchdog.h"

namespace refbench::workloads {
namespace {

using namespace std::chrono_literals;

PointConfig civ_config(unsigned objects) {
  PointConfig c;
  c.strategy = Strategy::civ;
  c.objects = objects;
  c.payload_bytes = 16;
  c.messages = 1;
  c.wait = WaitPolicy::yield;
  return c;
}

// N interpreters in a ring, each on its own thread: interpreter i opens views of its
// objects for i+1 and closes the views i-1 opened for it, all at once. Each close enters
// the sender's interpreter (with its own left), so with two interpreters every close
// crosses another going the other way. A thread never holds two interpreter locks, so
// none can wait for a lock held by a thread that waits for its own.
void close_around_a_ring(unsigned n, std::uint64_t rounds) {
  Runtime runtime(civ_config(4), n, false, &CivStrategy::drop_heap_reference);
  std::vector<std::unique_ptr<Channel<Message>>> to_next;
  for (unsigned i = 0; i < n; ++i) {
    to_next.push_back(std::make_unique<Channel<Message>>(8, WaitPolicy::yield));
  }
  std::vector<Tally> tallies(n);
  {
    HangGuard guard(60s);
    std::vector<std::jthread> threads;
    for (unsigned i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        runtime.make_heap(i, [](auto) {});
        Interpreter& self = runtime.interpreter(i);
        Channel<Message>& out = *to_next[i];
        Channel<Message>& in = *to_next[(i + n - 1) % n];
        for (std::uint64_t r = 0; r < rounds; ++r) {
          {
            Entered inside(self);
            ASSERT_TRUE(out.push(CivStrategy::send(self, self.heap().pooled(r % 4), tallies[i])));
          }
          Message m;
          ASSERT_TRUE(in.pop(m));
          Entered inside(self);
          View view = CivStrategy::receive(self, m, tallies[i]);
          CivStrategy::release(view, tallies[i]);
        }
      });
    }
  }
  Tally all;
  for (const Tally& t : tallies) all += t;
  const Integrity integrity = runtime.audit_and_tear_down(all, Runtime::Counts::kept);
  EXPECT_EQ(integrity.violations(), 0u);
  EXPECT_EQ(integrity.events.resource_warnings, 0u);
}

TEST(NoDeadlock, TwoInterpretersClosingEachOthersViewsAtOnce) { close_around_a_ring(2, 20'000); }

TEST(NoDeadlock, ARingOfEightInterpretersClosingAtOnce) { close_around_a_ring(8, 5'000); }

// Abandoning a lock wakes every waiter, by every policy, with LockAbandoned.
TEST(NoHang, AnAbandonedLockStopsItsWaiters) {
  for (WaitPolicy policy : kAllWaitPolicies) {
    InterpreterLock lock(policy);
    lock.lock();  // held, and never unlocked by this test: as if its holder were stuck
    auto waiter = std::async(std::launch::async, [&] {
      try {
        lock.lock();
      } catch (const LockAbandoned&) {
        return true;
      }
      return false;
    });
    EXPECT_EQ(waiter.wait_for(50ms), std::future_status::timeout) << "the lock is held";
    lock.abandon();
    ASSERT_EQ(waiter.wait_for(30s), std::future_status::ready) << name(policy);
    EXPECT_TRUE(waiter.get()) << name(policy);
  }
}

// Several threads asleep on one held lock (`block`, as under gil): abandoning it wakes every
// one of them with LockAbandoned, not only the first, whose exchange overwrites kAbandoned
// with "held with sleepers" (the value the others sleep on).
TEST(NoHang, AnAbandonedLockStopsEverySleeper) {
  HangGuard guard(60s);
  for (int round = 0; round < 20; ++round) {
    InterpreterLock lock(WaitPolicy::block);
    lock.lock();  // held, and never unlocked
    std::vector<std::future<bool>> waiters;
    for (int i = 0; i < 4; ++i) {
      waiters.push_back(std::async(std::launch::async, [&] {
        try {
          lock.lock();
        } catch (const LockAbandoned&) {
          return true;
        }
        return false;
      }));
    }
    std::this_thread::sleep_for(20ms);  // long enough for them to spin out and sleep
    lock.abandon();
    for (auto& waiter : waiters) {
      ASSERT_EQ(waiter.wait_for(30s), std::future_status::ready) << "round " << round;
      EXPECT_TRUE(waiter.get()) << "round " << round;
    }
  }
}

// The receiver does not start for far longer than the stall timeout; the sender fills the
// channel and waits. The watchdog gives up and the point ends with PointStalled.
TEST(NoHang, TheWatchdogGivesUpOnAStalledPoint) {
  for (Strategy s : {Strategy::civ, Strategy::atomic}) {
    PointConfig c;
    c.strategy = s;
    c.wait = WaitPolicy::block;
    c.messages = 100'000;
    c.channel_capacity = 4;
    c.stall_timeout = 100ms;
    ThreadHooks hooks;
    hooks.on_measure_begin = [](unsigned i) {
      if (i == 1) std::this_thread::sleep_for(1500ms);
    };
    HangGuard guard(60s);
    EXPECT_THROW(run_point(c, hooks), PointStalled) << name(s);
  }
}

TEST(NoHang, AWatchedPointThatMovesIsNotGivenUp) {
  PointConfig c;
  c.strategy = Strategy::civ;
  c.wait = WaitPolicy::yield;
  c.messages = 20'000;
  c.stall_timeout = 2s;
  EXPECT_EQ(run_point(c, {}).integrity.violations(), 0u);
}

}  // namespace
}  // namespace refbench::workloads
