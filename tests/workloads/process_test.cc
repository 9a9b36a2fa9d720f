// --isolation process: each interpreter a forked process over the point's shared region.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/thread_sanitizer.h"
#include "tests/workloads/hang_guard.h"
#include "workloads/channel.h"
#include "workloads/point.h"
#include "workloads/process_shared.h"
#include "workloads/shared_region.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {
namespace {

constexpr std::uint64_t kMessages = 5'000;

PointConfig process_point(Strategy s, Workload w) {
  PointConfig c;
  c.strategy = s;
  c.workload = w;
  c.wait = WaitPolicy::yield;  // two processes may share a PU on a small machine
  c.messages = kMessages;
  c.warmup_messages = 200;
  c.payload_bytes = 100;
  c.objects = 3;
  c.local_work = 2;
  c.channel_capacity = 16;
  c.verify = true;
  c.isolation = Isolation::process;
  c.stall_timeout = std::chrono::seconds(60);
  return c;
}

// The process ids of the calling process's children still in the process table (zombies
// included).
std::vector<int> children() {
  std::vector<int> found;
  const std::string self = std::to_string(getpid());
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    FILE* stat = std::fopen(("/proc/" + name + "/stat").c_str(), "r");
    if (stat == nullptr) continue;
    char buffer[512] = {};
    const std::size_t read = std::fread(buffer, 1, sizeof buffer - 1, stat);
    std::fclose(stat);
    const std::string line(buffer, read);
    // pid (comm) state ppid ...: the comm may hold spaces, so read from its last ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2 &&
        std::to_string(ppid) == self) {
      found.push_back(std::stoi(name));
    }
  }
  closedir(proc);
  return found;
}

// Entries of /dev/shm: a point must leave none (its region is a memfd).
std::vector<std::string> dev_shm() {
  std::vector<std::string> names;
  DIR* dir = opendir("/dev/shm");
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  return names;
}

using Param = std::tuple<Strategy, Workload>;

class EveryStrategyInProcesses : public testing::TestWithParam<Param> {};

// The same checks as thread mode's: every hand-off made, every count exact against the
// ground truth (the ledger rows the processes wrote in the shared region), nothing leaked,
// nothing freed early, no view left open; racy only loses updates, and exactly the ones the
// ledger finds.
TEST_P(EveryStrategyInProcesses, KeepsEveryCountExact) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(240));
  const auto [strategy, workload] = GetParam();
  const PointResult r = run_point(process_point(strategy, workload), {});
  const std::uint64_t per_send = workload == Workload::pingpong ? 2 : 1;
  EXPECT_EQ(r.messages, kMessages * per_send);
  EXPECT_GT(r.elapsed_seconds, 0);
  ASSERT_TRUE(r.integrity.truth.has_value());
  if (strategy != Strategy::racy) {
    EXPECT_EQ(r.integrity.violations(), 0u);
    EXPECT_EQ(*r.integrity.lost_increments, 0u);
    EXPECT_EQ(*r.integrity.lost_decrements, 0u);
    EXPECT_EQ(r.integrity.truth->count_deficit, 0);
    EXPECT_EQ(r.integrity.truth->objects_freed, 0u);
    EXPECT_EQ(r.integrity.leaks, 0u);
  }
  EXPECT_EQ(r.integrity.views_left_open, 0u);
  EXPECT_EQ(r.integrity.events.resource_warnings, 0u);
  if (workload == Workload::pingpong) {
    EXPECT_EQ(r.round_trips, kMessages);
    EXPECT_EQ(r.round_trip_ns.size(), kMessages);
  }
  EXPECT_TRUE(children().empty());
}

// Each sender torn down by its own process right after its last send, while receivers in
// other processes still hold its objects: nothing freed early, nothing leaked.
TEST_P(EveryStrategyInProcesses, SurvivesAnEarlyTeardown) {
  SKIP_UNDER_TSAN();
  const auto [strategy, workload] = GetParam();
  if (strategy == Strategy::racy) GTEST_SKIP() << "racy loses updates by design";
  const HangGuard guard(std::chrono::seconds(240));
  PointConfig c = process_point(strategy, workload);
  c.teardown = Teardown::early;
  const PointResult r = run_point(c, {});
  EXPECT_EQ(r.integrity.violations(), 0u);
  EXPECT_EQ(r.integrity.leaks, 0u);
  EXPECT_EQ(*r.integrity.lost_increments + *r.integrity.lost_decrements, 0u);
}

