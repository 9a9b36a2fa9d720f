#include "workloads/point.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <type_traits>

#include "workloads/phase.h"
#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

constexpr std::uint64_t kMessages = 20'000;

PointConfig small_point(Strategy s, Workload w, WaitPolicy wait) {
  PointConfig c;
  c.strategy = s;
  c.workload = w;
  c.wait = wait;
  c.messages = kMessages;
  c.warmup_messages = 500;
  c.payload_bytes = 100;  // not a multiple of 8: the tail bytes are read too
  c.objects = 3;
  c.local_work = 2;
  c.channel_capacity = 16;
  c.verify = true;
  return c;
}

// Stamps taken inside a StampRate's interval turn into no more time than the interval
// itself took; an interval with no ticks holds no time.
TEST(StampRate, AnIntervalInsideTakesNoMoreThanTheWhole) {
  StampRate rate;
  const Clock::time_point before = Clock::now();
  rate.begin();
  const std::uint64_t first = stamp();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::uint64_t last = stamp();
  rate.end();
  const auto whole = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - before);
  EXPECT_EQ(rate.nanoseconds(0), 0u);
  EXPECT_LE(rate.nanoseconds(last - first), static_cast<std::uint64_t>(whole.count()) + 1);
  EXPECT_EQ(StampRate().nanoseconds(1000), 0u);
}

using PointParam = std::tuple<Strategy, Workload, WaitPolicy>;

class CorrectStrategy : public testing::TestWithParam<PointParam> {};

TEST_P(CorrectStrategy, KeepsEveryCountExact) {
  const auto [strategy, workload, wait] = GetParam();
  const PointResult r = run_point(small_point(strategy, workload, wait), {});
  const std::uint64_t per_send = workload == Workload::pingpong ? 2 : 1;
  EXPECT_EQ(r.messages, kMessages * per_send);
  EXPECT_GT(r.elapsed_seconds, 0);
  EXPECT_EQ(r.integrity.violations(), 0u);
  ASSERT_TRUE(r.integrity.lost_increments.has_value());
  EXPECT_EQ(*r.integrity.lost_increments, 0u);
  EXPECT_EQ(*r.integrity.lost_decrements, 0u);
  ASSERT_TRUE(r.integrity.truth.has_value());
  EXPECT_EQ(r.integrity.truth->count_deficit, 0);
  EXPECT_EQ(r.integrity.truth->objects_freed, 0u);
  EXPECT_EQ(r.integrity.leaks, 0u);
  EXPECT_EQ(r.integrity.views_left_open, 0u);
  EXPECT_EQ(r.integrity.events.resource_warnings, 0u);
  if (workload == Workload::pingpong) {
    EXPECT_EQ(r.round_trips, kMessages);
    EXPECT_EQ(r.round_trip_ns.size(), kMessages);
    // Each round trip was stamped inside the timed phase, on the sender's thread, and
    // turned into time at the rate stamps ran in that phase: together they fit in it
    // (1 ns of rounding each).
    std::uint64_t total_ns = 0;
    for (std::uint64_t ns : r.round_trip_ns) total_ns += ns;
    EXPECT_LE(static_cast<double>(total_ns), r.elapsed_seconds * 1e9 + kMessages);
  } else {
    EXPECT_TRUE(r.round_trip_ns.empty());
  }
}

// What each interpreter sent and received in the timed phase, recorded on its own thread:
// what its role's counter figures are per. End markers and the warm-up are not counted.
TEST(PointTraffic, EachThreadRecordsWhatItSentAndReceived) {
  constexpr std::uint64_t n = 300;
  auto traffic_of = [](Workload w, unsigned interpreters) {
    PointConfig c = small_point(Strategy::atomic, w, WaitPolicy::yield);
    c.messages = n;
    c.interpreters = interpreters;
    return run_point(c, {}).traffic;
  };
  using T = std::vector<Traffic>;
  EXPECT_EQ(traffic_of(Workload::stream, 2), (T{{n, 0}, {0, n}}));
  // Pingpong's starter also receives each answer; its partner also sends one.
  EXPECT_EQ(traffic_of(Workload::pingpong, 2), (T{{n, n}, {n, n}}));
  // A pipeline of 3 moves 2n hand-offs, but its first stage sends n and its last receives n.
  EXPECT_EQ(traffic_of(Workload::pipeline, 3), (T{{n, 0}, {n, n}, {0, n}}));
  EXPECT_EQ(traffic_of(Workload::fanout, 3), (T{{2 * n, 0}, {0, n}, {0, n}}));
  const T shuffle = traffic_of(Workload::shuffle, 3);
  ASSERT_EQ(shuffle.size(), 3u);
  for (const Traffic& t : shuffle) EXPECT_EQ(t.sent, n);
  std::uint64_t received = 0;
  for (const Traffic& t : shuffle) received += t.received;
  EXPECT_EQ(received, 3 * n);
}

