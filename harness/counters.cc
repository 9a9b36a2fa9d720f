#include "harness/counters.h"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

#include "harness/counter_sets.h"
#include "harness/libpfm.h"
#include "harness/parse.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

class LinuxPerfSystem : public PerfSystem {
 public:
  int open(perf_event_attr& attr, int group_fd) override {
    const long fd = syscall(SYS_perf_event_open, &attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : static_cast<int>(fd);
  }
  int ioctl_group(int fd, unsigned long request) override {
    return ::ioctl(fd, request, PERF_IOC_FLAG_GROUP) < 0 ? -errno : 0;
  }
  long read(int fd, void* buffer, std::size_t bytes) override {
    const ssize_t n = ::read(fd, buffer, bytes);
    return n < 0 ? -errno : n;
  }
  void close(int fd) override { ::close(fd); }
};

std::string errno_name(int error) {
  switch (error) {
    case EACCES:
      return "EACCES";
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case EINVAL:
      return "EINVAL";
    case EINTR:
      return "EINTR";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case ENODEV:
      return "ENODEV";
    case ENOSPC:
      return "ENOSPC";
    case EBADF:
      return "EBADF";
    default:
      return "errno " + std::to_string(error);
  }
}

bool is_permission(int error) { return error == EACCES || error == EPERM; }

// What perf_event_paranoid lets a user without CAP_PERFMON count of its own threads.
std::string paranoid_requirement(bool kernel) {
  return kernel ? "counting kernel time needs perf_event_paranoid <= 1 or CAP_PERFMON"
                : "counting user space needs perf_event_paranoid <= 2 (3 and above, a "
                  "distribution's setting, refuses every event) or CAP_PERFMON";
}

// perf_event_open's errno, said so that a user knows what to do about it. `kernel`: the
// event was asked to count kernel time too.
std::string open_problem(int error, bool kernel) {
  switch (error) {
    case ENOENT:
      return "ENOENT: this machine has no such event; no hardware PMU is exposed (usual in "
             "VMs and containers), or this PMU lacks the event";
    case EACCES:
    case EPERM:
      return errno_name(error) + ": not permitted with /proc/sys/kernel/perf_event_paranoid = " +
             perf_event_paranoid() + " (" + paranoid_requirement(kernel) + ")";
    case EOPNOTSUPP:
      return "EOPNOTSUPP: the PMU or kernel does not support this event";
    case ENODEV:
      return "ENODEV: the PMU this event needs is not on this machine";
    case EINVAL:
      return "EINVAL: the kernel rejected the encoding (an attribute this PMU lacks)";
    default:
      return errno_name(error) + ": " + std::strerror(error);
  }
}

// How a software event reads with exclude_kernel set (what paranoid 2 allows).
enum class WithoutKernel { same, user_only, always_zero };
WithoutKernel without_kernel(const perf_event_attr& attr) {
  switch (attr.config) {
    case PERF_COUNT_SW_TASK_CLOCK:
    case PERF_COUNT_SW_CPU_CLOCK:
      return WithoutKernel::same;  // a clock: exclude_kernel filters its samples only
    case PERF_COUNT_SW_CONTEXT_SWITCHES:
    case PERF_COUNT_SW_CPU_MIGRATIONS:
      return WithoutKernel::always_zero;  // only ever happen in the kernel
    default:
      return WithoutKernel::user_only;
  }
}

// perf_event_open, again while a signal interrupts it.
int open_retrying(PerfSystem& system, perf_event_attr& attr, int group_fd) {
  for (;;) {
    const int fd = system.open(attr, group_fd);
    if (fd != -EINTR) return fd;
  }
}

void set_up_for_group_reading(perf_event_attr& attr, bool leader) {
  attr.disabled = leader ? 1 : 0;  // members follow their leader
  attr.exclude_hv = 1;
  attr.inherit = 0;
  attr.read_format =
      PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
}

// Opens the event alone on the calling thread, then closes it: can it be counted here?
// 0, or the errno.
int probe(const perf_event_attr& encoded, PerfSystem& system) {
  perf_event_attr attr = encoded;
  set_up_for_group_reading(attr, true);
  const int fd = open_retrying(system, attr, -1);
  if (fd < 0) return -fd;
  system.close(fd);
  return 0;
}

// A software event: with kernel time where this user may count it, else in user space
// only where that still means what the column says.
void resolve_software(CounterEvent& e, PerfSystem& system, std::vector<std::string>& notes) {
  e.attr.exclude_kernel = 0;
  const int error = probe(e.attr, system);
  if (error == 0) {
    e.source = CounterSource::sw;
    e.scope = CounterScope::user_and_kernel;
    return;
  }
  if (!is_permission(error)) {
    e.problem = open_problem(error, true);
    return;
  }
  const WithoutKernel without = without_kernel(e.attr);
  if (without == WithoutKernel::always_zero) {
    e.problem = open_problem(error, true) +
                "; it happens only in the kernel, so counted in user space it would read 0";
    return;
  }
  e.attr.exclude_kernel = 1;
  if (const int user_error = probe(e.attr, system); user_error != 0) {
    e.problem = open_problem(user_error, false);
    return;
  }
  e.source = CounterSource::sw;
  if (without == WithoutKernel::same) {
    e.scope = CounterScope::user_and_kernel;  // the kernel counts a clock either way
    return;
  }
  e.scope = CounterScope::user;
  notes.push_back(e.column + " (" + e.event + "): user space only (exclude_kernel) at " +
                  "perf_event_paranoid = " + perf_event_paranoid() + ": what happens in the " +
                  "kernel is not counted; " + paranoid_requirement(true));
}

CounterEvent resolve_event(const EventName& name, PerfSystem& system,
                           std::vector<std::string>& notes) {
  CounterEvent e;
  e.column = name.column;
  e.event = name.event;
  e.meaning = name.meaning;
  // The table says this PMU has no event that means what the column says, and why.
  if (name.event.empty()) {
    e.event = "(none on this PMU)";
    e.problem = name.meaning;
    return e;
  }
  if (std::string problem = encode_event(name.event, e.attr); !problem.empty()) {
    // Without libpfm4 an event is not missing from this PMU: it cannot be named at all.
    e.problem = kLibpfmSupported ? "not on this PMU (libpfm4: " + problem + ")" : problem;
    return e;
  }
  // Software events count kernel time where they may: a context switch or a page fault
  // happens in the kernel by definition, and task-clock should be all the time the thread
  // ran. Hardware events count user space only: the interpreter's own work.
  if (e.attr.type == PERF_TYPE_SOFTWARE) {
    resolve_software(e, system, notes);
    return e;
  }
  e.attr.exclude_kernel = 1;
  if (const int error = probe(e.attr, system); error != 0) {
    e.problem = open_problem(error, false);
    return e;
  }
  e.source = CounterSource::hw;
  e.scope = CounterScope::user;
  return e;
}

// The events a spec names, in order, software events first.
std::vector<EventName> names_in(std::string_view spec, std::vector<bool>& from_user) {
  std::vector<EventName> names(software_events().begin(), software_events().end());
  from_user.assign(names.size(), false);
  auto add = [&](std::vector<EventName> more, bool user) {
    for (EventName& n : more) {
      const bool seen = std::any_of(names.begin(), names.end(),
                                    [&](const EventName& m) { return m.column == n.column; });
      if (seen) continue;
      names.push_back(std::move(n));
      from_user.push_back(user);
    }
  };
  for (const std::string& item : split_list("--counters", spec)) {
    if (item == "none")
      throw UsageError("--counters: 'none' cannot be combined with other counters");
    if (item == "basic" || item == "cache" || item == "coherence") {
      add(hardware_events_of(item, detected_core_pmu()), false);
    } else {
      add({{column_for_event(item), item}}, true);
    }
  }
  return names;
}

std::string counter_problem_note(const CounterEvent& e) {
  return e.column + " (" + e.event + "): " + e.problem;
}

}  // namespace

