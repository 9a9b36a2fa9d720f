#include "harness/counters.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "harness/counter_figures.h"
#include "harness/counter_sets.h"
#include "harness/libpfm.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

// A PerfSystem that fails hardware events with one errno and serves scripted group reads.
class FakePerfSystem : public PerfSystem {
 public:
  explicit FakePerfSystem(int hardware_errno = 0) : hardware_errno_(hardware_errno) {}

  int open(perf_event_attr& attr, int group_fd) override {
    if (attr.type != PERF_TYPE_SOFTWARE && hardware_errno_ != 0) return -hardware_errno_;
    opened.push_back({next_fd_, group_fd});
    return next_fd_++;
  }
  int ioctl_group(int fd, unsigned long request) override {
    ioctls.emplace_back(fd, request);
    return 0;
  }
  long read(int fd, void* buffer, std::size_t bytes) override {
    const std::vector<std::uint64_t>& data = reads.at(fd);
    const std::size_t n = std::min(bytes, data.size() * sizeof(std::uint64_t));
    std::memcpy(buffer, data.data(), n);
    return static_cast<long>(n);
  }
  void close(int) override { ++closed; }

  struct Opened {
    int fd;
    int group_fd;
  };
  std::vector<Opened> opened;
  std::vector<std::pair<int, unsigned long>> ioctls;
  std::map<int, std::vector<std::uint64_t>> reads;  // fd -> nr, enabled, running, values
  int closed = 0;

 private:
  int hardware_errno_;
  int next_fd_ = 100;
};

std::vector<std::string> columns_of(std::string_view spec, PerfSystem& system) {
  return CounterSet::resolve(spec, system).columns();
}

TEST(CounterSets, NamedSetsHaveStableColumnsSoftwareFirst) {
  FakePerfSystem system;
  const std::vector<std::string> software = {"task_clock_ns", "context_switches", "cpu_migrations",
                                             "page_faults"};
  EXPECT_TRUE(columns_of("none", system).empty());
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> all = software;
    all.insert(all.end(), more.begin(), more.end());
    return all;
  };
  EXPECT_EQ(columns_of("basic", system), with({"cycles", "instructions"}));
  EXPECT_EQ(columns_of("cache", system), with({"l1d_misses", "llc_references", "llc_misses"}));
  EXPECT_EQ(columns_of("basic,cache,cycles", system),
            with({"cycles", "instructions", "l1d_misses", "llc_references", "llc_misses"}));
}

TEST(CounterSets, ColumnsForUserEvents) {
  EXPECT_EQ(column_for_event("MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM"),
            "mem_load_l3_hit_retired_xsnp_hitm");
  EXPECT_EQ(column_for_event("perf::L1-DCACHE-LOAD-MISSES"), "perf_l1_dcache_load_misses");
  EXPECT_EQ(column_for_event("::x::"), "x");
}

// Every set's events on this machine's PMU encode; a column without an event says why.
TEST(CounterSets, EventsOfTheDetectedPmuEncode) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm << ": hardware events cannot be named";
  for (std::string_view set : {"basic", "cache", "coherence"}) {
    for (const EventName& e : hardware_events_of(set, detected_core_pmu())) {
      if (e.event.empty()) {
        EXPECT_FALSE(e.meaning.empty()) << e.column << ": unavailable needs its reason";
      } else {
        EXPECT_EQ(libpfm_encoding_problem(e.event), "") << e.event;
      }
    }
  }
  for (const EventName& e : software_events()) {
    EXPECT_EQ(libpfm_encoding_problem(e.event), "") << e.event;
  }
}

// Without a table the vendor-dependent columns are unavailable, with the reason; the
// generic events whose meaning does not depend on the vendor stay.
TEST(CounterSets, APmuWithoutATableNamesWhyItsColumnsAreUnavailable) {
  const auto cache = hardware_events_of("cache", "some_future_pmu");
  ASSERT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache[0].event, "perf::PERF_COUNT_HW_CACHE_L1D:READ:MISS");
  EXPECT_EQ(cache[1].event, "");
  EXPECT_NE(cache[1].meaning.find("no event table for PMU 'some_future_pmu'"), std::string::npos);
  const auto coherence = hardware_events_of("coherence", "");
  ASSERT_EQ(coherence.size(), 1u);
  EXPECT_EQ(coherence[0].event, "");
  EXPECT_NE(coherence[0].meaning.find("no event table for PMU 'none'"), std::string::npos);
  EXPECT_EQ(hardware_events_of("basic", "").size(), 2u);
}

