// Counting events per thread through perf_event_open, with libpfm4 naming them (libpfm.h:
// libpfm.cc is the only file that includes <perfmon/...>; a build without libpfm4 counts
// the kernel's software events only).
//
// A CounterSet is what --counters asked for, resolved once on this machine: each event
// encoded by libpfm4 and opened once to learn whether it can be counted here. Each
// interpreter thread then opens its own ThreadCounters (its own thread, user space only),
// in groups, starts and stops them around the measured region, and reads them scaled for
// multiplexing (Google Benchmark does not scale; its issue 1813).
#pragma once

#include <linux/perf_event.h>

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

struct CounterEvent {
  std::string column;   // "cycles", or a user event's column_for_event()
  std::string event;    // the libpfm4 name it was resolved from
  std::string meaning;  // what it counts on this PMU (the table's words), or empty
  CounterSource source = CounterSource::unavailable;
  std::string problem;     // why it is unavailable: libpfm4's or perf_event_open's reason
  perf_event_attr attr{};  // libpfm4's encoding: hardware user space only, software all
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

 private:
  std::vector<CounterEvent> events_;
  std::vector<std::string> notes_;
};

// What one counter read: scaled for multiplexing, with the factor used.
struct CounterReading {
  std::optional<double> value;  // empty: the event never counted (or is unavailable)
  double scale = 1;             // time_enabled / time_running: 1 = counted all the time
};

// value * enabled / running: what the event would have counted had it run all the time.
// Empty when it never ran (running == 0): a zero there would look like a measurement.
std::optional<double> scale_for_multiplexing(std::uint64_t value, std::uint64_t enabled,
                                             std::uint64_t running);

// The available events of a set, opened for the calling thread: hardware events in groups
// of at most kMaxHardwarePerGroup (what a PMU with SMT on can count at once), software
// events in a group of their own. An event that fails to open now reads as unavailable.
class ThreadCounters {
 public:
  static constexpr std::size_t kMaxHardwarePerGroup = 4;

  explicit ThreadCounters(const CounterSet& set, PerfSystem& system = real_perf_system());
  ThreadCounters(const ThreadCounters&) = delete;
  ThreadCounters& operator=(const ThreadCounters&) = delete;
  ~ThreadCounters();

  void start();  // reset and enable every group
  void stop();   // disable every group
  // One reading per event of the set, in its order.
  std::vector<CounterReading> read() const;

 private:
  struct Group {
    int leader = -1;
    std::vector<std::size_t> members;  // indices into the set's events, leader first
  };
  void open_group(const std::vector<std::size_t>& indices);

  const CounterSet& set_;
  PerfSystem& system_;
  std::vector<Group> groups_;
  std::vector<int> fds_;
};

// /proc/sys/kernel/perf_event_paranoid ("2"), or "unknown" if it cannot be read.
std::string perf_event_paranoid();

}  // namespace refbench::harness
