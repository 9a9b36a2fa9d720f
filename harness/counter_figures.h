// Turning each interpreter thread's counter readings into a row's counter figures.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/counters.h"
#include "results/row.h"
#include "workloads/point.h"

namespace refbench::harness {

// For each event of the set: the total over all threads, per message, and per role. An
// event unavailable here, or that failed to count on any thread of the point, gives empty
// values (a partial sum would understate), and the first such thread's reason as the
// figure's problem. `per_thread[i]` is thread i's readings, `roles` its role, `traffic`
// what it sent and received in the timed phase. per_msg is the total over `messages` (every
// hand-off of the point). The sender figure sums the threads whose role is sender, over
// what those threads sent; the receiver figure sums those whose role is receiver, over
// what they received: in a pipeline of n, the first stage's figure per object it sent and
// the last's per object it received (not per (n-1) x N hand-offs); in pingpong, the
// starter's per round trip it started (it also receives each answer) and the answerer's
// per round trip it answered. Relays and peers (they do both) count in the total only; a
// role no thread has, or whose threads moved no message, gives an empty figure.
std::vector<results::CounterFigure> counter_figures(
    const CounterSet& set, const std::vector<std::vector<CounterReading>>& per_thread,
    const std::vector<workloads::Role>& roles, const std::vector<workloads::Traffic>& traffic,
    std::uint64_t messages);

}  // namespace refbench::harness
