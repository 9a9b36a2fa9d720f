// Ratios between strategies taken side by side: within each repetition block (the strategies
// of one block run back to back, so they saw the same machine), then summarised over blocks
// by the median with a distribution-free confidence interval. Blocks are also grouped by the
// bare round trip each saw (the probe), so a run whose PUs moved says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/row.h"

namespace refbench::results {

// numerator/denominator, by strategy name: "civ/atomic".
struct RatioPair {
  std::string numerator;
  std::string denominator;
  std::string text() const { return numerator + "/" + denominator; }
  bool operator==(const RatioPair&) const = default;
};

// The pairs a run reports, for the strategies it has, in this order: each strategy over
// immortal (the floor), then civ/atomic, biased/atomic, civ-deferred/civ, then `asked`
// (--ratios), each once. A pair is kept only when the run has both strategies.
std::vector<RatioPair> headline_pairs(const std::vector<std::string>& strategies,
                                      const std::vector<RatioPair>& asked = {});

// One strategy's figure in one repetition block of one group (same workload, PUs and
// payload), as ratios need it: from a ResultRow, or from a CSV read back.
struct Observation {
  std::string workload;
  std::string pus;
  std::uint64_t payload_bytes = 0;
  std::string strategy;
  unsigned block = 0;  // the repetition
  double ns_per_msg = 0;
  std::optional<double> probe_rtt_ns;
  std::string isolation = "thread";  // the row's --isolation ("thread" in files before it)
};
// The rows that ran (a failed point has no figure and is left out).
std::vector<Observation> observations(const std::vector<ResultRow>& rows);

// Blocks whose probes are within 1.5x of the next one up belong together: the probes are
// sorted and a cluster ends where the next is more than 1.5x the last. More than one
// cluster is drift: the PUs were not the same distance apart for the whole run.
inline constexpr double kDriftFactor = 1.5;
struct ProbeCluster {
  double probe_rtt_ns = 0;       // the median of its blocks' probes
  std::vector<unsigned> blocks;  // in block order
};
std::vector<ProbeCluster> probe_clusters(const std::vector<std::pair<unsigned, double>>& probes);

// A median with its interval. With 6 or more samples the 95 % distribution-free interval
// (order statistics, results/statistics.h); with 2 to 5, [min, max], whose coverage
// (1 - 2^(1-n): 93.75 % for 5) is below 95 % and said; with 1, that value, coverage 0.
struct MedianWithInterval {
  double median = 0;
  double low = 0;
  double high = 0;
  double coverage = 0;
  std::size_t samples = 0;
};
MedianWithInterval median_with_interval(const std::vector<double>& samples);

// One ratio of one group: over all its blocks (cluster 0), or, when the group drifted, over
// the blocks of one probe cluster (1, 2, ... in ascending probe).
struct PairedRatio {
  RatioPair pair;
  unsigned cluster = 0;
  MedianWithInterval ratio;
  std::optional<double> probe_rtt_ns;  // the median probe of the blocks it used
};

// The isolation of a group of ratios taken across isolations: each strategy as processes
// over the same strategy as threads, block by block (--isolation thread,process).
inline constexpr const char* kAcrossIsolations = "process/thread";

struct GroupRatios {
  std::string workload;
  std::string pus;  // ';'-separated, as in the CSV
  std::uint64_t payload_bytes = 0;
  std::vector<ProbeCluster> clusters;  // empty without probes (one PU)
  bool drift = false;
  std::vector<PairedRatio> ratios;  // each pair over all blocks; then per cluster if drift
  // "thread" or "process": ratios between strategies of that isolation; or
  // kAcrossIsolations: each pair is a strategy over itself, as processes over as threads.
  std::string isolation = "thread";

  bool across_isolations() const { return isolation == kAcrossIsolations; }
  // How a ratio of this group is named: "civ/atomic"; across isolations, "atomic
  // process/thread".
  std::string label(const PairedRatio& r) const {
    return across_isolations() ? r.pair.numerator + " " + kAcrossIsolations : r.pair.text();
  }
};

// The ratios of every group in `seen` (same workload, PUs, payload and isolation), in the
// order groups first appear. A block counts for a pair only if both strategies ran in it.
// Where a group ran both as threads and as processes, a kAcrossIsolations group follows its
// two: every strategy that ran both ways, process over thread.
std::vector<GroupRatios> paired_ratios(const std::vector<Observation>& seen,
                                       const std::vector<RatioPair>& asked = {});

// "PUs 0,1 moved during the run: probe 240 ns in 2 blocks, 840 ns in 4"; "" without drift.
std::string drift_line(const GroupRatios& group);

// The interval's half-width (its wider side) as a fraction of the ratio.
double relative_half_width(const MedianWithInterval& m);
// Whether every pooled ratio of the group has a 95 % interval within `fraction` of it.
bool precise_enough(const GroupRatios& group, double fraction);

// The cross-check of pingpong: immortal's p50 round trip (the harness's own, with nothing
// counted) against the bare probe, block by block. It cannot be much below the probe (each
// message moves the line at least once each way) and, on every machine measured, stays
// within kMostHarnessFactor of it; outside [kLeastHarnessFactor, kMostHarnessFactor] it is flagged.
inline constexpr double kMostHarnessFactor = 5.0;
// The least: 0.9, not 1. The probe is the median of 100-round-trip batch means, the p50 the
// median of single round trips; with a hop that moves one line, as the probe's does, the
// two meet, and the p50 lands a few percent either side of the probe (0.95-1.06x measured).
inline constexpr double kLeastHarnessFactor = 0.9;
struct HarnessRoundTrip {
  double harness_ns = 0;  // immortal's p50 round trip, median over blocks
  double probe_ns = 0;    // the probe, median over the same blocks
  double factor = 0;      // median over blocks of harness / probe
  bool within_bound = true;
};
// None unless the rows are pingpong, have immortal, and were probed.
std::optional<HarnessRoundTrip> harness_round_trip(const std::vector<ResultRow>& rows);

// FILE.ratios.csv: one row per ratio, with the columns
// workload, pus, payload_bytes, numerator, denominator, cluster, ratio, ci_low, ci_high,
// ci_coverage, blocks, probe_rtt_ns, drift, isolation (GroupRatios::isolation: a process/thread
// row's numerator and denominator are the same strategy).
std::string ratios_csv(const std::vector<GroupRatios>& groups);
std::vector<std::string> ratios_csv_header();

}  // namespace refbench::results