// Each column means one thing in every table that has it: two vendors' coherence figures
// never share a column (Intel counts retired loads, AMD fills), and no column is the old
// vendor-neutral c2c_near/c2c_far.
TEST(CounterSets, CoherenceColumnsNameWhatTheyCount) {
  for (const PmuTable& t : pmu_tables()) {
    SCOPED_TRACE(t.family);
    EXPECT_EQ(t.cache.size(), 3u);
    for (const EventName& e : t.coherence) {
      EXPECT_FALSE(e.meaning.empty()) << e.column;
      EXPECT_EQ(e.column.find("c2c"), std::string::npos) << e.column;
      const bool intel = t.family.rfind("Intel", 0) == 0;
      const bool amd = t.family.rfind("AMD", 0) == 0;
      if (amd) {
        EXPECT_NE(e.column.find("_fills"), std::string::npos) << e.column;
      }
      if (intel) {
        EXPECT_NE(e.column.find("_loads_"), std::string::npos) << e.column;
      }
    }
  }
  const PmuTable* spr = pmu_table_for("spr");
  ASSERT_NE(spr, nullptr);
  EXPECT_EQ(spr->coherence[1].event, "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM")
      << "REMOTE_FWD counts clean lines: not a modified-line transfer";
  EXPECT_EQ(pmu_table_for("amd64_fam19h_zen4")->cache[1].event, "")
      << "Zen's generic cache-references count L2";
}

// Every x86 table encodes under the PMU it names, every event of it, forced with
// LIBPFM_FORCE_PMU in a fresh process (libpfm4 reads it once, at initialisation). A column
// the table leaves unavailable has its reason instead. The child prints what failed.
// Under a forced PMU libpfm4 activates that PMU alone (not its perf:: generic one), so the
// tables' perf:: events are left to EventsOfTheDetectedPmuEncode.
class VendorTable : public testing::TestWithParam<std::string> {};

TEST_P(VendorTable, EveryEventEncodesUnderItsPmu) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm << ": hardware events cannot be named";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string pmu = GetParam();
  const PmuTable* table = pmu_table_for(pmu);
  ASSERT_NE(table, nullptr);
  EXPECT_EXIT(
      {
        setenv("LIBPFM_FORCE_PMU", pmu.c_str(), 1);
        if (detected_core_pmu() != pmu) {
          std::fprintf(stderr, "forced %s, detected %s\n", pmu.c_str(),
                       detected_core_pmu().c_str());
          std::exit(2);
        }
        int failed = 0;
        for (const auto* events : {&table->cache, &table->coherence}) {
          for (const EventName& e : *events) {
            // perf:: generic events are checked on the real PMU above: a forced PMU is the
            // only one libpfm4 activates, the perf PMU included.
            if (e.event.rfind("perf::", 0) == 0) continue;
            const std::string problem = e.event.empty() ? "" : libpfm_encoding_problem(e.event);
            if (!problem.empty() || (e.event.empty() && e.meaning.empty())) {
              std::fprintf(stderr, "%s: %s: %s\n", e.column.c_str(), e.event.c_str(),
                           problem.c_str());
              ++failed;
            }
          }
        }
        std::exit(failed == 0 ? 0 : 3);
      },
      testing::ExitedWithCode(0), "");
}

std::vector<std::string> x86_table_pmus() {
  std::vector<std::string> pmus;
  for (const PmuTable& t : pmu_tables()) {
    for (const std::string& p : t.pmus) {
      if (p.rfind("arm_", 0) != 0) pmus.push_back(p);
    }
  }
  return pmus;
}

