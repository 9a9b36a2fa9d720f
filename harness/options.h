// What the commands were asked to do, after parsing and checking.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pinning/topology.h"
#include "results/ratios.h"
#include "results/sink.h"
#include "workloads/point.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {

// Every per-point setting at the default harness/settings.cc declares for it.
workloads::PointConfig default_point_config();

// What every point of a run or a sweep shares: the plan's dimensions and, in `config`, each
// point's settings (harness/settings.h declares every option once, with its default).
struct PointOptions {
  std::vector<workloads::Strategy> strategies{workloads::kAllStrategies.begin(),
                                              workloads::kAllStrategies.end()};
  // The default run's question, in about a minute: the pairs. `--workload all` adds the
  // N-interpreter shapes.
  std::vector<workloads::Workload> workloads{workloads::Workload::stream,
                                             workloads::Workload::pingpong};
  std::vector<std::uint32_t> payloads{64};
  // --isolation: what each interpreter runs as; with both, every strategy runs as threads
  // and as processes in each repetition block, side by side (config.isolation is set per
  // point by plan.cc's point_config).
  std::vector<workloads::Isolation> isolations{workloads::Isolation::thread};
  std::optional<workloads::WaitPolicy> wait;  // none: auto (spin apart, yield on one PU)
  unsigned repetitions = 6;       // the fewest with a 95 % confidence interval of the median
  double noise_threshold = 0.05;  // a point whose CV exceeds it is flagged noisy
  std::vector<results::RatioPair> ratios;  // --ratios: reported beside the headline ones
  // --precision: blocks are added until every headline ratio's 95 % interval is within
  // this fraction of it, up to max_repetitions blocks in all.
  std::optional<double> precision;
  unsigned max_repetitions = 30;
  // --budget: the whole plan's time; each point's timed phase is chosen to fit it.
  std::optional<std::chrono::nanoseconds> budget;
  pinning::MemoryPolicy memory = pinning::MemoryPolicy::local;
  std::string counters = "basic";  // a --counters spec, resolved by CounterSet
  // The settings of each point; plan.cc's point_config adds what the plan decides (strategy,
  // workload, wait policy, interpreters, payload). `messages` > 0 replaces `duration`.
  workloads::PointConfig config = default_point_config();
};

// Where the plan comes from and where its results go.
struct OutputOptions {
  std::string topology;                   // "" = this machine; synthetic:... and xml:... plan only
  bool dry_run = false;                   // print the plan, run nothing, write nothing
  bool dry_run_all = false;               // --dry-run=all: every point, not the ends
  std::filesystem::path out;              // empty: results/refbench-YYYYmmdd-HHMMSS.csv (or .json)
  std::optional<results::Format> format;  // none: from --out's extension, else csv
  bool force = false;                     // --force: an existing --out may be replaced
  bool plot = false;                      // draw the plots of the results when done
  bool quiet = false;
  std::string command_line;  // as typed, for the metadata and the resume hint
};

struct RunOptions {
  PointOptions points;
  OutputOptions output;
  // A placement spec for two interpreters; none: one PU, the nearest pair, the farthest.
  std::optional<std::string> cores;
  // --interpreters N --placement P: N interpreters placed by P (instead of --cores).
  std::optional<unsigned> interpreters;
  std::string placement;
};

// One of `count` disjoint parts of a sweep's plan (--shard I/N), 1-based.
struct ShardSpec {
  unsigned index = 1;
  unsigned count = 1;
};

// The PU pairs a sweep visits.
enum class PairSelection {
  all,        // every ordered pair of distinct PUs (a core-to-core matrix)
  unordered,  // every pair once
  symmetric,  // every pair once, measured both ways in each repetition block
  classes,    // the first pair of each distance class present, same PU included
  sample,     // sample_k pairs of each distance class, spread over packages and NUMA nodes
};

struct SweepOptions {
  PointOptions points;
  OutputOptions output;
  PairSelection pairs = PairSelection::classes;
  unsigned sample_k = 0;  // --pairs sample:K
  // Scaling instead of pairs: these interpreter counts, placed by `placement`.
  std::vector<unsigned> interpreters;
  std::string placement;
  // Continue an interrupted sweep: skip the points already in this CSV, append the rest.
  std::filesystem::path resume;
  // Run only this part of the plan; none: all of it (recorded as shard 1 of 1).
  std::optional<ShardSpec> shard;
};

// refbench stress: random points, every one verified, for a time or a count.
struct StressOptions {
  PointOptions base;  // the stall timeout; the rest is drawn at random
  OutputOptions output;
  std::optional<std::string> cores;  // none: the farthest pair of PUs
  double seconds = 10;
  std::uint64_t points = 0;           // 0: run for `seconds`
  std::optional<std::uint64_t> seed;  // none: a random seed, printed
};

struct CompareOptions {
  std::filesystem::path baseline;   // A
  std::filesystem::path candidate;  // B
  double alpha = 0.05;              // significance level of the Mann-Whitney U test
};

// refbench merge: the shards of a sweep (--shard I/N), possibly from several hosts, joined.
struct MergeOptions {
  std::vector<std::filesystem::path> inputs;  // the shards' CSVs, each with its FILE.meta.json
  std::filesystem::path out;                  // the merged CSV (required)
  bool partial = false;                       // allow missing shards and shards that did not finish
  bool force = false;                         // an existing --out may be replaced
  std::string command_line;
};

struct PlotOptions {
  std::filesystem::path csv;
  std::filesystem::path out;  // empty: beside the CSV
};

struct TopologyOptions {
  std::string topology;  // as OutputOptions::topology
  std::optional<std::string> placement;
  unsigned interpreters = 2;
  bool matrix = false;  // print the distance class of every pair of PUs
};

}  // namespace refbench::harness