// The seed's last case, end to end: each sender is torn down by its own thread right
// after its last send. Whatever receivers still hold keeps what it needs alive; nothing
// is freed while referenced, nothing leaks, and the ground truth agrees.
TEST_P(CorrectStrategy, SurvivesAnEarlyTeardown) {
  const auto [strategy, workload, wait] = GetParam();
  PointConfig c = small_point(strategy, workload, wait);
  c.teardown = Teardown::early;
  const PointResult r = run_point(c, {});
  EXPECT_EQ(r.integrity.violations(), 0u);
  EXPECT_EQ(r.integrity.leaks, 0u);
  EXPECT_EQ(*r.integrity.lost_increments + *r.integrity.lost_decrements, 0u);
}

std::string point_name(const testing::TestParamInfo<PointParam>& info) {
  const auto [s, w, p] = info.param;
  std::string text = std::string(name(s)) + "_" + std::string(name(w)) + "_" + std::string(name(p));
  std::replace(text.begin(), text.end(), '-', '_');  // test names allow no '-'
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    AllCorrect, CorrectStrategy,
    testing::Combine(testing::Values(Strategy::gil, Strategy::atomic, Strategy::biased,
                                     Strategy::civ, Strategy::civ_deferred, Strategy::immortal),
                     testing::Values(Workload::stream, Workload::pingpong),
                     testing::Values(WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::block)),
    point_name);

// Every strategy reads the same bytes for the same messages: a receiver that read a wrong
// or freed object would change the sum.
// (The N-interpreter shapes: tests/workloads/shapes_test.cc.)
TEST(Point, EveryStrategyReadsTheSamePayloads) {
  for (Workload w : {Workload::stream, Workload::pingpong}) {
    const std::uint64_t expected =
        run_point(small_point(Strategy::immortal, w, WaitPolicy::yield), {}).checksum;
    EXPECT_NE(expected, 0u);
    for (Strategy s : {Strategy::gil, Strategy::atomic, Strategy::biased, Strategy::civ,
                       Strategy::civ_deferred}) {
      EXPECT_EQ(run_point(small_point(s, w, WaitPolicy::yield), {}).checksum, expected)
          << name(s) << " " << name(w);
    }
  }
}

// racy races by design: it must run to the end, never crash, and its detectors must
// agree exactly with the ground truth (run_point throws GroundTruthMismatch otherwise):
// the lost increments minus the lost decrements are the counts' deficit against the
// ledger, and the premature frees are the objects found freed. Two threads on two cores
// race within a few runs; on one core they may never, and the test says so.
// This is the witnessed race (--verify=witness), where every lost update is seen.
TEST(Point, RacyLostUpdatesAreExactlyTheGroundTruth) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "racy needs two cores to race";
  PointConfig c = small_point(Strategy::racy, Workload::stream, WaitPolicy::spin);
  c.objects = 1;
  c.messages = 200'000;
  c.witness = true;
  for (int attempt = 0; attempt < 20; ++attempt) {
    const PointResult r = run_point(c, {});
    EXPECT_EQ(r.messages, c.messages);
    const Integrity& i = r.integrity;
    ASSERT_TRUE(i.truth.has_value());
    EXPECT_EQ(static_cast<std::int64_t>(*i.lost_increments) -
                  static_cast<std::int64_t>(*i.lost_decrements),
              i.truth->count_deficit);
    EXPECT_EQ(i.truth->objects_freed, i.events.premature_frees);
    if (*i.lost_increments + *i.lost_decrements < 100) continue;  // too few races to judge
    // Both kinds are lost, not just their net: the receiver's decrements overwrite the
    // sender's increments and the other way round.
    EXPECT_GT(*i.lost_increments, 0u);
    EXPECT_GT(*i.lost_decrements, 0u);
    EXPECT_GT(i.violations(), 0u);
    return;
  }
  ADD_FAILURE() << "20 racy runs on two cores lost fewer than 100 updates each";
}