INSTANTIATE_TEST_SUITE_P(AllTables, VendorTable, testing::ValuesIn(x86_table_pmus()),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

// libpfm4 compiles its Arm PMUs only on Arm, so they cannot be forced here: the Arm tables
// are checked against a recorded copy of the names libpfm4 4.13 gives these events in its
// Neoverse N1 and N2 tables (lib/events/arm_neoverse_n{1,2}_events.h), with their Arm
// architected event numbers (Arm ARM, common PMU events). V1 and V2 use the same names for
// these common events.
TEST(CounterSets, ArmTablesUseLibpfmsNamesForArmsCommonEvents) {
  const std::map<std::string, unsigned> recorded = {
      {"L1D_CACHE_REFILL_RD", 0x42},
      {"LL_CACHE_RD", 0x36},
      {"LL_CACHE_MISS_RD", 0x37},
      {"REMOTE_ACCESS", 0x31},
  };
  for (const char* pmu : {"arm_n1", "arm_n2", "arm_v1", "arm_v2"}) {
    SCOPED_TRACE(pmu);
    const PmuTable* table = pmu_table_for(pmu);
    ASSERT_NE(table, nullptr);
    for (const auto* events : {&table->cache, &table->coherence}) {
      for (const EventName& e : *events) {
        if (e.event.empty()) {
          EXPECT_FALSE(e.meaning.empty()) << e.column;
        } else {
          EXPECT_TRUE(recorded.contains(e.event)) << e.column << ": " << e.event;
        }
      }
    }
    EXPECT_EQ(table->cache[2].event, "LL_CACHE_MISS_RD")
        << "the generic cache-misses is an L1D refill on Arm64, not the LLC";
  }
}

TEST(CounterSet, AUserEventLibpfmCannotEncodeIsBadInput) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm << ": hardware events cannot be named";
  FakePerfSystem system;
  try {
    CounterSet::resolve("basic,L1D:REPLACMENT_TYPO", system);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "--counters: 'L1D:REPLACMENT_TYPO' is not an event libpfm4 can encode here: "
                  "not on this PMU (libpfm4: ",
                  0),
              0u)
        << e.what();
  }
  EXPECT_THROW(CounterSet::resolve("basic,none", system), UsageError);
  EXPECT_THROW(CounterSet::resolve("basic,,cache", system), UsageError);
}

TEST(CounterSet, WithoutAPmuSaysSoOnceAndKeepsSoftwareCounters) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm << ": hardware events cannot be named";
  FakePerfSystem system(ENOENT);
  const CounterSet set = CounterSet::resolve("basic,cache", system);
  for (const CounterEvent& e : set.events()) {
    const bool software = e.attr.type == PERF_TYPE_SOFTWARE;
    EXPECT_EQ(e.source, software ? CounterSource::sw : CounterSource::unavailable) << e.column;
  }
  const std::string line = set.hardware_unavailable_line();
  EXPECT_EQ(line.rfind("hardware counters unavailable: perf::PERF_COUNT_HW_CPU_CYCLES: ENOENT", 0),
            0u)
      << line;
  EXPECT_NE(line.find("no hardware PMU is exposed"), std::string::npos);
}

TEST(CounterSet, PermissionProblemsNameTheParanoidSetting) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm << ": hardware events cannot be named";
  FakePerfSystem system(EACCES);
  const CounterSet set = CounterSet::resolve("basic", system);
  EXPECT_NE(set.hardware_unavailable_line().find("perf_event_paranoid = "), std::string::npos)
      << set.hardware_unavailable_line();
}

TEST(CounterSet, WithHardwareThereIsNoUnavailableLine) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm << ": hardware events cannot be named";
  FakePerfSystem system;
  EXPECT_EQ(CounterSet::resolve("basic", system).hardware_unavailable_line(), "");
  EXPECT_EQ(CounterSet::resolve("none", system).hardware_unavailable_line(), "");
}

// Built without libpfm4 (REFBENCH_WITH_LIBPFM=OFF): the software events still encode and
// open, every other event is unavailable for that one reason, said once, and a user's
// event is kept as unavailable rather than refused.
TEST(CounterSet, WithoutLibpfmCountsSoftwareEventsOnly) {
  if (kLibpfmSupported) GTEST_SKIP() << "built with libpfm4";
  FakePerfSystem system;
  const CounterSet set = CounterSet::resolve("basic,cache,coherence,L1D:REPLACEMENT", system);
  std::size_t software = 0;
  for (const CounterEvent& e : set.events()) {
    if (e.attr.type == PERF_TYPE_SOFTWARE) {
      EXPECT_EQ(e.source, CounterSource::sw) << e.column;
      EXPECT_EQ(e.attr.exclude_kernel, 0u) << e.column << ": kernel time counts";
      ++software;
    } else {
      EXPECT_EQ(e.source, CounterSource::unavailable) << e.column;
      // A column no table gives an event says why; every other: no libpfm4.
      if (e.event != "(none on this PMU)") {
        EXPECT_EQ(e.problem, kWithoutLibpfm) << e.column;
      }
    }
  }
  EXPECT_EQ(software, software_events().size());
  EXPECT_EQ(set.columns().back(), "l1d_replacement");
  EXPECT_EQ(set.hardware_unavailable_line().rfind(
                "hardware counters unavailable: perf::PERF_COUNT_HW_CPU_CYCLES: built without "
                "libpfm4; software counters are still counted",
                0),
            0u)
      << set.hardware_unavailable_line();
  EXPECT_EQ(detected_core_pmu(), "");
  EXPECT_TRUE(detected_pmus().empty());
  EXPECT_NE(libpfm_start_problem().find(kWithoutLibpfm), std::string::npos);
}

