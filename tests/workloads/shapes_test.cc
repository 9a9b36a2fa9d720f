// The N-interpreter shapes (pipeline, fanout, shuffle): who talks to whom, exact counts
// under every correct strategy, the same bytes read whatever the strategy, early teardown,
// and no deadlock or hang whatever the channel capacity and wait policy.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/workloads/hang_guard.h"
#include "workloads/point.h"
#include "workloads/watchdog.h"

namespace refbench::workloads {
namespace {

using namespace std::chrono_literals;
using Links = std::vector<std::pair<unsigned, unsigned>>;

constexpr std::uint64_t kMessages = 1500;
constexpr std::uint64_t kWarmup = 200;
constexpr std::uint32_t kPayload = 100;  // not a multiple of 8: the tail bytes count too
constexpr std::uint32_t kObjects = 3;

constexpr std::array<Workload, 3> kShapes = {Workload::pipeline, Workload::fanout,
                                             Workload::shuffle};
constexpr std::array<Strategy, 6> kCorrect = {Strategy::gil,          Strategy::atomic,
                                              Strategy::biased,       Strategy::civ,
                                              Strategy::civ_deferred, Strategy::immortal};

PointConfig shape_point(Strategy s, Workload w, unsigned n) {
  PointConfig c;
  c.strategy = s;
  c.workload = w;
  c.interpreters = n;
  // More threads than this machine may have PUs, and no pinning: never spin here.
  c.wait = WaitPolicy::yield;
  c.messages = kMessages;
  c.warmup_messages = kWarmup;
  c.payload_bytes = kPayload;
  c.objects = kObjects;
  c.local_work = 2;
  c.channel_capacity = 16;
  // civ-deferred drops what does not fit in a sender's queue (as CPython does: a leak); with
  // n interpreters CPython's 300 can be too few.
  c.release_queue = release_queue_that_never_fills(n, c.channel_capacity, c.drain_interval) + 300;
  c.verify = true;
  return c;
}

// Hand-offs the protocol makes in one phase of `sends` (what --messages counts).
std::uint64_t hand_offs(Workload w, unsigned n, std::uint64_t sends) {
  switch (w) {
    case Workload::pipeline:  // the first stage's sends, passed on by every stage but the last
    case Workload::fanout:    // each broadcast reaches every receiver
      return (n - 1) * sends;
    case Workload::shuffle:  // every interpreter sends `sends`
      return n * sends;
    default:
      throw std::logic_error("not an N-interpreter shape");
  }
}

// What a receiver adds to its checksum for pooled object i: every payload byte is
// 0x5a ^ i (Heap::initialise), read as little-endian 64-bit words, then the tail bytes.
std::uint64_t payload_sum(std::uint32_t i) {
  std::vector<std::byte> payload(kPayload, static_cast<std::byte>(0x5a ^ (i & 0xff)));
  std::uint64_t sum = 0;
  std::size_t at = 0;
  for (; at + 8 <= payload.size(); at += 8) {
    std::uint64_t word;
    std::memcpy(&word, payload.data() + at, sizeof word);
    sum += word;
  }
  for (; at < payload.size(); ++at) sum += static_cast<std::uint64_t>(payload[at]);
  return sum;
}

// Every interpreter that sends sends its pooled objects in turn, through both phases, and
// every message sent is received once: each shape's checksum over warm-up and timed phase.
std::uint64_t expected_checksum(Workload w, unsigned n) {
  std::uint64_t one_sender = 0;  // one interpreter's sends, in the order it makes them
  for (std::uint64_t s = 0; s < kWarmup + kMessages; ++s) {
    one_sender += payload_sum(static_cast<std::uint32_t>(s % kObjects));
  }
  return one_sender * hand_offs(w, n, 1);  // pipeline: n-1 stages; fanout: n-1 copies
}

using ShapeParam = std::tuple<Workload, unsigned, Teardown>;

class ShapeUnderEveryCorrectStrategy : public testing::TestWithParam<ShapeParam> {};

// Conservation: every message the protocol sends is received, once, and counted; every
// count is exact against the ledger; every strategy reads the same bytes.
TEST_P(ShapeUnderEveryCorrectStrategy, KeepsEveryCountAndReadsTheSameBytes) {
  const auto [workload, n, teardown] = GetParam();
  const std::uint64_t checksum = expected_checksum(workload, n);
  for (Strategy s : kCorrect) {
    PointConfig c = shape_point(s, workload, n);
    c.teardown = teardown;
    HangGuard guard(300s);
    const PointResult r = run_point(c, {});
    const Integrity& i = r.integrity;
    EXPECT_EQ(r.messages, hand_offs(workload, n, kMessages)) << name(s);
    EXPECT_GT(r.elapsed_seconds, 0) << name(s);
    EXPECT_EQ(r.round_trips, 0u);
    EXPECT_TRUE(r.round_trip_ns.empty());
    EXPECT_EQ(r.checksum, checksum) << name(s);
    EXPECT_EQ(i.violations(), 0u) << name(s);
    EXPECT_EQ(i.leaks, 0u) << name(s);
    EXPECT_EQ(i.views_left_open, 0u) << name(s);
    EXPECT_EQ(i.events.resource_warnings, 0u) << name(s);
    ASSERT_TRUE(i.lost_increments.has_value());
    EXPECT_EQ(*i.lost_increments + *i.lost_decrements, 0u) << name(s);
    ASSERT_TRUE(i.truth.has_value());
    // immortal keeps no counts: the ledger's record of a heap let go early has no
    // counterpart in them.
    if (s != Strategy::immortal) {
      EXPECT_EQ(i.truth->count_deficit, 0) << name(s);
    }
    if (teardown == Teardown::end) {
      EXPECT_EQ(i.truth->objects_freed, 0u) << name(s);
    }
  }
}

std::string shape_name(const testing::TestParamInfo<ShapeParam>& info) {
  const auto [w, n, t] = info.param;
  return std::string(name(w)) + "_" + std::to_string(n) + "_teardown_" + std::string(name(t));
}

INSTANTIATE_TEST_SUITE_P(PipelineAndFanout, ShapeUnderEveryCorrectStrategy,
                         testing::Combine(testing::Values(Workload::pipeline, Workload::fanout),
                                          testing::Values(2u, 3u, 4u),
                                          testing::Values(Teardown::end, Teardown::early)),
                         shape_name);
INSTANTIATE_TEST_SUITE_P(Shuffle, ShapeUnderEveryCorrectStrategy,
                         testing::Combine(testing::Values(Workload::shuffle),
                                          testing::Values(2u, 3u, 4u),
                                          testing::Values(Teardown::end)),
                         shape_name);

TEST(Shapes, LinksAreWhoSendsToWhom) {
  EXPECT_EQ(links(Workload::pipeline, 2), (Links{{0, 1}}));
  EXPECT_EQ(links(Workload::pipeline, 4), (Links{{0, 1}, {1, 2}, {2, 3}}));
  EXPECT_EQ(links(Workload::fanout, 2), (Links{{0, 1}}));
  EXPECT_EQ(links(Workload::fanout, 4), (Links{{0, 1}, {0, 2}, {0, 3}}));
  EXPECT_EQ(links(Workload::shuffle, 2), (Links{{0, 1}, {1, 0}}));
  EXPECT_EQ(links(Workload::shuffle, 3), (Links{{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}}));
  EXPECT_EQ(links(Workload::shuffle, 5).size(), 20u);
}

TEST(Shapes, RolesSayWhatEachInterpreterDoes) {
  EXPECT_EQ(role(Workload::pipeline, 0, 4), Role::sender);
  EXPECT_EQ(role(Workload::pipeline, 1, 4), Role::relay);
  EXPECT_EQ(role(Workload::pipeline, 2, 4), Role::relay);
  EXPECT_EQ(role(Workload::pipeline, 3, 4), Role::receiver);
  EXPECT_EQ(role(Workload::pipeline, 1, 2), Role::receiver);
  EXPECT_EQ(role(Workload::fanout, 0, 3), Role::sender);
  EXPECT_EQ(role(Workload::fanout, 1, 3), Role::receiver);
  EXPECT_EQ(role(Workload::fanout, 2, 3), Role::receiver);
  for (unsigned i = 0; i < 3; ++i) EXPECT_EQ(role(Workload::shuffle, i, 3), Role::peer);
  EXPECT_EQ(role(Workload::stream, 2, 4), Role::sender);
  EXPECT_EQ(role(Workload::pingpong, 3, 4), Role::receiver);
}

TEST(Shapes, InterpreterCountsTheyCanRun) {
  for (Workload w : kShapes) {
    for (unsigned n : {2u, 3u, 4u, 7u}) EXPECT_EQ(interpreters_problem(w, n), "") << name(w);
  }
  EXPECT_EQ(interpreters_problem(Workload::pipeline, 1),
            "pipeline runs a chain of interpreters: 1 is not allowed (allowed: 2 or more)");
  EXPECT_EQ(interpreters_problem(Workload::fanout, 1),
            "fanout runs one interpreter sending to the others: 1 is not allowed (allowed: 2 or "
            "more)");
  EXPECT_EQ(interpreters_problem(Workload::shuffle, 0),
            "shuffle runs interpreters sending to each other: 0 is not allowed (allowed: 2 or "
            "more)");
  EXPECT_NE(interpreters_problem(Workload::stream, 3), "") << "pairs only, as before";
}

TEST(Shapes, ShuffleHasNoSenderToTearDownEarly) {
  EXPECT_EQ(teardown_problem(Workload::shuffle, Teardown::early),
            "shuffle cannot tear down early: every interpreter sends and receives until the end, "
            "so none is a pure sender");
  EXPECT_EQ(teardown_problem(Workload::shuffle, Teardown::end), "");
  for (Workload w : {Workload::stream, Workload::pingpong, Workload::pipeline, Workload::fanout}) {
    EXPECT_EQ(teardown_problem(w, Teardown::early), "") << name(w);
  }
  PointConfig c = shape_point(Strategy::civ, Workload::shuffle, 3);
  c.teardown = Teardown::early;
  EXPECT_THROW(run_point(c, {}), std::invalid_argument);
  c.teardown = Teardown::end;
  c.interpreters = 1;
  EXPECT_THROW(run_point(c, {}), std::invalid_argument);
}

// All to all through channels of one message, four interpreters: every channel is full
// most of the time, and no wait policy may deadlock it.
TEST(Shapes, ShuffleFinishesThroughChannelsOfOneUnderEveryWaitPolicy) {
  for (WaitPolicy wait : kAllWaitPolicies) {
    for (Strategy s : {Strategy::civ, Strategy::atomic}) {
      PointConfig c = shape_point(s, Workload::shuffle, 4);
      c.wait = wait;
      c.channel_capacity = 1;
      // Four spinning threads on fewer PUs wait out scheduler slices: fewer messages.
      c.messages = wait == WaitPolicy::spin ? 100 : 1000;
      c.warmup_messages = 10;
      HangGuard guard(300s);
      const PointResult r = run_point(c, {});
      EXPECT_EQ(r.messages, 4 * c.messages) << name(wait) << " " << name(s);
      EXPECT_EQ(r.integrity.violations(), 0u) << name(wait) << " " << name(s);
    }
  }
}

// The sender tears itself down after its last send while every receiver still sleeps: under
// civ their open views keep it alive until the last closes.
TEST(Shapes, OpenViewsKeepAnEarlyTornDownRootOrFirstStageAlive) {
  for (Workload w : {Workload::pipeline, Workload::fanout}) {
    for (Strategy s : kCorrect) {
      PointConfig c = shape_point(s, w, 3);
      c.teardown = Teardown::early;
      c.messages = 50;
      c.warmup_messages = 0;
      c.channel_capacity = 256;  // the first interpreter never waits
      ThreadHooks hooks;
      hooks.on_measure_begin = [](unsigned i) {
        if (i != 0) std::this_thread::sleep_for(50ms);
      };
      const PointResult r = run_point(c, hooks);
      EXPECT_EQ(r.messages, 2 * c.messages) << name(w) << " " << name(s);
      EXPECT_EQ(r.integrity.violations(), 0u) << name(w) << " " << name(s);
      EXPECT_EQ(r.integrity.leaks, 0u) << name(w) << " " << name(s);
      if (s == Strategy::civ || s == Strategy::civ_deferred) {
        EXPECT_GT(r.integrity.views_open_at_teardown, 0u) << name(w);
        EXPECT_EQ(r.integrity.views_left_open, 0u) << name(w);
      }
    }
  }
}

TEST(Shapes, DurationModeStopsAtTheDeadline) {
  for (Workload w : kShapes) {
    PointConfig c = shape_point(Strategy::atomic, w, 3);
    c.messages = 0;
    c.duration = 50ms;
    const PointResult r = run_point(c, {});
    EXPECT_GE(r.elapsed_seconds, 0.05) << name(w);
    EXPECT_LT(r.elapsed_seconds, 10.0) << name(w);
    EXPECT_GT(r.messages, 0u) << name(w);
    EXPECT_EQ(r.integrity.violations(), 0u) << name(w);
  }
}

// One interpreter never starts its timed phase in time: the others fill their channels and
// wait. The watchdog gives up, whatever the shape and policy, and nothing hangs.
TEST(Shapes, TheWatchdogStopsAStalledShape) {
  for (Workload w : kShapes) {
    for (WaitPolicy wait : {WaitPolicy::yield, WaitPolicy::block}) {
      PointConfig c = shape_point(Strategy::civ, w, 3);
      c.wait = wait;
      c.messages = 100'000;
      c.channel_capacity = 4;
      c.stall_timeout = 100ms;
      ThreadHooks hooks;
      hooks.on_measure_begin = [](unsigned i) {
        if (i == 2) std::this_thread::sleep_for(800ms);
      };
      HangGuard guard(60s);
      EXPECT_THROW(run_point(c, hooks), PointStalled) << name(w) << " " << name(wait);
    }
  }
}

// A thread that fails (a PU that cannot be bound) cancels the shape: no other thread is
// left waiting on a channel, a doorbell or a barrier.
TEST(Shapes, AHookThatThrowsFailsThePointWithoutHanging) {
  for (Workload w : kShapes) {
    for (WaitPolicy wait : kAllWaitPolicies) {
      for (unsigned failing : {0u, 2u}) {
        ThreadHooks hooks;
        hooks.on_measure_begin = [failing](unsigned i) {
          if (i == failing) throw std::runtime_error("cannot count");
        };
        PointConfig c = shape_point(Strategy::atomic, w, 3);
        c.wait = wait;
        HangGuard guard(60s);
        EXPECT_THROW(run_point(c, hooks), std::runtime_error) << name(w) << " " << name(wait);
      }
    }
  }
}

}  // namespace
}  // namespace refbench::workloads
