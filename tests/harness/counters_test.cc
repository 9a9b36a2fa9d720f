#include "harness/counters.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <thread>

#include "harness/counter_figures.h"
#include "harness/counter_sets.h"
#include "harness/libpfm.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

// A PerfSystem that fails hardware events with one errno and serves scripted group reads.
// `kernel_errno`: what opening any event that counts the kernel fails with (EACCES: a
// user without CAP_PERFMON at perf_event_paranoid 2).
class FakePerfSystem : public PerfSystem {
 public:
  explicit FakePerfSystem(int hardware_errno = 0, int kernel_errno = 0)
      : hardware_errno_(hardware_errno), kernel_errno_(kernel_errno) {}

  int open(perf_event_attr& attr, int group_fd) override {
    ++calls;
    if (interrupt()) return -EINTR;
    if (attr.type != PERF_TYPE_SOFTWARE && hardware_errno_ != 0) return -hardware_errno_;
    if (attr.exclude_kernel == 0 && kernel_errno_ != 0) return -kernel_errno_;
    if (const auto it = fail_config.find(attr.config); it != fail_config.end()) return -it->second;
    if (group_fd >= 0) {
      if (group_limit > 0 && members[group_fd] >= group_limit) return -EINVAL;
      ++members[group_fd];
    } else {
      members[next_fd_] = 1;
    }
    opened.push_back({next_fd_, group_fd});
    return next_fd_++;
  }
  int ioctl_group(int fd, unsigned long request) override {
    ++calls;
    if (interrupt()) return -EINTR;
    ioctls.emplace_back(fd, request);
    if (const auto it = ioctl_errno.find(request); it != ioctl_errno.end()) return -it->second;
    return 0;
  }
  // Scripted reads: the next of read_queue[fd], else reads[fd], else zero counts.
  long read(int fd, void* buffer, std::size_t bytes) override {
    ++calls;
    if (interrupt()) return -EINTR;
    std::vector<std::uint64_t> data;
    if (auto q = read_queue.find(fd); q != read_queue.end() && !q->second.empty()) {
      data = q->second.front();
      q->second.pop_front();
    } else if (auto r = reads.find(fd); r != reads.end()) {
      data = r->second;
    } else {  // no counts, and the times advance by 1000 at each read
      data.assign(bytes / sizeof(std::uint64_t), 0);
      data[0] = static_cast<std::uint64_t>(members[fd]);
      data[1] = data[2] = 1000 * static_cast<std::uint64_t>(++default_reads[fd]);
    }
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
  std::map<int, std::deque<std::vector<std::uint64_t>>> read_queue;
  std::map<std::uint64_t, int> fail_config;  // attr.config -> errno its open fails with
  std::map<unsigned long, int> ioctl_errno;  // request -> errno it fails with
  int group_limit = 0;                       // events a group takes; 0: any number
  int interrupt_every = 0;                   // every Nth call fails with EINTR; 0: none
  int closed = 0;
  int calls = 0;
  int interrupted = 0;

 private:
  bool interrupt() {
    if (interrupt_every == 0 || calls % interrupt_every != 0) return false;
    ++interrupted;
    return true;
  }
  std::map<int, int> members;        // leader fd -> events in its group
  std::map<int, int> default_reads;  // fd -> reads served without a script
  int hardware_errno_;
  int kernel_errno_;
  int next_fd_ = 100;
};

std::size_t index_of(const CounterSet& set, std::string_view column) {
  for (std::size_t i = 0; i < set.events().size(); ++i) {
    if (set.events()[i].column == column) return i;
  }
  ADD_FAILURE() << "no column " << column;
  return 0;
}

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

// Hardware events in groups of the set's group size; the software events get a group of
// their own. Reads are scaled per group, and the factor is reported.
TEST(ThreadCounters, GroupsAndScalesSyntheticReads) {
  FakePerfSystem system;
  const CounterSet set = CounterSet::resolve("basic,cache,coherence", system);
  std::size_t hardware = 0;
  for (const CounterEvent& e : set.events()) hardware += e.source == CounterSource::hw;
  system.opened.clear();  // resolve() probed each event alone
  ThreadCounters counters(set, system);
  const std::size_t size = set.group_size();
  const std::size_t groups = (hardware + size - 1) / size + 1;
  std::vector<int> leaders;
  for (const auto& o : system.opened) {
    if (o.group_fd == -1) leaders.push_back(o.fd);
  }
  ASSERT_EQ(leaders.size(), groups);
  for (int leader : leaders) {  // at start: disabled since it was opened, no time yet
    system.read_queue[leader] = {{0, 0, 0}};
    for (const auto& o : system.opened) {
      if (o.fd == leader || o.group_fd == leader) system.read_queue[leader].front().push_back(0);
    }
    system.read_queue[leader].front()[0] = system.read_queue[leader].front().size() - 3;
  }
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

// The data a group read returns: nr, enabled, running, then each member's value.
std::vector<std::uint64_t> group_data(std::uint64_t enabled, std::uint64_t running,
                                      std::vector<std::uint64_t> values) {
  std::vector<std::uint64_t> data = {values.size(), enabled, running};
  data.insert(data.end(), values.begin(), values.end());
  return data;
}

// A set with the software events only (no hardware event opens): one group of four.
CounterSet software_only(FakePerfSystem& system) {
  return CounterSet::resolve("basic", system);  // hardware opens fail: ENOENT
}

// Every system call a signal interrupts is made again: every third call fails with EINTR,
// and every event still opens, starts, stops and reads.
TEST(ThreadCounters, RetriesWhatASignalInterrupts) {
  FakePerfSystem system(ENOENT);
  system.interrupt_every = 3;
  const CounterSet set = software_only(system);
  for (const CounterEvent& e : set.events()) {
    if (e.attr.type == PERF_TYPE_SOFTWARE) {
      EXPECT_EQ(e.source, CounterSource::sw) << e.problem;
    }
  }
  ThreadCounters counters(set, system);
  ASSERT_EQ(counters.groups().size(), 1u);
  const int leader = system.opened[system.opened.size() - 4].fd;
  system.read_queue[leader] = {group_data(0, 0, {0, 0, 0, 0}), group_data(500, 500, {1, 2, 3, 4})};
  counters.start();
  counters.stop();
  const std::vector<CounterReading> readings = counters.read();
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(readings[i].value.has_value()) << readings[i].problem;
    EXPECT_EQ(*readings[i].value, static_cast<double>(i + 1));
  }
  EXPECT_GT(system.interrupted, 5);
}

// A group the PMU cannot fit (EINVAL when a member joins it) is split: the member that did
// not fit leads a group of its own, and the rest follow it there.
TEST(ThreadCounters, AGroupThatDoesNotFitIsSplit) {
  FakePerfSystem system;
  system.group_limit = 2;
  const CounterSet set = CounterSet::resolve("basic", system);  // 4 software, 2 hardware
  ThreadCounters counters(set, system);
  std::vector<std::vector<std::size_t>> expected;
  if (kLibpfmSupported) expected.push_back({4, 5});  // cycles, instructions
  expected.push_back({0, 1});
  expected.push_back({2, 3});
  EXPECT_EQ(counters.groups(), expected);
  counters.start();
  counters.stop();
  const std::vector<CounterReading> readings = counters.read();
  for (std::size_t i = 0; i < readings.size(); ++i) {
    EXPECT_TRUE(readings[i].value.has_value() ||
                set.events()[i].source == CounterSource::unavailable)
        << set.events()[i].column << ": " << readings[i].problem;
  }
}

// An event that opened when the set was resolved but not on this thread keeps its errno
// as the reason; the others of its group still count.
TEST(ThreadCounters, AMemberThatFailsToOpenSaysWhy) {
  FakePerfSystem system(ENOENT);
  const CounterSet set = software_only(system);
  system.fail_config[PERF_COUNT_SW_CONTEXT_SWITCHES] = EMFILE;
  ThreadCounters counters(set, system);
  ASSERT_EQ(counters.groups().size(), 1u);
  EXPECT_EQ(counters.groups().front(), (std::vector<std::size_t>{0, 2, 3}));
  counters.start();
  counters.stop();
  const std::size_t switches = index_of(set, "context_switches");
  const std::vector<CounterReading> readings = counters.read();
  EXPECT_FALSE(readings[switches].value.has_value());
  EXPECT_EQ(readings[switches].problem.rfind(
                "could not be opened on this thread: errno " + std::to_string(EMFILE) + ": ", 0),
            0u)
      << readings[switches].problem;
  EXPECT_TRUE(readings[index_of(set, "task_clock_ns")].value.has_value());
  // The point's figure is unavailable, with that reason, not a partial sum.
  const std::vector<std::vector<CounterReading>> threads = {readings, readings};
  const auto figures = counter_figures(
      set, threads, {workloads::Role::sender, workloads::Role::receiver}, {{10, 0}, {0, 10}}, 10);
  EXPECT_EQ(figures[switches].source, "unavailable");
  EXPECT_FALSE(figures[switches].total.has_value());
  EXPECT_EQ(figures[switches].problem, "interpreter 0: " + readings[switches].problem);
  EXPECT_EQ(figures[index_of(set, "task_clock_ns")].problem, "");
}

// An ioctl that fails leaves its group's events empty, with the request and errno.
TEST(ThreadCounters, AFailedIoctlIsReported) {
  for (unsigned long request :
       {PERF_EVENT_IOC_RESET, PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_DISABLE}) {
    FakePerfSystem system(ENOENT);
    const CounterSet set = software_only(system);
    ThreadCounters counters(set, system);
    system.ioctl_errno[request] = EBADF;
    counters.start();
    counters.stop();
    const std::vector<CounterReading> readings = counters.read();
    const std::string name = request == PERF_EVENT_IOC_RESET    ? "PERF_EVENT_IOC_RESET"
                             : request == PERF_EVENT_IOC_ENABLE ? "PERF_EVENT_IOC_ENABLE"
                                                                : "PERF_EVENT_IOC_DISABLE";
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_FALSE(readings[i].value.has_value()) << name;
      EXPECT_EQ(readings[i].problem, name + " failed: EBADF: " + std::strerror(EBADF));
    }
  }
}