TEST(Multiplexing, ScalesByEnabledOverRunning) {
  EXPECT_EQ(scale_for_multiplexing(10, 1000, 250), 40.0);
  EXPECT_EQ(scale_for_multiplexing(10, 1000, 1000), 10.0);
  EXPECT_EQ(scale_for_multiplexing(0, 1000, 1000), 0.0);
  EXPECT_FALSE(scale_for_multiplexing(10, 1000, 0).has_value()) << "never ran: no value";
}

// Six hardware events need two groups (4 + 2); the software events get a third. Reads
// are scaled per group, and the factor is reported.
TEST(ThreadCounters, GroupsAndScalesSyntheticReads) {
  FakePerfSystem system;
  const CounterSet set = CounterSet::resolve("basic,cache,coherence", system);
  std::size_t hardware = 0;
  for (const CounterEvent& e : set.events()) hardware += e.source == CounterSource::hw;
  system.opened.clear();  // resolve() probed each event alone
  ThreadCounters counters(set, system);
  const std::size_t groups = (hardware + 3) / 4 + 1;
  std::vector<int> leaders;
  for (const auto& o : system.opened) {
    if (o.group_fd == -1) leaders.push_back(o.fd);
  }
  ASSERT_EQ(leaders.size(), groups);
  counters.start();
  counters.stop();
  EXPECT_EQ(system.ioctls.size(), 3 * groups);  // reset + enable, then disable
  // Every group read: counted a quarter of the time, each event 10 times its position.
  for (int leader : leaders) {
    std::vector<std::uint64_t> data = {0, 4000, 1000};
    for (const auto& o : system.opened) {
      if (o.fd == leader || o.group_fd == leader) data.push_back(10 * (data.size() - 2));
    }
    data[0] = data.size() - 3;
    system.reads[leader] = data;
  }
  const std::vector<CounterReading> readings = counters.read();
  ASSERT_EQ(readings.size(), set.events().size());
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (set.events()[i].source == CounterSource::unavailable) {
      EXPECT_FALSE(readings[i].value.has_value()) << set.events()[i].column;
      continue;
    }
    ASSERT_TRUE(readings[i].value.has_value()) << set.events()[i].column;
    EXPECT_EQ(std::fmod(*readings[i].value, 40.0), 0.0) << "10k counts x 4";
    EXPECT_DOUBLE_EQ(readings[i].scale, 4.0);
  }
}

double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// The real path, with software events: a busy loop's task-clock is its CPU time, and on a
// machine that is not overloaded its wall time too.
TEST(ThreadCounters, TaskClockOfABusyLoopMatchesItsTime) {
  const CounterSet set = CounterSet::resolve("basic");
  std::size_t task_clock = set.events().size();
  for (std::size_t i = 0; i < set.events().size(); ++i) {
    if (set.events()[i].column == "task_clock_ns") task_clock = i;
  }
  ASSERT_LT(task_clock, set.events().size());
  ASSERT_EQ(set.events()[task_clock].source, CounterSource::sw)
      << "software events need perf_event_open: " << set.events()[task_clock].problem;
  // Against the thread's own CPU clock, which a loaded machine does not skew; wall time
  // only bounds it from above (on a busy machine the loop gets less than all of it).
  ThreadCounters counters(set);
  const double cpu_before = thread_cpu_ns();
  const auto wall_before = std::chrono::steady_clock::now();
  counters.start();
  std::uint64_t spins = 0;
  while (std::chrono::steady_clock::now() - wall_before < std::chrono::milliseconds(100)) {
    ++spins;
  }
  EXPECT_GT(spins, 0u);
  counters.stop();
  const double wall =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wall_before)
          .count();
  const double cpu = thread_cpu_ns() - cpu_before;
  const auto reading = counters.read()[task_clock];
  ASSERT_TRUE(reading.value.has_value());
  EXPECT_GT(cpu, 0);
  EXPECT_NEAR(*reading.value, cpu, 0.10 * cpu);
  EXPECT_LE(*reading.value, 1.02 * wall);
  EXPECT_DOUBLE_EQ(reading.scale, 1.0) << "software events are never multiplexed";
}

