// Facts about the machine and the build, for the metadata record of every result file.
#pragma once

#include <string>

#include "harness/counters.h"
#include "pinning/topology.h"
#include "results/metadata.h"

namespace refbench::harness {

// Everything but the topology XML's file name, which the caller sets once it knows where
// the results go. Unreadable facts (no cpufreq in a VM) are left empty with a note.
results::Metadata describe_machine(const pinning::Topology& topo, const CounterSet& counters,
                                   const std::string& command_line);

// This machine's host name (gethostname), "unknown" if it has none.
std::string host_name();

// "2026-11-25T06:10:00Z".
std::string utc_now_iso8601();

// The limits that can stop this process from creating threads, those that are set:
// "ulimit -u 100 (RLIMIT_NPROC: every process and thread of this user counts); pids.max
// 100 of cgroup /batch (every thread counts)"; or where none is set, that the system-wide
// limits (threads-max, memory) are what is left.
std::string thread_limits();

}  // namespace refbench::harness