std::string_view name(CounterSource source) {
  switch (source) {
    case CounterSource::hw:
      return "hw";
    case CounterSource::sw:
      return "sw";
    case CounterSource::unavailable:
      return "unavailable";
  }
  return "?";
}

std::string_view name(CounterScope scope) {
  return scope == CounterScope::user ? "user" : "user+kernel";
}

std::string perf_event_paranoid() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string level;
  return in >> level ? level : "unknown";
}

PerfSystem& real_perf_system() {
  static LinuxPerfSystem system;
  return system;
}

namespace {

// Hardware events per group: the core PMU's general-purpose counters where libpfm4 knows
// them. Fixed counters are left out: only a few events (cycles, instructions) can use them.
void choose_group_size(std::size_t& size, std::string& line) {
  for (const PmuInfo& pmu : detected_pmus()) {
    if (!pmu.core || pmu.counters <= 0) continue;
    size = static_cast<std::size_t>(pmu.counters);
    line = "hardware groups of at most " + std::to_string(size) + " events: the " +
           "general-purpose counters of the core PMU " + pmu.name + " (libpfm4's num_cntrs, " +
           "from its table where it cannot ask the CPU, so perhaps those of a core without " +
           "SMT; a member the kernel will not take is split off into a group of its own; its " +
           std::to_string(pmu.fixed_counters) + " fixed counters are not relied on)";
    return;
  }
  size = CounterSet::kDefaultGroupSize;
  line = "hardware groups of at most " + std::to_string(size) + " events, a safe default: " +
         (kLibpfmSupported ? std::string("libpfm4 knows no core PMU here")
                           : std::string(kWithoutLibpfm)) +
         " (a group the PMU cannot fit is split when it is opened)";
}

}  // namespace