// Under plain --verify racy runs as it runs unverified (the same strategy type: no store
// becomes an exchange), and its losses are checked against the per-thread ledger: the net
// (lost increments minus lost decrements) is exact, the split only a lower bound of each.
static_assert(std::is_same_v<RacyFor<false>, RacyStrategy>,
              "racy under --verify counts with the stores it has unverified");
TEST(Point, RacyUnderTheLedgerHasAnExactNetAndABoundedSplit) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "racy needs two cores to race";
  PointConfig c = small_point(Strategy::racy, Workload::stream, WaitPolicy::spin);
  c.objects = 1;
  c.messages = 200'000;
  for (int attempt = 0; attempt < 20; ++attempt) {
    const PointResult r = run_point(c, {});
    const Integrity& i = r.integrity;
    ASSERT_TRUE(i.truth.has_value());
    EXPECT_FALSE(i.lost_split_exact);
    EXPECT_EQ(static_cast<std::int64_t>(*i.lost_increments) -
                  static_cast<std::int64_t>(*i.lost_decrements),
              i.truth->count_deficit);
    EXPECT_EQ(i.truth->objects_freed, i.events.premature_frees);
    if (i.truth->count_deficit != 0) return;  // a race lost updates, and the net says so
  }
  ADD_FAILURE() << "20 racy runs on two cores lost no update on net";
}

// With 2 to 4 writers of one count (shuffle: each interpreter sends its own object to the
// others and releases theirs), the witness and the ledger agree exactly on the net of the
// lost updates (run_point throws GroundTruthMismatch otherwise), and a correct strategy
// loses nothing by the ledger's account.
TEST(Point, NetLostUpdatesAreExactOnTwoToFourWriters) {
  for (unsigned n = 2; n <= 4; ++n) {
    PointConfig c = small_point(Strategy::racy, Workload::shuffle, WaitPolicy::yield);
    c.interpreters = n;
    c.objects = 1;
    c.messages = 5'000;
    c.witness = true;
    const PointResult r = run_point(c, {});
    const Integrity& i = r.integrity;
    EXPECT_TRUE(i.lost_split_exact);
    EXPECT_EQ(static_cast<std::int64_t>(*i.lost_increments) -
                  static_cast<std::int64_t>(*i.lost_decrements),
              i.truth->count_deficit)
        << n << " writers";
    c.strategy = Strategy::atomic;
    c.witness = false;
    const PointResult exact = run_point(c, {});
    EXPECT_EQ(exact.integrity.truth->count_deficit, 0) << n << " writers";
    EXPECT_EQ(exact.integrity.violations(), 0u) << n << " writers";
  }
}

// The receiver starts late, so the sender has sent every message, and torn itself down,
// while all of them are still in the channel: under civ each is a view holding the
// sender alive; it finalises when the last closes.
TEST(Point, OpenViewsKeepAnEarlyTornDownSenderAliveUntilTheLastCloses) {
  for (Strategy s : {Strategy::civ, Strategy::civ_deferred, Strategy::atomic, Strategy::biased,
                     Strategy::gil, Strategy::immortal}) {
    PointConfig c = small_point(s, Workload::stream, WaitPolicy::yield);
    c.teardown = Teardown::early;
    c.messages = 100;
    c.channel_capacity = 256;  // more than the messages: the sender never waits
    c.warmup_messages = 0;
    ThreadHooks hooks;
    hooks.on_measure_begin = [](unsigned i) {
      if (i == 1) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    };
    const PointResult r = run_point(c, hooks);
    EXPECT_EQ(r.messages, 100u) << name(s);
    EXPECT_EQ(r.integrity.violations(), 0u) << name(s);
    EXPECT_EQ(r.integrity.leaks, 0u) << name(s);
    if (s == Strategy::civ || s == Strategy::civ_deferred) {
      EXPECT_GT(r.integrity.views_open_at_teardown, 0u) << "the receiver slept: views open";
      EXPECT_EQ(r.integrity.views_left_open, 0u);
    } else {
      EXPECT_EQ(r.integrity.views_open_at_teardown, 0u) << name(s) << " has no views";
    }
  }
}