// A group the PMU never scheduled (time_running did not advance) reads empty, with why,
// rather than zero.
TEST(ThreadCounters, AGroupNeverScheduledIsEmptyWithItsReason) {
  FakePerfSystem system(ENOENT);
  const CounterSet set = software_only(system);
  ThreadCounters counters(set, system);
  const int leader = system.opened[system.opened.size() - 4].fd;
  system.read_queue[leader] = {group_data(100, 40, {0, 0, 0, 0}),
                               group_data(900, 40, {0, 0, 0, 0})};
  counters.start();
  counters.stop();
  const std::vector<CounterReading> readings = counters.read();
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(readings[i].value.has_value());
    EXPECT_EQ(readings[i].problem.rfind("never counted: the PMU did not schedule its group", 0), 0u)
        << readings[i].problem;
  }
}

// PERF_EVENT_IOC_RESET resets the counts, not the enabled and running times: a second
// start scales with the times since that start, not since the counters were opened.
TEST(ThreadCounters, ScalesWithTheTimesSinceStart) {
  FakePerfSystem system(ENOENT);
  const CounterSet set = software_only(system);
  ThreadCounters counters(set, system);
  const int leader = system.opened[system.opened.size() - 4].fd;
  system.read_queue[leader] = {
      group_data(0, 0, {0, 0, 0, 0}),            // first start
      group_data(1000, 1000, {10, 10, 10, 10}),  // first read: all the time
      group_data(1000, 1000, {0, 0, 0, 0}),      // second start
      group_data(3000, 1500, {30, 30, 30, 30}),  // second read: half of 2000
  };
  counters.start();
  counters.stop();
  std::vector<CounterReading> first = counters.read();
  ASSERT_TRUE(first[0].value.has_value());
  EXPECT_EQ(*first[0].value, 10.0);
  EXPECT_EQ(first[0].scale, 1.0);
  counters.start();
  counters.stop();
  std::vector<CounterReading> second = counters.read();
  ASSERT_TRUE(second[0].value.has_value());
  EXPECT_EQ(second[0].scale, 4.0) << "(3000 - 1000) / (1500 - 1000), not 3000 / 1500";
  EXPECT_EQ(*second[0].value, 120.0);
}