CounterSet CounterSet::resolve(std::string_view spec, PerfSystem& system) {
  CounterSet set;
  choose_group_size(set.group_size_, set.group_size_line_);
  if (spec == "none") return set;
  std::vector<bool> from_user;
  const std::vector<EventName> names = names_in(spec, from_user);
  for (std::size_t i = 0; i < names.size(); ++i) {
    CounterEvent e = resolve_event(names[i], system, set.notes_);
    if (from_user[i] && e.problem.rfind("not on this PMU", 0) == 0) {
      throw UsageError("--counters: '" + names[i].event +
                       "' is not an event libpfm4 can encode here: " + e.problem +
                       " (see refbench events)");
    }
    if (e.source == CounterSource::unavailable) set.notes_.push_back(counter_problem_note(e));
    set.events_.push_back(std::move(e));
  }
  return set;
}

std::vector<std::string> CounterSet::columns() const {
  std::vector<std::string> columns;
  for (const CounterEvent& e : events_) columns.push_back(e.column);
  return columns;
}

std::string CounterSet::hardware_unavailable_line() const {
  const CounterEvent* first_hardware = nullptr;
  for (const CounterEvent& e : events_) {
    const bool hardware = e.attr.type != PERF_TYPE_SOFTWARE;
    if (!hardware) continue;
    if (e.source == CounterSource::hw) return "";
    if (!first_hardware) first_hardware = &e;
  }
  if (!first_hardware) return "";
  return "hardware counters unavailable: " + first_hardware->event + ": " +
         first_hardware->problem +
         "; software counters are still counted, and each counter's _source column says hw, "
         "sw or unavailable";
}

std::optional<double> scale_for_multiplexing(std::uint64_t value, std::uint64_t enabled,
                                             std::uint64_t running) {
  if (running == 0) return std::nullopt;
  if (running >= enabled) return static_cast<double>(value);
  return static_cast<double>(value) * static_cast<double>(enabled) / static_cast<double>(running);
}

ThreadCounters::ThreadCounters(const CounterSet& set, PerfSystem& system)
    : set_(set), system_(system), open_problems_(set.events().size()) {
  std::vector<std::size_t> hardware, software;
  for (std::size_t i = 0; i < set.events().size(); ++i) {
    const CounterEvent& e = set.events()[i];
    if (e.source == CounterSource::hw) hardware.push_back(i);
    if (e.source == CounterSource::sw) software.push_back(i);
  }
  const std::size_t size = std::max<std::size_t>(1, set.group_size());
  for (std::size_t first = 0; first < hardware.size(); first += size) {
    const std::size_t last = std::min(hardware.size(), first + size);
    open_group({hardware.begin() + static_cast<std::ptrdiff_t>(first),
                hardware.begin() + static_cast<std::ptrdiff_t>(last)});
  }
  if (!software.empty()) open_group(software);
}