// The blocking wait sleeps on shared futexes: a sleeper in one process is woken by the
// other (a private futex would never be, and the point would stall).
TEST_P(EveryStrategyInProcesses, BlocksAndIsWokenAcrossProcesses) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(240));
  const auto [strategy, workload] = GetParam();
  PointConfig c = process_point(strategy, workload);
  c.wait = WaitPolicy::block;
  c.channel_capacity = 1;  // a sleep at nearly every hand-off
  c.messages = 2'000;
  const PointResult r = run_point(c, {});
  EXPECT_EQ(r.messages, c.messages * (workload == Workload::pingpong ? 2 : 1));
  if (strategy != Strategy::racy) {
    EXPECT_EQ(r.integrity.violations(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Isolation, EveryStrategyInProcesses,
                         testing::Combine(testing::ValuesIn(kAllStrategies),
                                          testing::Values(Workload::stream, Workload::pingpong,
                                                          Workload::fanout)),
                         [](const testing::TestParamInfo<Param>& p) {
                           std::string label = std::string(name(std::get<0>(p.param))) + "_" +
                                               std::string(name(std::get<1>(p.param)));
                           for (char& c : label) {
                             if (c == '-') c = '_';
                           }
                           return label;
                         });

// The region's allocator: a block given back is reused for the same size, a request past
// its end is refused, and operator new comes from it only inside a Scope.
TEST(SharedRegionAllocator, ReusesWhatWasGivenBackAndStaysInsideItsScope) {
  const void* gone = nullptr;
  {
    SharedRegion region(1 << 20);
    void* a = region.allocate(100, 16);
    EXPECT_TRUE(region.contains(a));
    EXPECT_TRUE(SharedRegion::in_any(a));
    region.deallocate(a);
    EXPECT_EQ(region.allocate(120, 16), a) << "the same size class, given back: reused";
    void* page = region.allocate(5000, 4096);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(page) % 4096, 0u);
    EXPECT_THROW(static_cast<void>(region.allocate(2 << 20, 16)), std::bad_alloc);
    int* inside = nullptr;
    {
      const SharedRegion::Scope scope(region);
      EXPECT_EQ(SharedRegion::active(), &region);
      inside = new int(7);
      EXPECT_TRUE(region.contains(inside));
    }
    EXPECT_EQ(SharedRegion::active(), nullptr);
    int* outside = new int(8);
    EXPECT_FALSE(SharedRegion::in_any(outside));
    delete outside;
    delete inside;  // given back to the region, outside the scope too
    gone = a;
  }
  EXPECT_FALSE(SharedRegion::in_any(gone)) << "a region unmapped is no region";
}

// A process-mode point reads the same payloads as a thread-mode one: the checksum is a sum
// over every byte received, so the messages and objects were the same.
TEST(Isolation, ProcessesReadTheSamePayloadsAsThreads) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  PointConfig c = process_point(Strategy::atomic, Workload::stream);
  const PointResult processes = run_point(c, {});
  c.isolation = Isolation::thread;
  const PointResult threads = run_point(c, {});
  EXPECT_EQ(processes.checksum, threads.checksum);
  EXPECT_EQ(processes.messages, threads.messages);
}