// The group size is the core PMU's general-purpose counters where libpfm4 knows them, and
// says so; else the default, said too.
TEST(CounterSet, GroupSizeComesFromThePmu) {
  FakePerfSystem system;
  const CounterSet set = CounterSet::resolve("basic", system);
  const std::string& line = set.group_size_line();
  EXPECT_EQ(
      line.rfind("hardware groups of at most " + std::to_string(set.group_size()) + " events", 0),
      0u)
      << line;
  int counters = 0;
  std::string core;
  for (const PmuInfo& pmu : detected_pmus()) {
    if (pmu.core && pmu.counters > 0 && counters == 0) {
      counters = pmu.counters;
      core = pmu.name;
    }
  }
  if (counters > 0) {
    EXPECT_EQ(set.group_size(), static_cast<std::size_t>(counters));
    EXPECT_NE(line.find("the general-purpose counters of the core PMU " + core), std::string::npos)
        << line;
  } else {
    EXPECT_EQ(set.group_size(), CounterSet::kDefaultGroupSize);
    EXPECT_NE(line.find("a safe default"), std::string::npos) << line;
  }
}

// Under each PMU libpfm4 can be forced to, a core PMU reports its counters.
TEST_P(VendorTable, ReportsItsCounters) {
  if (!kLibpfmSupported) GTEST_SKIP() << kWithoutLibpfm;
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string pmu = GetParam();
  EXPECT_EXIT(
      {
        setenv("LIBPFM_FORCE_PMU", pmu.c_str(), 1);
        FakePerfSystem fake;
        const CounterSet set = CounterSet::resolve("basic", fake);
        std::fprintf(stderr, "%s\n", set.group_size_line().c_str());
        std::exit(set.group_size_line().find("core PMU " + pmu) != std::string::npos ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
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
  if (set.events()[switches].source == CounterSource::unavailable &&
      set.events()[switches].problem.find("CAP_PERFMON") != std::string::npos) {
    GTEST_SKIP() << "this user may not count the kernel: " << set.events()[switches].problem;
  }
  ThreadCounters counters(set);
  counters.start();
  for (int i = 0; i < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  counters.stop();
  const auto reading = counters.read()[switches];
  ASSERT_TRUE(reading.value.has_value());
  EXPECT_GE(*reading.value, 10.0);
}

// At perf_event_paranoid 2 a user without CAP_PERFMON may not count the kernel: software
// events are opened with exclude_kernel instead, where that still means what the column
// says, and say which count user space only.
TEST(CounterSet, WithoutKernelPermissionSoftwareEventsCountUserSpace) {
  FakePerfSystem system(0, EACCES);
  const CounterSet set = CounterSet::resolve("basic", system);
  const CounterEvent& clock = set.events()[index_of(set, "task_clock_ns")];
  EXPECT_EQ(clock.source, CounterSource::sw);
  EXPECT_EQ(clock.attr.exclude_kernel, 1u);
  EXPECT_EQ(clock.scope, CounterScope::user_and_kernel) << "the kernel ignores it for a clock";
  const CounterEvent& faults = set.events()[index_of(set, "page_faults")];
  EXPECT_EQ(faults.source, CounterSource::sw);
  EXPECT_EQ(faults.attr.exclude_kernel, 1u);
  EXPECT_EQ(faults.scope, CounterScope::user);
  bool said = false;
  for (const std::string& note : set.notes()) {
    if (note.rfind("page_faults (perf::PERF_COUNT_SW_PAGE_FAULTS): user space only", 0) == 0) {
      said = true;
      EXPECT_NE(note.find("needs perf_event_paranoid <= 1 or CAP_PERFMON"), std::string::npos)
          << note;
    }
  }
  EXPECT_TRUE(said) << "page faults are said to count user space only";
  for (std::string_view column : {"context_switches", "cpu_migrations"}) {
    const CounterEvent& e = set.events()[index_of(set, column)];
    EXPECT_EQ(e.source, CounterSource::unavailable) << column << ": would read 0";
    EXPECT_EQ(
        e.problem.rfind("EACCES: not permitted with /proc/sys/kernel/perf_event_paranoid = ", 0),
        0u)
        << e.problem;
    EXPECT_NE(e.problem.find("(counting kernel time needs perf_event_paranoid <= 1 or "
                             "CAP_PERFMON); it happens only in the kernel, so counted in user "
                             "space it would read 0"),
              std::string::npos)
        << e.problem;
  }
  if (kLibpfmSupported) {
    const CounterEvent& cycles = set.events()[index_of(set, "cycles")];
    EXPECT_EQ(cycles.source, CounterSource::hw) << "hardware events count user space only";
    EXPECT_EQ(cycles.scope, CounterScope::user);
  }
  // With permission (root, CAP_PERFMON, paranoid <= 1) the kernel counts too.
  FakePerfSystem permitted;
  const CounterSet all = CounterSet::resolve("basic", permitted);
  for (const CounterEvent& e : all.events()) {
    if (e.attr.type != PERF_TYPE_SOFTWARE) continue;
    EXPECT_EQ(e.source, CounterSource::sw) << e.column;
    EXPECT_EQ(e.scope, CounterScope::user_and_kernel) << e.column;
    EXPECT_EQ(e.attr.exclude_kernel, 0u) << e.column;
  }
}

// A permission problem for an event that counts user space only names paranoid 2.
TEST(CounterSet, UserSpacePermissionProblemNamesParanoidTwo) {
  FakePerfSystem system(EACCES, EACCES);
  const CounterSet set = CounterSet::resolve("basic", system);
  if (kLibpfmSupported) {
    const CounterEvent& cycles = set.events()[index_of(set, "cycles")];
    EXPECT_NE(cycles.problem.find("counting user space needs perf_event_paranoid <= 2"),
              std::string::npos)
        << cycles.problem;
  }
}

// What a user without CAP_PERFMON gets from the real kernel at perf_event_paranoid 2, the
// upstream default: run as `nobody` (in a child process that drops root's privileges) when
// this test runs as root, as this user otherwise.
void count_as_this_user() {
  auto fail = [](const std::string& why) {
    std::fprintf(stderr, "%s\n", why.c_str());
    std::exit(1);
  };
  if (geteuid() == 0) fail("still root");
  const CounterSet set = CounterSet::resolve("basic");
  const CounterEvent& clock = set.events()[index_of(set, "task_clock_ns")];
  const CounterEvent& faults = set.events()[index_of(set, "page_faults")];
  const CounterEvent& switches = set.events()[index_of(set, "context_switches")];
  if (clock.source != CounterSource::sw) fail("task_clock_ns: " + clock.problem);
  if (faults.source != CounterSource::sw) fail("page_faults: " + faults.problem);
  if (faults.scope != CounterScope::user) fail("page_faults should count user space only");
  if (switches.source != CounterSource::unavailable) fail("context_switches opened");
  if (switches.problem.find("perf_event_paranoid <= 1 or CAP_PERFMON") == std::string::npos)
    fail("context_switches: " + switches.problem);
  ThreadCounters counters(set);
  constexpr std::size_t kPages = 64;
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  counters.start();
  void* memory =
      mmap(nullptr, kPages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) fail("mmap");
  for (std::size_t i = 0; i < kPages; ++i) static_cast<volatile char*>(memory)[i * page] = 1;
  counters.stop();
  munmap(memory, kPages * page);
  const std::vector<CounterReading> readings = counters.read();
  const CounterReading& clock_read = readings[index_of(set, "task_clock_ns")];
  const CounterReading& fault_read = readings[index_of(set, "page_faults")];
  if (!clock_read.value || *clock_read.value <= 0) fail("task_clock_ns did not count");
  if (!fault_read.value) fail("page_faults did not count");
  if (*fault_read.value < kPages)
    fail("page_faults read " + std::to_string(*fault_read.value) + " for 64 pages touched");
  if (readings[index_of(set, "context_switches")].value) fail("context_switches has a value");
  std::exit(0);
}

TEST(ThreadCounters, AtParanoidTwoANonRootUserCountsUserSpace) {
  const std::string paranoid = perf_event_paranoid();
  if (paranoid != "2") {
    GTEST_SKIP() << "perf_event_paranoid is " << paranoid << ", not 2: what this test checks "
                 << "(the upstream default) is not what this machine does";
  }
  if (geteuid() != 0) {
    EXPECT_EXIT(count_as_this_user(), testing::ExitedWithCode(0), "");
    return;
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  constexpr uid_t kNobody = 65534;  // nobody, nogroup
  EXPECT_EXIT(
      {
        if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
            setresuid(kNobody, kNobody, kNobody) != 0) {
          std::fprintf(stderr, "could not become nobody: %s\n", std::strerror(errno));
          std::exit(1);
        }
        count_as_this_user();
      },
      testing::ExitedWithCode(0), "");
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
  // Two stream pairs of 25 messages each: 50 hand-offs.
  const std::vector<workloads::Traffic> pairs = {{25, 0}, {0, 25}, {25, 0}, {0, 25}};
  const auto figures = counter_figures(set, threads, roles, pairs, 50);
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

  // A pipeline of four moving 10 objects: 30 hand-offs. The middle stages do both, so they
  // count in the total only; the first stage's figure is per object it sent, the last's per
  // object it received (not per hand-off of the chain: that would be 3 times smaller).
  const std::vector<workloads::Role> chain = {workloads::Role::sender, workloads::Role::relay,
                                              workloads::Role::relay, workloads::Role::receiver};
  const std::vector<workloads::Traffic> piped_traffic = {{10, 0}, {10, 10}, {10, 10}, {0, 10}};
  const results::CounterFigure piped =
      counter_figures(set, threads, chain, piped_traffic, 30).front();
  EXPECT_DOUBLE_EQ(*piped.per_msg, 1000.0 / 30);
  EXPECT_EQ(piped.sender_per_msg, 10.0);    // 100 / 10
  EXPECT_EQ(piped.receiver_per_msg, 40.0);  // 400 / 10
  // All peers (shuffle): no sender or receiver figure at all, rather than a zero.
  const std::vector<workloads::Role> peers(4, workloads::Role::peer);
  const std::vector<workloads::Traffic> shuffle = {{15, 15}, {15, 15}, {15, 15}, {15, 15}};
  const results::CounterFigure shuffled = counter_figures(set, threads, peers, shuffle, 60).front();
  EXPECT_DOUBLE_EQ(*shuffled.per_msg, 1000.0 / 60);
  EXPECT_FALSE(shuffled.sender_per_msg.has_value());
  EXPECT_FALSE(shuffled.receiver_per_msg.has_value());

  // Pingpong, two pairs of 20 round trips: 80 hand-offs. The starter sends one and
  // receives one per round trip, and so does the answerer: each figure is per round trip
  // (per message it sent, per message it received), not per hand-off of the pair.
  const std::vector<workloads::Traffic> rounds = {{20, 20}, {20, 20}, {20, 20}, {20, 20}};
  const results::CounterFigure pingpong = counter_figures(set, threads, roles, rounds, 80).front();
  EXPECT_EQ(pingpong.per_msg, 12.5);           // 1000 / 80
  EXPECT_EQ(pingpong.sender_per_msg, 10.0);    // (100 + 300) / 40
  EXPECT_EQ(pingpong.receiver_per_msg, 15.0);  // (200 + 400) / 40

  // One thread that did not count makes the point's figure unavailable, not smaller.
  threads[2][0].value.reset();
  EXPECT_EQ(counter_figures(set, threads, roles, pairs, 50).front().source, "unavailable");
  EXPECT_FALSE(counter_figures(set, threads, roles, pairs, 50).front().total.has_value());
}

}  // namespace
}  // namespace refbench::harness