// Opens the events as one group, or as several where the kernel will not take a member
// into it (EINVAL or ENOSPC: more than the PMU can count at once): that member leads the
// next group, and the rest follow it. An event that fails otherwise keeps its reason; a
// failed leader's successor leads.
void ThreadCounters::open_group(const std::vector<std::size_t>& indices) {
  std::size_t k = 0;
  while (k < indices.size()) {
    Group group;
    for (; k < indices.size(); ++k) {
      const std::size_t index = indices[k];
      perf_event_attr attr = set_.events()[index].attr;
      const bool leader = group.leader < 0;
      set_up_for_group_reading(attr, leader);
      const int fd = open_retrying(system_, attr, leader ? -1 : group.leader);
      if (fd >= 0) {
        fds_.push_back(fd);
        if (leader) group.leader = fd;
        group.members.push_back(index);
        continue;
      }
      if (!leader && (fd == -EINVAL || fd == -ENOSPC)) break;  // it leads the next group
      open_problems_[index] =
          "could not be opened on this thread: " + open_problem(-fd, attr.exclude_kernel == 0);
    }
    if (group.leader >= 0) groups_.push_back(std::move(group));
  }
}

ThreadCounters::~ThreadCounters() {
  for (int fd : fds_) system_.close(fd);
}

std::vector<std::vector<std::size_t>> ThreadCounters::groups() const {
  std::vector<std::vector<std::size_t>> groups;
  for (const Group& g : groups_) groups.push_back(g.members);
  return groups;
}

bool ThreadCounters::group_ioctl(Group& group, unsigned long request, const char* name) {
  int result = 0;
  do {
    result = system_.ioctl_group(group.leader, request);
  } while (result == -EINTR);
  if (result == 0) return true;
  group.problem =
      std::string(name) + " failed: " + errno_name(-result) + ": " + std::strerror(-result);
  return false;
}

std::vector<std::uint64_t> ThreadCounters::read_group(const Group& group,
                                                      std::string& problem) const {
  // PERF_FORMAT_GROUP with both times: nr, time_enabled, time_running, value[nr].
  std::vector<std::uint64_t> buffer(3 + group.members.size());
  const std::size_t want = buffer.size() * sizeof(std::uint64_t);
  long bytes = 0;
  do {
    bytes = system_.read(group.leader, buffer.data(), want);
  } while (bytes == -EINTR);
  if (bytes < 0) {
    const int error = static_cast<int>(-bytes);
    problem = "read failed: " + errno_name(error) + ": " + std::strerror(error);
    return {};
  }
  if (static_cast<std::size_t>(bytes) != want || buffer[0] != group.members.size()) {
    problem = "read gave " + std::to_string(bytes) + " bytes for " + std::to_string(buffer[0]) +
              " events; expected " + std::to_string(want) + " for " +
              std::to_string(group.members.size());
    return {};
  }
  return buffer;
}

void ThreadCounters::start() {
  for (Group& g : groups_) {
    g.problem.clear();
    if (!group_ioctl(g, PERF_EVENT_IOC_RESET, "PERF_EVENT_IOC_RESET")) continue;
    // Disabled, so its times stand still until it is enabled: they are where this count
    // starts from.
    const std::vector<std::uint64_t> now = read_group(g, g.problem);
    if (now.empty()) continue;
    g.at_start = {now[1], now[2]};
    group_ioctl(g, PERF_EVENT_IOC_ENABLE, "PERF_EVENT_IOC_ENABLE");
  }
}

void ThreadCounters::stop() {
  for (Group& g : groups_) {
    if (g.problem.empty()) group_ioctl(g, PERF_EVENT_IOC_DISABLE, "PERF_EVENT_IOC_DISABLE");
  }
}

std::vector<CounterReading> ThreadCounters::read() const {
  std::vector<CounterReading> readings(set_.events().size());
  for (std::size_t i = 0; i < readings.size(); ++i) readings[i].problem = open_problems_[i];
  for (const Group& g : groups_) {
    std::string problem = g.problem;
    std::vector<std::uint64_t> data;
    if (problem.empty()) data = read_group(g, problem);
    std::uint64_t enabled = 0, running = 0;
    if (!data.empty()) {
      enabled = data[1] - std::min(data[1], g.at_start.enabled);
      running = data[2] - std::min(data[2], g.at_start.running);
      if (running == 0) {
        problem =
            "never counted: the PMU did not schedule its group in the timed phase "
            "(time_running did not advance; other groups or users held the counters)";
      }
    }
    for (std::size_t k = 0; k < g.members.size(); ++k) {
      CounterReading& r = readings[g.members[k]];
      if (!problem.empty()) {
        r.problem = problem;
        continue;
      }
      r.value = scale_for_multiplexing(data[3 + k], enabled, running);
      r.scale =
          running >= enabled ? 1.0 : static_cast<double>(enabled) / static_cast<double>(running);
    }
  }
  return readings;
}

}  // namespace refbench::harness