// Conservation on one shared channel between two processes: the producer process pushes
// 1..N, the consumer process pops them and writes their count and sum into the region.
TEST(Isolation, AChannelBetweenProcessesLosesAndDuplicatesNothing) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  constexpr std::uint64_t kItems = 200'000;
  SharedRegion region(64 << 20);
  Channel<std::uint64_t>* channel = nullptr;
  std::uint64_t* tallies = nullptr;  // received, sum, out of order
  {
    const SharedRegion::Scope scope(region);
    channel = new Channel<std::uint64_t>(8, WaitPolicy::block);
    tallies = new std::uint64_t[3]{};
  }
  const pid_t consumer = fork();
  if (consumer == 0) {
    std::uint64_t value = 0, expected = 1;
    while (tallies[0] < kItems && channel->pop(value)) {
      tallies[0] += 1;
      tallies[1] += value;
      if (value != expected) tallies[2] += 1;
      expected = value + 1;
    }
    _exit(0);
  }
  const pid_t producer = fork();
  if (producer == 0) {
    for (std::uint64_t v = 1; v <= kItems; ++v) {
      if (!channel->push(v)) _exit(1);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(producer, &status, 0), producer);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(waitpid(consumer, &status, 0), consumer);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(tallies[0], kItems);
  EXPECT_EQ(tallies[1], kItems * (kItems + 1) / 2);
  EXPECT_EQ(tallies[2], 0u);
}

// An interpreter process killed with SIGKILL in the middle of a point: the point fails with
// an error that names the interpreter, its process and the signal; no process is left
// behind, nothing in /dev/shm, and the next point runs as if nothing happened.
void expect_a_killed_interpreter_is_reported(Strategy strategy, Workload workload) {
  const HangGuard guard(std::chrono::seconds(120));
  const std::vector<std::string> shm_before = dev_shm();
  PointConfig c = process_point(strategy, workload);
  c.messages = 1'000'000;  // long enough that the kill lands mid-point
  ThreadHooks hooks;
  hooks.on_measure_begin = [](unsigned i) {
    if (i == 1) raise(SIGKILL);
  };
  try {
    run_point(c, hooks);
    ADD_FAILURE() << "a point whose interpreter was killed reported no error";
  } catch (const InterpreterProcessDied& e) {
    EXPECT_EQ(e.interpreter, 1u);
    EXPECT_EQ(e.signal, SIGKILL);
    EXPECT_GT(e.pid, 0);
    const std::string what = e.what();
    EXPECT_NE(what.find("interpreter process 1 (pid " + std::to_string(e.pid) + ")"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("SIGKILL"), std::string::npos) << what;
  }
  EXPECT_TRUE(children().empty());
  EXPECT_EQ(dev_shm(), shm_before);
  const PointResult after = run_point(process_point(strategy, workload), {});
  EXPECT_EQ(after.integrity.violations(), 0u);
}

TEST(Isolation, AKilledInterpreterProcessIsReportedAndNothingIsLeftBehind) {
  SKIP_UNDER_TSAN();
  expect_a_killed_interpreter_is_reported(Strategy::atomic, Workload::stream);
}

// Under gil every interpreter waits on one process-shared lock: the kill must not leave the
// survivor waiting for it.
TEST(Isolation, AKilledInterpreterUnderOneSharedLockHangsNoOne) {
  SKIP_UNDER_TSAN();
  expect_a_killed_interpreter_is_reported(Strategy::gil, Workload::pingpong);
}

// A flag every process of a point sees: mapped shared before the fork, so that hooks in two
// interpreter processes can order what they do (a kill after the other has sent).
class SharedFlag {
 public:
  SharedFlag()
      : page_(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)),
        word_(new (page_) std::atomic<int>(0)) {}
  SharedFlag(const SharedFlag&) = delete;
  SharedFlag& operator=(const SharedFlag&) = delete;
  ~SharedFlag() { munmap(page_, kPage); }

  // release/acquire: what the setter's process did before set() (its sends) happened
  // before what the waiter does after wait() (its kill).
  void set() { word_->store(1, std::memory_order_release); }
  // Waits for set(), in any process, at most a minute (then goes on: the test fails, not hangs).
  void wait() const {
    for (int ms = 0; ms < 60'000 && word_->load(std::memory_order_acquire) == 0; ++ms) {
      usleep(1000);
    }
  }

 private:
  static constexpr std::size_t kPage = 4096;
  void* page_;
  std::atomic<int>* word_;
};

// Runs a point one of whose interpreter processes the hooks kill: what it threw.
std::optional<InterpreterProcessDied> killed_point(const PointConfig& c, const ThreadHooks& hooks) {
  try {
    run_point(c, hooks);
  } catch (const InterpreterProcessDied& e) {
    return e;
  }
  ADD_FAILURE() << "a point whose interpreter was killed reported no error";
  return std::nullopt;
}