// civ-deferred models CPython's bounded ring of pending calls: a request that finds the
// sender's queue full is dropped, and what it would have released leaks. Here the sender
// never drains during the run, so all but the first request are dropped; each shows up as
// a view left open and a lost decrement, and the sender is never finalised.
TEST(Point, AFullReleaseQueueDropsRequestsAndTheyLeak) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
  c.messages = 2000;
  c.warmup_messages = 0;
  c.release_queue = 1;
  c.drain_interval = 1'000'000;
  const PointResult r = run_point(c, {});
  const Integrity& i = r.integrity;
  EXPECT_EQ(r.messages, c.messages);
  EXPECT_GT(i.events.dropped_releases, 0u);
  EXPECT_LT(i.events.dropped_releases, c.messages);
  EXPECT_EQ(i.views_left_open, i.events.dropped_releases);
  EXPECT_EQ(*i.lost_decrements, i.events.dropped_releases) << "the ground truth sees each drop";
  EXPECT_EQ(*i.lost_increments, 0u);
  EXPECT_EQ(i.leaks, c.objects) << "the sender, held by the dropped views, never finalises";
}

// With the defaults (300 requests, a drain at every safe point, 100 a drain) nothing is
// dropped even when the receiver is far behind.
TEST(Point, TheDefaultReleaseQueueDropsNothing) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
  c.channel_capacity = 256;
  ThreadHooks hooks;
  hooks.on_measure_begin = [](unsigned i) {
    if (i == 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  const PointResult r = run_point(c, hooks);
  EXPECT_EQ(r.integrity.events.dropped_releases, 0u);
  EXPECT_EQ(r.integrity.violations(), 0u);
}

// CPython's main posts two pending calls per released memoryview, so its 300-call ring
// holds the releases of only 150 views: a receiver far behind a 256-message channel
// overflows it, where 3.13's one call per release does not (above).
// The receiver's head start is a sleep: on a loaded machine (a sanitizer build beside two
// others) the sender may not fill the channel in 20 ms, so a longer sleep gets a second and
// a third chance; one overflow shows the ring's size.
TEST(Point, MainsTwoCallsPerReleaseOverflowTheRingAtHalfTheViews) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
  c.channel_capacity = 256;
  c.cpython = CpythonVersion::main;
  std::uint64_t dropped = 0;
  for (const int head_start_ms : {20, 200, 1000}) {
    ThreadHooks hooks;
    hooks.on_measure_begin = [head_start_ms](unsigned i) {
      if (i == 1) std::this_thread::sleep_for(std::chrono::milliseconds(head_start_ms));
    };
    const PointResult r = run_point(c, hooks);
    dropped = r.integrity.events.dropped_releases;
    if (dropped == 0) continue;
    EXPECT_GT(r.integrity.violations(), 0u) << "each drop is a lost decrement under --verify";
    break;
  }
  EXPECT_GT(dropped, 0u) << "no overflow even with a 1 s head start";
}

// The pending calls an owner carries out per message: one per view released on 3.12 and
// 3.13, two on main (a ring roomy enough never to drop any). Views closed after the
// sender's thread finished (at most a channel's worth) are closed by their holders instead.
TEST(Point, PendingCallsPerMessageFollowTheCpythonVersion) {
  for (CpythonVersion v : kAllCpythonVersions) {
    PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
    c.cpython = v;
    c.release_queue = 100'000;
    const PointResult r = run_point(c, {});
    EXPECT_EQ(r.integrity.violations(), 0u) << name(v);
    const std::uint64_t per_release = pending_calls(v).per_release;
    const std::uint64_t views = c.messages + c.warmup_messages;
    EXPECT_LE(r.integrity.events.pending_calls, per_release * views) << name(v);
    EXPECT_GE(r.integrity.events.pending_calls, per_release * (views - c.channel_capacity - 1))
        << name(v);
  }
}

