// The record that goes with every result file: what ran, where, built how, counting what.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/output_file.h"

namespace refbench::results {

struct CounterProvenance {
  std::string name;     // column prefix
  std::string event;    // libpfm4 name
  std::string source;   // hw, sw or unavailable
  std::string problem;  // why unavailable, else empty
  // What a counted event counts in: "user" (user space only: every hardware event, and a
  // software event this user may not count in the kernel) or "user+kernel"; empty where
  // unavailable.
  std::string scope = "";
  // What the event counts on the PMU it ran on ("retired loads only", "any fill, by the
  // node the address lives on"): figures from two vendors are not alike.
  std::string meaning{};
};

// Which plan a result file holds, and which part of it (`sweep --shard I/N`; 1 of 1 for
// the whole plan): what `refbench merge` checks before it joins files.
struct PlanRecord {
  std::string fingerprint;  // of the full plan, 16 hex digits
  std::size_t points = 0;   // in the full plan
  unsigned shard_index = 1;
  unsigned shard_count = 1;
  std::size_t shard_points = 0;  // planned in this shard
};

// What a run found about its own figures, once its points are done: the groups whose PUs
// moved (their probes fell into clusters, results/ratios.h), the harness's round trip
// against the bare probe, and the ratios --precision did not bring within its bound.
struct RunChecks {
  std::vector<std::string> drift;
  std::vector<std::string> harness_round_trip;
  std::vector<std::string> precision_not_reached;
  std::vector<std::string> counter_overhead;  // a block run again without counters
};

struct Metadata {
  std::string refbench_version;
  std::string git_commit;
  std::string command_line;
  std::string date;  // ISO 8601, UTC
  std::string host;
  std::string cpu_model;
  std::string kernel;
  std::string compiler;
  std::string compiler_flags;
  std::string build_type;
  std::string topology_source;
  std::string topology_summary;  // the first line of `refbench topology`
  std::string topology_xml;      // file name of the hwloc XML beside the results
  unsigned pus = 0;
  std::vector<CounterProvenance> counters;
  std::optional<std::string> governor;  // cpufreq scaling governor, if readable
  std::optional<std::string> turbo;     // "on" / "off", if readable
  std::string frequency_note;           // why governor or turbo are unknown
  std::optional<PlanRecord> plan;       // none for stress, which has no plan
  std::optional<RunChecks> checks;      // written when the run ends
};

nlohmann::ordered_json to_json(const Metadata& metadata);
// The record back from its JSON. Keys that are not there are left empty (files written by
// older versions lack some; "plan" came with sharding). Throws OutputError naming `origin`
// for a value of the wrong type or text that is not a JSON object.
Metadata metadata_from_json(const nlohmann::json& json, const std::string& origin);
// Reads a FILE.meta.json. Throws OutputError naming the path if it cannot be read or is
// not a metadata record.
Metadata read_metadata(const std::filesystem::path& path);

// One shard of a merged sweep (`refbench merge`): the file as given, the rows taken from
// it, and its own metadata record.
struct MergedShard {
  std::string file;
  std::size_t rows = 0;
  Metadata metadata;
};

// The record of a merged file: `summary` (the merge's command line and date, the hosts and
// CPU models of the shards, the plan as a whole), then under "merged" the notes (hosts that
// differ, shards missing) and each shard's file, rows and full record.
nlohmann::ordered_json to_json(const Metadata& summary, const std::vector<MergedShard>& shards,
                               const std::vector<std::string>& notes);

// `results.csv` -> `results.meta.json`, `results.topology.xml`: the files beside a result.
std::filesystem::path metadata_path(const std::filesystem::path& results);
std::filesystem::path topology_xml_path(const std::filesystem::path& results);

}  // namespace refbench::results