// The timed messages of the killed-stream tests: each a distinct object (as many objects as
// references), all fitting in the channel with the end marker (the sender never waits).
constexpr std::uint64_t kSent = 10;

PointConfig sends_distinct_objects(Strategy strategy) {
  PointConfig c = process_point(strategy, Workload::stream);
  c.messages = kSent;
  c.objects = 16;
  c.channel_capacity = 16;
  return c;
}

// Whatever a kill left, nothing was freed twice or early: the region goes whole.
void expect_nothing_freed_twice_or_early(const LeftBehind& left) {
  EXPECT_EQ(left.integrity.events.double_frees, 0u);
  EXPECT_EQ(left.integrity.events.premature_frees, 0u);
  EXPECT_EQ(left.integrity.events.use_after_free, 0u);
}

class AKilledReceiver : public testing::TestWithParam<Strategy> {};

// A stream's receiver is killed once its sender has sent all 10 timed messages (10 distinct
// objects) into a channel with room for them all: nothing will release the references those
// messages carry. What refbench counts after the point is exactly that: 10 objects still
// referenced, by 10 references, none of them the dead receiver's own; under civ each message
// is a view of the sender's objects, left open; nothing was freed twice or early. immortal
// counts no references, so none can be told.
TEST_P(AKilledReceiver, LeavesExactlyWhatItsChannelHeld) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  const Strategy strategy = GetParam();
  const PointConfig c = sends_distinct_objects(strategy);
  SharedFlag sent;
  ThreadHooks hooks;
  hooks.on_measure_end = [&sent](unsigned i) {
    if (i == 0) sent.set();
  };
  hooks.on_measure_begin = [&sent](unsigned i) {
    if (i != 1) return;
    sent.wait();
    raise(SIGKILL);
  };
  const std::optional<InterpreterProcessDied> died = killed_point(c, hooks);
  ASSERT_TRUE(died.has_value());
  EXPECT_EQ(died->interpreter, 1u);
  EXPECT_EQ(died->signal, SIGKILL);
  ASSERT_TRUE(died->left.has_value()) << died->what();
  const LeftBehind& left = *died->left;
  const bool counted = strategy != Strategy::immortal;
  EXPECT_EQ(left.counts_kept, counted);
  EXPECT_EQ(left.integrity.leaks, counted ? kSent : 0u) << died->what();
  EXPECT_EQ(left.references, counted ? kSent : 0u) << died->what();
  EXPECT_EQ(left.leaks_of_dead, 0u) << "the receiver's own objects were never sent";
  const bool views = traits(strategy).views;
  EXPECT_EQ(left.integrity.views_left_open, views ? kSent : 0u) << died->what();
  EXPECT_EQ(left.views_of_dead, 0u);
  expect_nothing_freed_twice_or_early(left);
  const std::string what = died->what();
  EXPECT_NE(what.find("interpreter process 1 (pid "), std::string::npos) << what;
  if (counted) {
    EXPECT_NE(what.find("left behind: 10 objects still referenced (10 references; 0 of the "
                        "objects interpreter 1's)"),
              std::string::npos)
        << what;
  }
  EXPECT_NE(what.find("0 double frees"), std::string::npos) << what;
  EXPECT_TRUE(children().empty());
}

// racy's counts may lose updates, and civ-deferred's releases may still wait in its queue:
// neither leaves an exact count of what the kill left.
INSTANTIATE_TEST_SUITE_P(Isolation, AKilledReceiver,
                         testing::Values(Strategy::gil, Strategy::atomic, Strategy::biased,
                                         Strategy::civ, Strategy::immortal),
                         [](const testing::TestParamInfo<Strategy>& p) {
                           return std::string(name(p.param));
                         });

class AKilledSender : public testing::TestWithParam<Strategy> {};