// Context switches happen in the kernel: a software event counted in user space only would
// read zero. Sleeping ten times switches out at least ten times.
TEST(ThreadCounters, SoftwareEventsCountWhatHappensInTheKernel) {
  const CounterSet set = CounterSet::resolve("basic");
  std::size_t switches = set.events().size();
  for (std::size_t i = 0; i < set.events().size(); ++i) {
    if (set.events()[i].column == "context_switches") switches = i;
  }
  ASSERT_LT(switches, set.events().size());
  ThreadCounters counters(set);
  counters.start();
  for (int i = 0; i < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  counters.stop();
  const auto reading = counters.read()[switches];
  ASSERT_TRUE(reading.value.has_value());
  EXPECT_GE(*reading.value, 10.0);
}

TEST(CounterFigures, SumsPerRoleAndPerMessage) {
  FakePerfSystem system(ENOENT);
  const CounterSet set = CounterSet::resolve("basic", system);  // software + 2 unavailable
  const std::size_t n = set.events().size();
  std::vector<std::vector<CounterReading>> threads(4, std::vector<CounterReading>(n));
  for (std::size_t t = 0; t < 4; ++t) {
    for (std::size_t e = 0; e < n; ++e) {
      if (set.events()[e].source == CounterSource::sw) threads[t][e] = {100.0 * (t + 1), 1.0 + t};
    }
  }
  const std::vector<workloads::Role> roles = {workloads::Role::sender, workloads::Role::receiver,
                                              workloads::Role::sender, workloads::Role::receiver};
  const auto figures = counter_figures(set, threads, roles, 50);
  ASSERT_EQ(figures.size(), n);
  const results::CounterFigure& clock = figures.front();
  EXPECT_EQ(clock.name, "task_clock_ns");
  EXPECT_EQ(clock.source, "sw");
  EXPECT_EQ(clock.total, 1000.0);
  EXPECT_EQ(clock.per_msg, 20.0);
  EXPECT_EQ(clock.sender_per_msg, 8.0);     // (100 + 300) / 50
  EXPECT_EQ(clock.receiver_per_msg, 12.0);  // (200 + 400) / 50
  EXPECT_EQ(clock.scale, 4.0);
  const results::CounterFigure& cycles = figures[n - 2];
  EXPECT_EQ(cycles.name, "cycles");
  EXPECT_EQ(cycles.source, "unavailable");
  EXPECT_FALSE(cycles.total.has_value());

  // A pipeline of four: the middle stages do both, so they count in the total only; all
  // peers (shuffle): no sender or receiver figure at all, rather than a zero.
  const std::vector<workloads::Role> chain = {workloads::Role::sender, workloads::Role::relay,
                                              workloads::Role::relay, workloads::Role::receiver};
  const results::CounterFigure piped = counter_figures(set, threads, chain, 50).front();
  EXPECT_EQ(piped.per_msg, 20.0);
  EXPECT_EQ(piped.sender_per_msg, 2.0);    // 100 / 50
  EXPECT_EQ(piped.receiver_per_msg, 8.0);  // 400 / 50
  const std::vector<workloads::Role> peers(4, workloads::Role::peer);
  const results::CounterFigure shuffled = counter_figures(set, threads, peers, 50).front();
  EXPECT_EQ(shuffled.per_msg, 20.0);
  EXPECT_FALSE(shuffled.sender_per_msg.has_value());
  EXPECT_FALSE(shuffled.receiver_per_msg.has_value());

  // One thread that did not count makes the point's figure unavailable, not smaller.
  threads[2][0].value.reset();
  EXPECT_EQ(counter_figures(set, threads, roles, 50).front().source, "unavailable");
  EXPECT_FALSE(counter_figures(set, threads, roles, 50).front().total.has_value());
}

}  // namespace
}  // namespace refbench::harness
