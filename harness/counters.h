// Counting events per thread through perf_event_open, with libpfm4 naming them (libpfm.h:
// libpfm.cc is the only file that includes <perfmon/...>; a build without libpfm4 counts
// the kernel's software events only).
//
// A CounterSet is what --counters asked for, resolved once on this machine: each event
// encoded by libpfm4 and opened once to learn whether it can be counted here, and in
// what (CounterScope: the strictest setting this user's privileges allow). Each
// interpreter thread then opens its own ThreadCounters (its own thread), in groups, starts
// and stops them around the measured region, and reads them scaled for multiplexing
// (Google Benchmark does not scale; its issue 1813).
#pragma once

#include <linux/perf_event.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbench::harness {

// Where a figure comes from: the CPU's PMU, the kernel's software counters, or nowhere.
enum class CounterSource { hw, sw, unavailable };
std::string_view name(CounterSource source);

// The system calls counting needs. Tests substitute their own to reach the failure and
// multiplexing paths that a given machine never shows.
class PerfSystem {
 public:
  virtual ~PerfSystem() = default;
  // perf_event_open(attr, calling thread, any CPU, group_fd): an fd, or -errno.
  virtual int open(perf_event_attr& attr, int group_fd) = 0;
  // ioctl(fd, request, PERF_IOC_FLAG_GROUP): 0 or -errno.
  virtual int ioctl_group(int fd, unsigned long request) = 0;
  // read(fd): bytes read, or -errno.
  virtual long read(int fd, void* buffer, std::size_t bytes) = 0;
  virtual void close(int fd) = 0;
};
PerfSystem& real_perf_system();

// What a counted event counts in: user space only, or the kernel too.
enum class CounterScope { user, user_and_kernel };
std::string_view name(CounterScope scope);  // "user", "user+kernel"

struct CounterEvent {
  std::string column;   // "cycles", or a user event's column_for_event()
  std::string event;    // the libpfm4 name it was resolved from
  std::string meaning;  // what it counts on this PMU (the table's words), or empty
  CounterSource source = CounterSource::unavailable;
  std::string problem;  // why it is unavailable: libpfm4's or perf_event_open's reason
  // Hardware events count user space only (the interpreter's own work). Software events
  // count the kernel too where this user may (perf_event_paranoid <= 1 or CAP_PERFMON);
  // where not, they are opened with exclude_kernel (the strictest setting the kernel
  // allows at paranoid 2): task-clock still counts all the time the thread ran (the kernel
  // ignores exclude_kernel for it), page faults count only those taken in user space, and
  // context switches and migrations, which only ever happen in the kernel, are unavailable
  // (they would read 0).
  CounterScope scope = CounterScope::user;
  perf_event_attr attr{};  // libpfm4's encoding, exclude_kernel as `scope` needs
};

class CounterSet {
 public:
  // Resolves a --counters spec: "none", or a comma-separated list of set names (basic,
  // cache, coherence) and libpfm4 event names. A set's event that this PMU does not have is
  // kept as unavailable with a note; a user's event libpfm4 cannot encode at all, or an
  // unknown name, throws UsageError with libpfm4's reason. Every set but none also counts
  // the software events (task-clock, context switches, CPU migrations, page faults). Built
  // without libpfm4, every other event, a user's too, is kept as unavailable ("built
  // without libpfm4").
  static CounterSet resolve(std::string_view spec, PerfSystem& system = real_perf_system());

  const std::vector<CounterEvent>& events() const { return events_; }
  std::vector<std::string> columns() const;
  // One line per event that was skipped or cannot be opened here, with the reason.
  const std::vector<std::string>& notes() const { return notes_; }
  // If hardware events were asked for and none of them can be counted here: one line
  // saying so and why (e.g. ENOENT: no PMU is exposed to this machine). Else empty.
  std::string hardware_unavailable_line() const;

  // How many hardware events a group holds at most: the general-purpose counters of the
  // core PMU, where libpfm4 knows it (pfm_get_pmu_info's num_cntrs), else
  // kDefaultGroupSize; and a line saying which ("hardware groups of 4: ...").
  std::size_t group_size() const { return group_size_; }
  const std::string& group_size_line() const { return group_size_line_; }
  // What a PMU with SMT on can count at once on most x86 parts.
  static constexpr std::size_t kDefaultGroupSize = 4;

 private:
  std::vector<CounterEvent> events_;
  std::vector<std::string> notes_;
  std::size_t group_size_ = kDefaultGroupSize;
  std::string group_size_line_;
};

// What one counter read: scaled for multiplexing, with the factor used.
struct CounterReading {
  std::optional<double> value;  // empty: the event never counted (or is unavailable)
  double scale = 1;             // time_enabled / time_running: 1 = counted all the time
  std::string problem = "";     // why value is empty on this thread ("" where unavailable)
};

// value * enabled / running: what the event would have counted had it run all the time.
// Empty when it never ran (running == 0): a zero there would look like a measurement.
std::optional<double> scale_for_multiplexing(std::uint64_t value, std::uint64_t enabled,
                                             std::uint64_t running);

// The available events of a set, opened for the calling thread: hardware events in groups
// of at most the set's group_size(), software events in a group of their own. A member the
// kernel will not add to a group (EINVAL or ENOSPC: the group does not fit on the PMU)
// starts a group of its own, and so on. An event that fails to open now, an ioctl that
// fails, or a group the PMU never scheduled reads empty with its reason; system calls a
// signal interrupts (EINTR) are made again.
class ThreadCounters {
 public:
  explicit ThreadCounters(const CounterSet& set, PerfSystem& system = real_perf_system());
  ThreadCounters(const ThreadCounters&) = delete;
  ThreadCounters& operator=(const ThreadCounters&) = delete;
  ~ThreadCounters();

  // Reset and enable every group, noting its enabled and running times: PERF_EVENT_IOC_RESET
  // resets the counts, not the times, and a reading scales with the times since start().
  void start();
  void stop();  // disable every group
  // One reading per event of the set, in its order.
  std::vector<CounterReading> read() const;

  // The groups opened, as indices into the set's events, leader first.
  std::vector<std::vector<std::size_t>> groups() const;

 private:
  struct Times {
    std::uint64_t enabled = 0;
    std::uint64_t running = 0;
  };
  struct Group {
    int leader = -1;
    std::vector<std::size_t> members;  // indices into the set's events, leader first
    Times at_start;
    std::string problem;  // an ioctl or read that failed: every member reads empty
  };
  void open_group(const std::vector<std::size_t>& indices);
  // PERF_FORMAT_GROUP's nr, time_enabled, time_running, values; empty (with `problem`
  // set) if the read failed.
  std::vector<std::uint64_t> read_group(const Group& group, std::string& problem) const;
  // The ioctl on the group's leader (EINTR retried); false, with the group's problem set,
  // if it failed.
  bool group_ioctl(Group& group, unsigned long request, const char* name);

  const CounterSet& set_;
  PerfSystem& system_;
  std::vector<Group> groups_;
  std::vector<int> fds_;
  std::vector<std::string> open_problems_;  // per event: why it did not open on this thread
};

// /proc/sys/kernel/perf_event_paranoid ("2"), or "unknown" if it cannot be read.
std::string perf_event_paranoid();

}  // namespace refbench::harness