// A stream whose receiver starts only after the sender's thread has finished: every
// release is posted to an owner that no longer runs.
PointResult released_after_the_owner_stopped(PointConfig c) {
  c.warmup_messages = 0;
  c.messages = 64;
  c.channel_capacity = 128;  // the sender never waits: it sends all and stops
  std::promise<void> sender_done;
  std::shared_future<void> done = sender_done.get_future().share();
  ThreadHooks hooks;
  hooks.on_finish = [&](unsigned i) {
    if (i == 0) sender_done.set_value();
  };
  hooks.on_measure_begin = [&](unsigned i) {
    if (i == 1) done.wait();
  };
  return run_point(c, hooks);
}

// As CPython runs it, an interpreter whose thread stopped drains nothing: the releases wait
// in its ring until the interpreter is ended, and what does not fit is dropped (a leak).
TEST(Point, AnOwnerThatStoppedDrainsNothingUntilItsInterpreterEnds) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
  c.cpython = CpythonVersion::v3_13;  // a ring of 300: all 64 wait there
  PointResult r = released_after_the_owner_stopped(c);
  EXPECT_EQ(r.integrity.events.calls_at_end, 64u);
  EXPECT_EQ(r.integrity.events.pending_calls, 64u) << "every release made once, at the end";
  EXPECT_EQ(r.integrity.violations(), 0u);

  c.cpython = CpythonVersion::v3_12;  // a ring of 32: half of them are dropped
  r = released_after_the_owner_stopped(c);
  EXPECT_EQ(r.integrity.events.calls_at_end, 32u);
  EXPECT_EQ(r.integrity.events.dropped_releases, 32u);
  EXPECT_EQ(r.integrity.views_left_open, 32u);
  EXPECT_EQ(*r.integrity.lost_decrements, 32u) << "the ground truth sees each drop";
}

// refbench's departure (--drain-interval, --release-*): the owner's thread releases what is
// pending as it stops, and a view closed later enters the sender as civ's close does.
TEST(Point, OffCpythonsPathLateClosesEnterTheSender) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
  c.cpython = CpythonVersion::v3_12;
  c.drain_interval = 2;
  const PointResult r = released_after_the_owner_stopped(c);
  EXPECT_EQ(r.integrity.events.calls_at_end, 0u);
  EXPECT_EQ(r.integrity.events.pending_calls, 0u);
  EXPECT_EQ(r.integrity.violations(), 0u);
}

// --view-owner id against strong under an early teardown, with every message still in
// flight when the sender is finalised: the receivers start only once the sending
// interpreter's thread has finished (its teardown done), and the channels hold every
// message. Stream (one pair), pipeline (a chain of 3: stage 1 receives the torn-down
// stage 0's objects) and fanout (0 broadcasts to 2 receivers).
PointResult received_after_the_sender_was_torn_down(PointConfig c) {
  c.teardown = Teardown::early;
  c.warmup_messages = 0;
  c.messages = 64;
  c.channel_capacity = 128;  // the sender never waits: it sends all and tears itself down
  c.interpreters = c.workload == Workload::stream ? 2 : 3;
  std::promise<void> sender_done;
  std::shared_future<void> done = sender_done.get_future().share();
  ThreadHooks hooks;
  hooks.on_finish = [&](unsigned i) {
    if (i == 0) sender_done.set_value();
  };
  hooks.on_measure_begin = [&](unsigned i) {
    if (i != 0) done.wait();
  };
  return run_point(c, hooks);
}

// Messages whose views are of the torn-down sender's objects (stage 1's, in a pipeline).
std::uint64_t views_of_the_sender(const PointConfig& c) {
  return c.workload == Workload::fanout ? 2 * 64u : 64u;
}

using OwnerParam = std::tuple<Strategy, Workload>;
class ViewOwnerUnderEarlyTeardown : public testing::TestWithParam<OwnerParam> {};