// A stream's sender is killed once it has sent its 10 timed messages (10 distinct objects of
// its own), while its receiver is stuck before its timed phase and does not stop when told
// (it is killed once the grace is over). What is left is the dead interpreter's: the 10
// references are to its objects, and under civ the 10 open views are of its objects.
TEST_P(AKilledSender, LeavesReferencesToItsOwnObjects) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  const Strategy strategy = GetParam();
  const PointConfig c = sends_distinct_objects(strategy);
  ThreadHooks hooks;
  hooks.on_measure_end = [](unsigned i) {
    if (i == 0) raise(SIGKILL);
  };
  hooks.on_measure_begin = [](unsigned i) {
    while (i == 1) pause();  // until SIGKILL, Crew::kGrace after the sender died
  };
  const std::optional<InterpreterProcessDied> died = killed_point(c, hooks);
  ASSERT_TRUE(died.has_value());
  EXPECT_EQ(died->interpreter, 0u) << "the receiver, killed later, is not the one reported";
  ASSERT_TRUE(died->left.has_value());
  const LeftBehind& left = *died->left;
  EXPECT_EQ(left.integrity.leaks, kSent) << died->what();
  EXPECT_EQ(left.references, kSent);
  EXPECT_EQ(left.leaks_of_dead, kSent);
  const std::uint64_t views = traits(strategy).views ? kSent : 0;
  EXPECT_EQ(left.integrity.views_left_open, views);
  EXPECT_EQ(left.views_of_dead, views);
  expect_nothing_freed_twice_or_early(left);
  EXPECT_TRUE(children().empty());
}

INSTANTIATE_TEST_SUITE_P(Isolation, AKilledSender, testing::Values(Strategy::atomic, Strategy::civ),
                         [](const testing::TestParamInfo<Strategy>& p) {
                           return std::string(name(p.param));
                         });

using LockParam = std::tuple<GilKind, WaitPolicy>;

class AKilledLockHolder : public testing::TestWithParam<LockParam> {};

// Under gil interpreter 1 is killed inside the one shared lock, as its timed phase starts,
// and only then does interpreter 0 ask for the lock to send: it must not wait for ever (the
// lock is abandoned once refbench sees the death), and, having sent nothing, it leaves
// nothing referenced.
TEST_P(AKilledLockHolder, HangsNoOneAndLeavesNothing) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  const auto [gil, policy] = GetParam();
  PointConfig c = process_point(Strategy::gil, Workload::pingpong);
  c.gil = gil;
  c.wait = policy;
  SharedFlag inside;
  ThreadHooks hooks;
  hooks.inside_at_measure_begin = [&inside](unsigned i) {
    if (i != 1) return;
    inside.set();
    raise(SIGKILL);
  };
  hooks.on_measure_begin = [&inside](unsigned i) {
    if (i == 0) inside.wait();
  };
  const std::optional<InterpreterProcessDied> died = killed_point(c, hooks);
  ASSERT_TRUE(died.has_value());
  EXPECT_EQ(died->interpreter, 1u) << died->what();
  ASSERT_TRUE(died->left.has_value());
  EXPECT_EQ(died->left->integrity.leaks, 0u) << died->what();
  EXPECT_EQ(died->left->references, 0u);
  EXPECT_EQ(died->left->integrity.events.double_frees, 0u);
  EXPECT_TRUE(children().empty());
}

INSTANTIATE_TEST_SUITE_P(Isolation, AKilledLockHolder,
                         testing::Combine(testing::ValuesIn(kAllGilKinds),
                                          testing::Values(WaitPolicy::yield, WaitPolicy::block)),
                         [](const testing::TestParamInfo<LockParam>& p) {
                           return std::string(name(std::get<0>(p.param))) + "_" +
                                  std::string(name(std::get<1>(p.param)));
                         });

