// The names users type: strategies, workloads and wait policies.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace refbench::workloads {

// How a reference that crosses interpreters is counted (MISSION.md has the table).
enum class Strategy { gil, racy, atomic, biased, civ, civ_deferred, immortal };
inline constexpr std::array<Strategy, 7> kAllStrategies = {
    Strategy::gil, Strategy::racy,         Strategy::atomic,  Strategy::biased,
    Strategy::civ, Strategy::civ_deferred, Strategy::immortal};

// Every strategy but `racy` must keep every count exact.
constexpr bool is_correct(Strategy s) { return s != Strategy::racy; }

// Who sends to whom (workloads/shapes.h, workloads/group_shapes.h, workloads/shuffle.h):
//   stream    independent pairs, 2k streams to 2k+1: throughput
//   pingpong  independent pairs, round trips: latency
//   pipeline  a chain: each stage passes one of its own objects on per object it received
//   fanout    interpreter 0 broadcasts each object to every other: one count hot on N cores
//   shuffle   all to all: each interpreter sends to every other, round robin
enum class Workload { stream, pingpong, pipeline, fanout, shuffle };
inline constexpr std::array<Workload, 5> kAllWorkloads = {
    Workload::stream, Workload::pingpong, Workload::pipeline, Workload::fanout, Workload::shuffle};

// What a thread does while it cannot go on (full or empty channel, a lock held elsewhere).
//   spin   busy-waits with the CPU's pause hint: lowest latency, needs a core of its own
//   yield  sched_yield between tries: both ends may share a PU
//   block  spins briefly, then sleeps on a futex until woken
enum class WaitPolicy { spin, yield, block };
inline constexpr std::array<WaitPolicy, 3> kAllWaitPolicies = {WaitPolicy::spin, WaitPolicy::yield,
                                                               WaitPolicy::block};

// When a sending interpreter is destroyed:
//   end    after every thread is done (the runtime finalises every interpreter)
//   early  by its own thread, as soon as it has sent its last message, while receivers
//          may still hold references and views of its objects (the seed's last case)
enum class Teardown { end, early };

std::string_view name(Strategy s);
std::string_view name(Workload w);
std::string_view name(WaitPolicy w);
std::string_view name(Teardown t);

std::optional<Strategy> parse_strategy(std::string_view text);
std::optional<Workload> parse_workload(std::string_view text);
std::optional<WaitPolicy> parse_wait_policy(std::string_view text);
std::optional<Teardown> parse_teardown(std::string_view text);

// "gil, racy, atomic, biased, civ, civ-deferred, immortal": for error messages and --help.
std::string strategy_names();
std::string workload_names();
std::string wait_policy_names();

}  // namespace refbench::workloads