// CPython's view: the sender is finalised at its teardown, every later close is orphaned
// (each exactly one decrement the ledger finds missing), every read is of a finalised
// owner's buffer, and the sender's objects leak.
TEST_P(ViewOwnerUnderEarlyTeardown, IdViewsOrphanEveryReleaseExactly) {
  const auto [strategy, workload] = GetParam();
  PointConfig c = small_point(strategy, workload, WaitPolicy::yield);
  c.workload = workload;
  c.view_owner = ViewOwner::id;
  const PointResult r = received_after_the_sender_was_torn_down(c);
  const Integrity& i = r.integrity;
  const std::uint64_t orphaned = views_of_the_sender(c);
  EXPECT_EQ(i.events.orphaned_releases, orphaned);
  EXPECT_EQ(i.events.reads_after_owner_gone, orphaned);
  ASSERT_TRUE(i.lost_decrements.has_value());
  EXPECT_EQ(*i.lost_decrements, orphaned) << "each orphaned release is one lost decrement";
  EXPECT_EQ(*i.lost_increments, 0u);
  EXPECT_EQ(i.truth->count_deficit, -static_cast<std::int64_t>(orphaned));
  EXPECT_EQ(i.truth->decrements_missing, orphaned);
  EXPECT_EQ(i.views_left_open, orphaned) << "no export of the gone sender was released";
  EXPECT_EQ(i.leaks, c.objects) << "every pooled object of the sender is still referenced";
  EXPECT_EQ(i.views_open_at_teardown, orphaned);
  EXPECT_EQ(i.events.dropped_releases, 0u);
  EXPECT_EQ(i.events.premature_frees + i.events.use_after_free + i.events.double_frees, 0u);
  EXPECT_EQ(i.violations(), 4 * orphaned + c.objects);
}

// The seed's view: the sender, held by every open view, is finalised only when the last
// closes; nothing is orphaned, nothing is read after its owner is gone, nothing leaks.
TEST_P(ViewOwnerUnderEarlyTeardown, StrongViewsKeepTheSenderUntilTheLastCloses) {
  const auto [strategy, workload] = GetParam();
  PointConfig c = small_point(strategy, workload, WaitPolicy::yield);
  c.workload = workload;
  c.view_owner = ViewOwner::strong;
  const PointResult r = received_after_the_sender_was_torn_down(c);
  const Integrity& i = r.integrity;
  EXPECT_EQ(i.views_open_at_teardown, views_of_the_sender(c));
  EXPECT_EQ(i.events.orphaned_releases, 0u);
  EXPECT_EQ(i.events.reads_after_owner_gone, 0u);
  EXPECT_EQ(*i.lost_decrements + *i.lost_increments, 0u);
  EXPECT_EQ(i.leaks, 0u);
  EXPECT_EQ(i.violations(), 0u);
}

std::string owner_param_name(const testing::TestParamInfo<OwnerParam>& param) {
  std::string text = std::string(name(std::get<0>(param.param))) + "_" +
                     std::string(name(std::get<1>(param.param)));
  std::replace(text.begin(), text.end(), '-', '_');  // test names allow no '-'
  return text;
}

INSTANTIATE_TEST_SUITE_P(Views, ViewOwnerUnderEarlyTeardown,
                         testing::Combine(testing::Values(Strategy::civ, Strategy::civ_deferred),
                                          testing::Values(Workload::stream, Workload::pipeline,
                                                          Workload::fanout)),
                         owner_param_name);

// Without holding the receivers back: however many views were still open when the sender
// went, the ledger agrees exactly (run_point throws GroundTruthMismatch otherwise), and at
// --teardown end both owners are clean, for every shape and CPython version.
TEST(Point, IdViewsAreExactWhateverTheInterleavingAndCleanAtTheEnd) {
  for (Strategy s : {Strategy::civ, Strategy::civ_deferred}) {
    for (Workload w : {Workload::stream, Workload::pingpong, Workload::pipeline, Workload::fanout,
                       Workload::shuffle}) {
      for (ViewOwner owner : kAllViewOwners) {
        PointConfig c = small_point(s, w, WaitPolicy::yield);
        c.interpreters = w == Workload::stream || w == Workload::pingpong ? 2 : 3;
        c.messages = 2000;
        c.view_owner = owner;
        const std::string what =
            std::string(name(s)) + " " + std::string(name(w)) + " " + std::string(name(owner));
        const Integrity end = run_point(c, {}).integrity;
        EXPECT_EQ(end.violations(), 0u) << what << " at the end";
        if (w == Workload::shuffle) continue;  // no early teardown
        c.teardown = Teardown::early;
        const Integrity early = run_point(c, {}).integrity;
        EXPECT_EQ(*early.lost_decrements, early.events.orphaned_releases) << what;
        EXPECT_EQ(*early.lost_increments, 0u) << what;
        EXPECT_EQ(early.views_left_open, early.events.orphaned_releases) << what;
        if (owner == ViewOwner::strong) {
          EXPECT_EQ(early.violations(), 0u) << what;
        }
      }
    }
  }
}

