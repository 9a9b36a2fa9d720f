#include "harness/machine.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <vector>

#include "harness/version.h"

namespace refbench::harness {
namespace {

std::optional<std::string> first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return line;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

std::string kernel() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.version + " " + u.machine;
}

// intel_pstate says "no_turbo"; acpi-cpufreq and amd-pstate say "boost".
void read_frequency(results::Metadata& m) {
  m.governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (const auto no_turbo = first_line("/sys/devices/system/cpu/intel_pstate/no_turbo")) {
    m.turbo = *no_turbo == "1" ? "off" : "on";
  } else if (const auto boost = first_line("/sys/devices/system/cpu/cpufreq/boost")) {
    m.turbo = *boost == "1" ? "on" : "off";
  }
  if (!m.governor || !m.turbo) {
    m.frequency_note = std::string("not readable here: ") +
                       (!m.governor ? "no cpufreq governor (usual in VMs)" : "") +
                       (!m.governor && !m.turbo ? "; " : "") +
                       (!m.turbo ? "no turbo/boost switch in sysfs" : "");
  }
}

}  // namespace

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "unknown";
}

std::string utc_now_iso8601() {
  char text[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

results::Metadata describe_machine(const pinning::Topology& topo, const CounterSet& counters,
                                   const std::string& command_line) {
  results::Metadata m;
  m.refbench_version = kVersion;
  m.git_commit = kGitCommit;
  m.command_line = command_line;
  m.date = utc_now_iso8601();
  m.host = host_name();
  m.cpu_model = cpu_model();
  m.kernel = kernel();
  m.compiler = kCompiler;
  m.compiler_flags = kCompilerFlags;
  m.build_type = kBuildType;
  m.topology_source = topo.source();
  const std::string description = topo.describe();
  m.topology_summary = description.substr(0, description.find('\n'));
  m.pus = static_cast<unsigned>(topo.pus().size());
  for (const CounterEvent& e : counters.events()) {
    const bool counted = e.source != CounterSource::unavailable;
    m.counters.push_back({e.column, e.event, std::string(name(e.source)), e.problem,
                          counted ? std::string(name(e.scope)) : "", e.meaning});
  }
  read_frequency(m);
  return m;
}

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// This process's cgroup (v2: the "0::" line of /proc/self/cgroup; v1: the pids
// controller's line) and the pids.max that applies to it.
std::string cgroup_pids_limit() {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const bool v2 = line.rfind("0::", 0) == 0;
    const std::size_t colon = line.find(':');
    const std::size_t second = line.find(':', colon + 1);
    if (colon == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(colon + 1, second - colon - 1);
    if (!v2 && controllers.find("pids") == std::string::npos) continue;
    const std::string group = line.substr(second + 1);
    const std::string root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids";
    const std::string max = first_line(root + group + "/pids.max");
    if (!max.empty() && max != "max") {
      return "pids.max " + max + " of cgroup " + group + " (every thread counts)";
    }
  }
  return "";
}

}  // namespace

std::string thread_limits() {
  std::vector<std::string> limits;
  rlimit limit{};
  if (getrlimit(RLIMIT_NPROC, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    limits.push_back("ulimit -u " + std::to_string(limit.rlim_cur) +
                     " (RLIMIT_NPROC: every process and thread of this user counts)");
  }
  if (const std::string pids = cgroup_pids_limit(); !pids.empty()) limits.push_back(pids);
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    limits.push_back("ulimit -v " + std::to_string(limit.rlim_cur / 1024) +
                     " KiB (RLIMIT_AS: each thread's stack needs address space)");
  }
  if (limits.empty()) {
    return "no per-user, cgroup or address-space limit is set here: the system's "
           "(kernel.threads-max, memory) is what ran out";
  }
  std::string text = "the likely limit: ";
  for (std::size_t i = 0; i < limits.size(); ++i) text += (i > 0 ? "; " : "") + limits[i];
  return text;
}

}  // namespace refbench::harness
