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
// values (a partial sum would understate). `per_thread[i]` is thread i's readings, `roles`
// its role; per-message figures need messages > 0. The sender figure sums the threads whose
// role is sender, the receiver figure those whose role is receiver; relays and peers (they
// do both) count in the total only, and a role no thread has gives an empty figure.
std::vector<results::CounterFigure> counter_figures(
    const CounterSet& set, const std::vector<std::vector<CounterReading>>& per_thread,
    const std::vector<workloads::Role>& roles, std::uint64_t messages);

}  // namespace refbench::harness