// CPython's two holes, counted apart, each next to what closes it. Every release comes
// after the owner's thread stopped (3.12: a ring of 32 for 64 releases).
TEST(Point, CpythonsTwoHolesAreCountedApart) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::stream, WaitPolicy::yield);
  c.cpython = CpythonVersion::v3_12;
  c.view_owner = ViewOwner::id;
  // The owner lives until the end, its ring overflows: dropped, not orphaned.
  Integrity i = released_after_the_owner_stopped(c).integrity;
  EXPECT_EQ(i.events.dropped_releases, 32u);
  EXPECT_EQ(i.events.orphaned_releases, 0u);
  EXPECT_EQ(*i.lost_decrements, 32u);
  // The owner was finalised: no ring takes a release any more, every one is orphaned.
  c.teardown = Teardown::early;
  i = released_after_the_owner_stopped(c).integrity;
  EXPECT_EQ(i.events.dropped_releases, 0u);
  EXPECT_EQ(i.events.orphaned_releases, 64u);
  EXPECT_EQ(*i.lost_decrements, 64u);
  // The seed's strong view keeps the owner: nothing orphaned, but the ring still overflows.
  c.view_owner = ViewOwner::strong;
  i = released_after_the_owner_stopped(c).integrity;
  EXPECT_EQ(i.events.orphaned_releases, 0u);
  EXPECT_EQ(i.events.dropped_releases, 32u);
  // The seed's close enters the owner: no ring to overflow, no owner gone.
  c.strategy = Strategy::civ;
  i = released_after_the_owner_stopped(c).integrity;
  EXPECT_EQ(i.violations(), 0u);
}

// What a point allocates, counted before it runs (the harness refuses what does not fit).
TEST(Point, MemoryNeededCountsEveryPartOfAPoint) {
  PointConfig c = small_point(Strategy::civ_deferred, Workload::pingpong, WaitPolicy::spin);
  c.interpreters = 2;
  c.channel_capacity = 256;
  c.messages = 1000;
  c.verify = true;
  const PointMemory m = memory_needed(c);
  EXPECT_DOUBLE_EQ(m.heaps, 2.0 * Heap::bytes_for(c.objects, c.payload_bytes));
  EXPECT_DOUBLE_EQ(m.channels, 2.0 * (257 * sizeof(Message) + 6 * kCacheLine))
      << "pingpong: a channel each way";
  EXPECT_DOUBLE_EQ(m.release_queues, 2.0 * 300 * sizeof(PendingQueue::Request))
      << "3.13's ring of 300 per interpreter";
  EXPECT_DOUBLE_EQ(m.thread_buffers, 2.0 * 2 * 1000 * sizeof(std::uint64_t));
  EXPECT_DOUBLE_EQ(m.ledger, 3.0 * 2 * c.objects * sizeof(std::int64_t));
  c.strategy = Strategy::atomic;
  c.workload = Workload::shuffle;
  c.interpreters = 4;
  c.verify = false;
  const PointMemory shuffle = memory_needed(c);
  EXPECT_DOUBLE_EQ(shuffle.channels, 12.0 * (257 * sizeof(Message) + 6 * kCacheLine));
  EXPECT_EQ(shuffle.release_queues + shuffle.thread_buffers + shuffle.ledger, 0);
}

TEST(Point, DurationModeStopsAtTheDeadline) {
  PointConfig c = small_point(Strategy::atomic, Workload::stream, WaitPolicy::yield);
  c.messages = 0;
  c.duration = std::chrono::milliseconds(50);
  const PointResult r = run_point(c, {});
  EXPECT_GE(r.elapsed_seconds, 0.05);
  EXPECT_LT(r.elapsed_seconds, 5.0);
  EXPECT_GT(r.messages, 0u);
}

