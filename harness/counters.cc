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

// perf_event_open's errno, said so that a user knows what to do about it.
std::string open_problem(int error) {
  switch (error) {
    case ENOENT:
      return "ENOENT: this machine has no such event; no hardware PMU is exposed (usual in "
             "VMs and containers), or this PMU lacks the event";
    case EACCES:
    case EPERM:
      return std::string(error == EACCES ? "EACCES" : "EPERM") +
             ": not permitted with /proc/sys/kernel/perf_event_paranoid = " +
             perf_event_paranoid() +
             " (counting one's own threads in user space needs 2 or less, or CAP_PERFMON)";
    case EOPNOTSUPP:
      return "EOPNOTSUPP: the PMU or kernel does not support this event";
    case ENODEV:
      return "ENODEV: the PMU this event needs is not on this machine";
    case EINVAL:
      return "EINVAL: the kernel rejected the encoding (an attribute this PMU lacks)";
    default:
      return std::string("errno ") + std::to_string(error) + ": " + std::strerror(error);
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
std::string probe(CounterEvent& e, PerfSystem& system) {
  perf_event_attr attr = e.attr;
  set_up_for_group_reading(attr, true);
  const int fd = system.open(attr, -1);
  if (fd < 0) return open_problem(-fd);
  system.close(fd);
  return "";
}

CounterEvent resolve_event(const EventName& name, PerfSystem& system) {
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
  // Hardware events count user space only: the interpreter's own work. Software events
  // count kernel time too: a context switch or a page fault happens in the kernel by
  // definition, and task-clock should be all the time the thread ran.
  if (e.attr.type == PERF_TYPE_SOFTWARE) e.attr.exclude_kernel = 0;
  const CounterSource kind =
      e.attr.type == PERF_TYPE_SOFTWARE ? CounterSource::sw : CounterSource::hw;
  e.problem = probe(e, system);
  if (e.problem.empty()) e.source = kind;
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

std::string perf_event_paranoid() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string level;
  return in >> level ? level : "unknown";
}

PerfSystem& real_perf_system() {
  static LinuxPerfSystem system;
  return system;
}

CounterSet CounterSet::resolve(std::string_view spec, PerfSystem& system) {
  CounterSet set;
  if (spec == "none") return set;
  std::vector<bool> from_user;
  const std::vector<EventName> names = names_in(spec, from_user);
  for (std::size_t i = 0; i < names.size(); ++i) {
    CounterEvent e = resolve_event(names[i], system);
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
    : set_(set), system_(system) {
  std::vector<std::size_t> hardware, software;
  for (std::size_t i = 0; i < set.events().size(); ++i) {
    const CounterEvent& e = set.events()[i];
    if (e.source == CounterSource::hw) hardware.push_back(i);
    if (e.source == CounterSource::sw) software.push_back(i);
  }
  for (std::size_t first = 0; first < hardware.size(); first += kMaxHardwarePerGroup) {
    const std::size_t last = std::min(hardware.size(), first + kMaxHardwarePerGroup);
    open_group({hardware.begin() + static_cast<std::ptrdiff_t>(first),
                hardware.begin() + static_cast<std::ptrdiff_t>(last)});
  }
  if (!software.empty()) open_group(software);
}

// Opens a group; members that fail to open now are left out of it (they read as
// unavailable), and a group whose leader fails is dropped.
void ThreadCounters::open_group(const std::vector<std::size_t>& indices) {
  Group group;
  for (std::size_t index : indices) {
    perf_event_attr attr = set_.events()[index].attr;
    const bool leader = group.leader < 0;
    set_up_for_group_reading(attr, leader);
    const int fd = system_.open(attr, leader ? -1 : group.leader);
    if (fd < 0) continue;  // unavailable on this thread; a failed leader's successor leads
    fds_.push_back(fd);
    if (leader) group.leader = fd;
    group.members.push_back(index);
  }
  if (group.leader >= 0) groups_.push_back(std::move(group));
}

ThreadCounters::~ThreadCounters() {
  for (int fd : fds_) system_.close(fd);
}

void ThreadCounters::start() {
  for (const Group& g : groups_) {
    system_.ioctl_group(g.leader, PERF_EVENT_IOC_RESET);
    system_.ioctl_group(g.leader, PERF_EVENT_IOC_ENABLE);
  }
}

void ThreadCounters::stop() {
  for (const Group& g : groups_) system_.ioctl_group(g.leader, PERF_EVENT_IOC_DISABLE);
}

std::vector<CounterReading> ThreadCounters::read() const {
  std::vector<CounterReading> readings(set_.events().size());
  for (const Group& g : groups_) {
    // PERF_FORMAT_GROUP with both times: nr, time_enabled, time_running, value[nr].
    std::vector<std::uint64_t> buffer(3 + g.members.size());
    const long bytes = system_.read(g.leader, buffer.data(), buffer.size() * sizeof(std::uint64_t));
    if (bytes < static_cast<long>(3 * sizeof(std::uint64_t))) continue;
    const std::size_t count = std::min<std::size_t>(buffer[0], g.members.size());
    const double scale =
        buffer[2] == 0 ? 0 : static_cast<double>(buffer[1]) / static_cast<double>(buffer[2]);
    for (std::size_t k = 0; k < count; ++k) {
      CounterReading& r = readings[g.members[k]];
      r.value = scale_for_multiplexing(buffer[3 + k], buffer[1], buffer[2]);
      r.scale = std::max(scale, 1.0);
    }
  }
  return readings;
}

}  // namespace refbench::harness
