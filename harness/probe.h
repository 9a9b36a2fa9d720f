// The bare distance between two PUs, measured right before a point: a cache-line ping-pong
// between two threads pinned to them (as c2clat does), with no channel, no lock and no
// count. It is what the point's own figures are compared to, block by block: a VM's vCPUs
// may move between physical placements, and the probe says which one a block saw.
#pragma once

#include <optional>

#include "pinning/topology.h"

namespace refbench::harness {

struct ProbeShape {
  unsigned warmup_round_trips = 200;  // not timed: both lines settle
  unsigned batches = 30;              // each timed as one: the median batch is the figure
  unsigned round_trips_per_batch = 100;
};

// The median over batches of one round trip's time, in ns: thread A writes the line, thread
// B (on the other PU) sees it and writes back, A sees that. A few thousand round trips, a
// millisecond or two apart. Needs this machine's topology (it binds threads); the PUs must
// differ. Throws pinning::PinningError if a thread cannot be bound.
double probe_round_trip_ns(const pinning::Topology& topo, unsigned pu_a, unsigned pu_b,
                           const ProbeShape& shape = {});

}  // namespace refbench::harness