TEST(Point, WithoutVerifyLostUpdatesAreUnknownNotZero) {
  PointConfig c = small_point(Strategy::atomic, Workload::stream, WaitPolicy::yield);
  c.verify = false;
  const Integrity i = run_point(c, {}).integrity;
  EXPECT_FALSE(i.lost_increments.has_value());
  EXPECT_FALSE(i.lost_decrements.has_value());
  EXPECT_FALSE(i.truth.has_value());
}

TEST(Point, HooksRunOnEveryInterpreterThread) {
  std::atomic<int> started{0}, heaps{0}, finished{0};
  ThreadHooks hooks;
  hooks.on_start = [&](unsigned) { ++started; };
  hooks.on_heap = [&](unsigned, std::span<std::byte> heap) {
    EXPECT_FALSE(heap.empty());
    ++heaps;
  };
  hooks.on_finish = [&](unsigned) { ++finished; };
  run_point(small_point(Strategy::civ, Workload::pingpong, WaitPolicy::yield), hooks);
  EXPECT_EQ(started, 2);
  EXPECT_EQ(heaps, 2);
  EXPECT_EQ(finished, 2);
}

// A failing hook (a PU that cannot be bound) stops the point and reaches the caller; the
// other thread is not left waiting on a channel or a barrier.
TEST(Point, AHookThatThrowsFailsThePointWithoutHanging) {
  for (unsigned failing : {0u, 1u}) {
    for (WaitPolicy wait : kAllWaitPolicies) {
      ThreadHooks hooks;
      hooks.on_start = [failing](unsigned i) {
        if (i == failing) throw std::runtime_error("cannot bind");
      };
      EXPECT_THROW(run_point(small_point(Strategy::civ, Workload::stream, wait), hooks),
                   std::runtime_error);
    }
  }
  ThreadHooks late;
  late.on_finish = [](unsigned i) {
    if (i == 1) throw std::runtime_error("moved");
  };
  EXPECT_THROW(run_point(small_point(Strategy::gil, Workload::pingpong, WaitPolicy::block), late),
               std::runtime_error);
}

// Independent pairs: 2k sends to 2k+1. Every pair does its own messages.
TEST(Point, RunsSeveralPairsAtOnce) {
  for (Workload w : {Workload::stream, Workload::pingpong}) {
    for (Strategy s : {Strategy::gil, Strategy::civ}) {
      PointConfig c = small_point(s, w, WaitPolicy::yield);
      c.interpreters = 6;
      c.messages = 2000;
      const PointResult r = run_point(c, {});
      const std::uint64_t per_send = w == Workload::pingpong ? 2 : 1;
      EXPECT_EQ(r.messages, 3 * per_send * c.messages) << name(s) << " " << name(w);
      EXPECT_EQ(r.integrity.violations(), 0u);
      if (w == Workload::pingpong) {
        EXPECT_EQ(r.round_trip_ns.size(), 3 * c.messages);
      }
    }
  }
}

TEST(Point, PairsAreTheLinks) {
  using Links = std::vector<std::pair<unsigned, unsigned>>;
  EXPECT_EQ(links(Workload::stream, 2), (Links{{0, 1}}));
  EXPECT_EQ(links(Workload::pingpong, 6), (Links{{0, 1}, {2, 3}, {4, 5}}));
  EXPECT_EQ(interpreters_problem(Workload::stream, 4), "");
  EXPECT_EQ(interpreters_problem(Workload::pingpong, 3),
            "pingpong runs pairs of interpreters: 3 is not allowed (allowed: an even count, 2 or "
            "more)");
  EXPECT_NE(interpreters_problem(Workload::stream, 0), "");
}

TEST(Point, RejectsAPointWithNothingToRun) {
  PointConfig c = small_point(Strategy::gil, Workload::stream, WaitPolicy::spin);
  c.messages = 0;
  EXPECT_THROW(run_point(c, {}), std::invalid_argument);
  c.messages = 1;
  c.objects = 0;
  EXPECT_THROW(run_point(c, {}), std::invalid_argument);
  c.objects = 1;
  c.interpreters = 3;
  EXPECT_THROW(run_point(c, {}), std::invalid_argument);
}

}  // namespace
}  // namespace refbench::workloads