// A process killed holding a robust process-shared mutex (PointMutex: CPython's GIL kind,
// the pending calls and the lookup lock use it): the next to lock it learns so
// (EOWNERDEAD: LockOwnerDied), once; then it works again, in any process.
TEST(Isolation, AMutexWhoseHolderWasKilledThrowsOnceThenWorks) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  SharedRegion region(1 << 20);
  PointMutex* mutex = nullptr;
  {
    const SharedRegion::Scope scope(region);
    mutex = new PointMutex;
  }
  ASSERT_TRUE(mutex->shared());
  const pid_t holder = fork();
  if (holder == 0) {
    mutex->lock();
    raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(holder, &status, 0), holder);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_THROW(mutex->lock(), LockOwnerDied);
  const pid_t next = fork();
  if (next == 0) {
    try {
      mutex->lock();
      mutex->unlock();
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  ASSERT_EQ(waitpid(next, &status, 0), next);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "consistent again";
}

// A process asleep on a PointCondition whose mutex was then taken by a process that was
// killed holding it: woken, it learns so (LockOwnerDied) instead of sleeping on or going on
// over what the dead may have half-changed.
TEST(Isolation, AConditionWaiterLearnsItsMutexHolderWasKilled) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  SharedRegion region(1 << 20);
  PointMutex* mutex = nullptr;
  PointCondition* condition = nullptr;
  std::atomic<int>* waiting = nullptr;
  {
    const SharedRegion::Scope scope(region);
    mutex = new PointMutex;
    condition = new PointCondition;
    waiting = new std::atomic<int>(0);
  }
  constexpr int kLearned = 7;
  const pid_t waiter = fork();
  if (waiter == 0) {
    try {
      PointCondition::Lock lock(*mutex);
      waiting->store(1, std::memory_order_relaxed);  // under the mutex, which orders it
      condition->wait(lock, [] { return false; });
    } catch (const LockOwnerDied&) {
      _exit(kLearned);
    } catch (...) {
    }
    _exit(1);
  }
  // The waiter lets go of the mutex only by sleeping on the condition: once the holder has
  // it, the waiter sleeps.
  while (true) {
    const std::lock_guard hold(*mutex);
    if (waiting->load(std::memory_order_relaxed) == 1) break;
  }
  const pid_t holder = fork();
  if (holder == 0) {
    mutex->lock();
    raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(holder, &status, 0), holder);
  ASSERT_TRUE(WIFSIGNALED(status));
  condition->notify_all();
  ASSERT_EQ(waitpid(waiter, &status, 0), waiter);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == kLearned);
}

// What the hooks record in an interpreter process comes back through report/on_report:
// each process reports once, after its other hooks ran there, and refbench's process gets
// every report once the point is over.
TEST(Isolation, EachProcessReportsWhatItsHooksRecorded) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  std::vector<std::string> seen(2);  // written in the interpreter processes: their copies
  std::vector<std::string> reported(2);
  ThreadHooks hooks;
  hooks.on_start = [&](unsigned i) { seen[i] += "start,"; };
  hooks.on_heap = [&](unsigned i, std::span<std::byte> heap) {
    if (!heap.empty()) seen[i] += "heap,";
  };
  hooks.on_finish = [&](unsigned i) { seen[i] += "finish"; };
  hooks.report = [&](unsigned i) { return std::to_string(getpid()) + ":" + seen[i]; };
  hooks.on_report = [&](unsigned i, const std::string& text) { reported[i] = text; };
  const PointResult r = run_point(process_point(Strategy::civ, Workload::pingpong), hooks);
  for (unsigned i = 0; i < 2; ++i) {
    EXPECT_EQ(seen[i], "") << "refbench's own copy is untouched";
    const std::size_t colon = reported[i].find(':');
    ASSERT_NE(colon, std::string::npos) << reported[i];
    EXPECT_NE(reported[i].substr(0, colon), std::to_string(getpid())) << "ran in a child";
    EXPECT_EQ(reported[i].substr(colon + 1), "start,heap,finish");
    EXPECT_EQ(r.reports.at(i), reported[i]);
  }
  EXPECT_NE(reported[0], reported[1]);
}

// A hook that throws in an interpreter process fails the point with its message.
TEST(Isolation, AHookThatThrowsInAProcessFailsThePointWithItsMessage) {
  SKIP_UNDER_TSAN();
  const HangGuard guard(std::chrono::seconds(120));
  ThreadHooks hooks;
  hooks.on_start = [](unsigned i) {
    if (i == 0) throw std::runtime_error("pinning failed");
  };
  try {
    run_point(process_point(Strategy::civ, Workload::stream), hooks);
    ADD_FAILURE() << "the hook's failure was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("pinning failed"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(children().empty());
}

}  // namespace
}  // namespace refbench::workloads
