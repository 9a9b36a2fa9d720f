// refbench merge: the shards of a sweep, each a contiguous part of one plan, joined in shard
// order into one CSV in the plan's order. Every check runs before anything is written.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "harness/commands.h"
#include "harness/machine.h"
#include "harness/results_input.h"
#include "harness/usage_error.h"
#include "results/csv.h"
#include "results/metadata.h"
#include "results/row.h"

namespace refbench::harness {
namespace {

namespace fs = std::filesystem;

struct ShardFile {
  std::string name;  // as given
  results::CsvTable table;
  results::Metadata metadata;
  const results::PlanRecord& plan() const { return *metadata.plan; }
};

std::string shard_text(const results::PlanRecord& plan) {
  return "shard " + std::to_string(plan.shard_index) + " of " + std::to_string(plan.shard_count);
}

// "1-3, 5, 7-8": sorted numbers as ranges.
std::string ranges_text(const std::vector<unsigned>& numbers) {
  std::string out;
  for (std::size_t i = 0; i < numbers.size();) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(numbers[i]);
    if (j > i) out += "-" + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

results::CsvTable read_results(const std::string& name) {
  return read_results_csv(name, "merge: ");
}

results::Metadata read_record(const std::string& name) {
  const fs::path meta = results::metadata_path(name);
  if (!fs::exists(meta)) {
    throw UsageError("merge: " + name + " has no " + meta.string() +
                     " beside it (merge needs each shard's metadata: its plan and shard)");
  }
  results::Metadata metadata;
  try {
    metadata = results::read_metadata(meta);
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("merge: ") + e.what());
  }
  if (!metadata.plan) {
    throw UsageError("merge: " + meta.string() +
                     " records no plan (written by stress, or by a refbench from before "
                     "sharding): only sweeps and runs can be merged");
  }
  return metadata;
}

// Each file must be a shard of the first one's plan, cut the same way, with its columns.
void check_same_plan(const ShardFile& first, const ShardFile& other) {
  if (other.table.header != first.table.header) {
    throw UsageError("merge: " + other.name + " has other columns than " + first.name +
                     " (another --counters, or another refbench version)");
  }
  if (other.plan().fingerprint != first.plan().fingerprint) {
    throw UsageError("merge: " + other.name + " is from another plan than " + first.name +
                     " (plan fingerprint " + other.plan().fingerprint + ", " + first.name + "'s " +
                     first.plan().fingerprint +
                     "): other sweep options, or a machine of another topology");
  }
  if (other.plan().shard_count != first.plan().shard_count) {
    throw UsageError("merge: " + other.name + " is " + shard_text(other.plan()) + " and " +
                     first.name + " " + shard_text(first.plan()) +
                     ": the shards of one merge come from one --shard I/N split");
  }
}

// A shard has rows for a prefix of its points: all of them unless it was interrupted.
void check_rows(const ShardFile& shard, bool partial, std::vector<std::string>& notes) {
  const std::size_t rows = shard.table.rows.size();
  const std::size_t planned = shard.plan().shard_points;
  if (rows > planned) {
    throw UsageError("merge: " + shard.name + " has " + std::to_string(rows) + " rows, but " +
                     shard_text(shard.plan()) + " has " + std::to_string(planned) + " points");
  }
  if (rows == planned) return;
  const std::string unfinished = shard.name + " has " + std::to_string(rows) + " of the " +
                                 std::to_string(planned) + " points of " + shard_text(shard.plan());
  if (!partial) {
    throw UsageError("merge: " + unfinished +
                     " (interrupted? finish it with sweep --resume, or merge with --partial)");
  }
  notes.push_back("PARTIAL: " + unfinished);
}

// What makes a row one point: every setting column but the host (a point measured on two
// hosts is still the same point) and the error. The plan fixes the rest for every row.
std::vector<std::size_t> key_columns(const std::vector<std::string>& header) {
  std::vector<std::size_t> columns;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (!results::is_figure(header[c]) && header[c] != "host" && header[c] != "error") {
      columns.push_back(c);
    }
  }
  return columns;
}

std::string describe_row(const ShardFile& shard, std::size_t r) {
  const auto& row = shard.table.rows[r];
  auto at = [&](const char* column) {
    return row[static_cast<std::size_t>(shard.table.column(column))];
  };
  return shard.name + " row " + std::to_string(r + 2) + " (" + at("workload") + " " +
         at("strategy") + " PUs " + at("pus") + " payload " + at("payload_bytes") + " rep " +
         at("repetition") + ")";
}

void check_no_point_twice(const std::vector<ShardFile>& shards) {
  const std::vector<std::size_t> columns = key_columns(shards.front().table.header);
  std::map<std::string, std::string> seen;  // key -> "FILE row N"
  for (const ShardFile& shard : shards) {
    for (std::size_t r = 0; r < shard.table.rows.size(); ++r) {
      std::string key;
      for (std::size_t c : columns) key += shard.table.rows[r][c] + '\x1f';
      const auto [it, added] = seen.emplace(key, shard.name + " row " + std::to_string(r + 2));
      if (!added) {
        throw UsageError("merge: " + describe_row(shard, r) + " is also in " + it->second);
      }
    }
  }
}

// Sorted by shard index; refuses a shard given twice, and missing shards without --partial.
void check_every_shard_once(std::vector<ShardFile>& shards, bool partial,
                            std::vector<std::string>& notes) {
  std::sort(shards.begin(), shards.end(), [](const ShardFile& a, const ShardFile& b) {
    return a.plan().shard_index < b.plan().shard_index;
  });
  for (std::size_t i = 1; i < shards.size(); ++i) {
    if (shards[i].plan().shard_index == shards[i - 1].plan().shard_index) {
      throw UsageError("merge: " + shards[i - 1].name + " and " + shards[i].name + " are both " +
                       shard_text(shards[i].plan()));
    }
  }
  const unsigned count = shards.front().plan().shard_count;
  std::vector<unsigned> given, missing;
  for (const ShardFile& shard : shards) given.push_back(shard.plan().shard_index);
  for (unsigned i = 1; i <= count; ++i) {
    if (!std::binary_search(given.begin(), given.end(), i)) missing.push_back(i);
  }
  if (missing.empty()) return;
  const std::string what = std::string(missing.size() == 1 ? "shard " : "shards ") +
                           ranges_text(missing) + " of " + std::to_string(count) +
                           (missing.size() == 1 ? " is" : " are") +
                           " missing (given: " + ranges_text(given) + ")";
  if (!partial) throw UsageError("merge: " + what + "; merge them all, or pass --partial");
  notes.push_back("PARTIAL: " + what);
}

// Where the shards' machines or builds differ, a note for each: allowed, but a merged file
// then compares groups measured on different machines.
void note_differences(const std::vector<ShardFile>& shards, std::vector<std::string>& notes) {
  using Field = std::string results::Metadata::*;
  const std::pair<const char*, Field> fields[] = {
      {"CPU models", &results::Metadata::cpu_model},
      {"topologies", &results::Metadata::topology_summary},
      {"refbench builds", &results::Metadata::git_commit}};
  for (const auto& [what, field] : fields) {
    std::map<std::string, std::vector<unsigned>> by_value;
    for (const ShardFile& s : shards) by_value[s.metadata.*field].push_back(s.plan().shard_index);
    if (by_value.size() < 2) continue;
    std::string text = "WARNING: the shards ran on different " + std::string(what) + ":";
    for (const auto& [value, indices] : by_value) {
      text += " " + (value.empty() ? "unknown" : value) + " (shard" +
              (indices.size() == 1 ? " " : "s ") + ranges_text(indices) + ");";
    }
    notes.push_back(text +
                    " ratios within a group (one shard) hold, absolute figures across shards "
                    "do not compare");
  }
}

// The distinct values of a field, in shard order, joined: "node1, node2".
std::string distinct(const std::vector<ShardFile>& shards, std::string results::Metadata::*field,
                     const char* separator) {
  std::vector<std::string> values;
  for (const ShardFile& s : shards) {
    if (std::find(values.begin(), values.end(), s.metadata.*field) == values.end()) {
      values.push_back(s.metadata.*field);
    }
  }
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : separator) + v;
  return out;
}

// The merged file's record: the first shard's, with the merge's command and date, every
// host and CPU model, and the plan as one whole shard.
results::Metadata summary_of(const std::vector<ShardFile>& shards, const MergeOptions& options) {
  results::Metadata summary = shards.front().metadata;
  summary.command_line = options.command_line;
  summary.date = utc_now_iso8601();
  summary.host = distinct(shards, &results::Metadata::host, ", ");
  summary.cpu_model = distinct(shards, &results::Metadata::cpu_model, "; ");
  summary.topology_summary = distinct(shards, &results::Metadata::topology_summary, "; ");
  summary.topology_xml = "";  // each shard's own is named in its record
  const results::PlanRecord& plan = shards.front().plan();
  summary.plan = results::PlanRecord{plan.fingerprint, plan.points, 1, 1, plan.points};
  return summary;
}

void check_output(const MergeOptions& options) {
  std::error_code out_error;
  const fs::path target = fs::weakly_canonical(options.out, out_error);
  for (const fs::path& input : options.inputs) {
    std::error_code input_error;
    const fs::path source = fs::weakly_canonical(input, input_error);
    if (!out_error && !input_error && source == target) {
      throw UsageError("merge: --out " + options.out.string() + " is also an input (" +
                       input.string() + "); write the merge to a new file");
    }
  }
  try {
    for (const fs::path& written : {options.out, results::metadata_path(options.out)}) {
      results::check_regular_or_new(written);
    }
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
  std::error_code error;
  if (fs::exists(options.out, error) && !options.force) {
    throw UsageError("--out: " + options.out.string() +
                     " exists (refbench never writes over a result): use --force to replace it");
  }
}

// The CSV goes to FILE.csv.tmp and takes its name last, after its metadata: a refusal or a
// failure leaves neither.
std::size_t write_merged(const std::vector<ShardFile>& shards, const MergeOptions& options,
                         const std::vector<std::string>& notes) {
  try {
    results::CsvFile csv(options.out, shards.front().table.header);
    std::vector<results::MergedShard> merged;
    for (const ShardFile& shard : shards) {
      for (const auto& row : shard.table.rows) csv.write_row(row);
      merged.push_back({shard.name, shard.table.rows.size(), shard.metadata});
    }
    const fs::path meta = results::metadata_path(options.out);
    results::write_file_atomically(
        meta, results::to_json(summary_of(shards, options), merged, notes).dump(2) + "\n");
    try {
      csv.commit();
    } catch (const results::OutputError&) {
      fs::remove(meta);
      throw;
    }
    return csv.rows();
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

// A shard's FILE.ratios.csv given beside its FILE.csv (`merge shard-*.csv` takes both):
// the shard's ratios, not rows, left out with a note.
bool ratios_beside_a_shard(const fs::path& input, const std::vector<fs::path>& inputs) {
  const std::string name = input.string();
  const std::string suffix = ".ratios.csv";
  if (name.size() <= suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return false;
  }
  const fs::path results = name.substr(0, name.size() - suffix.size()) + ".csv";
  return std::find(inputs.begin(), inputs.end(), results) != inputs.end();
}

}  // namespace

int merge_command(const MergeOptions& options, std::ostream& out) {
  check_output(options);
  std::vector<ShardFile> shards;
  std::vector<std::string> left_out;
  for (const fs::path& input : options.inputs) {
    const std::string name = input.string();
    if (ratios_beside_a_shard(input, options.inputs)) {
      left_out.push_back("left out " + name + ": the ratios of a shard, not rows");
      continue;
    }
    shards.push_back({name, read_results(name), read_record(name)});
    check_same_plan(shards.front(), shards.back());
  }
  std::vector<std::string> notes = left_out;
  check_every_shard_once(shards, options.partial, notes);
  for (const ShardFile& shard : shards) check_rows(shard, options.partial, notes);
  check_no_point_twice(shards);
  note_differences(shards, notes);

  const std::size_t rows = write_merged(shards, options, notes);
  const results::PlanRecord& plan = shards.front().plan();
  out << "refbench merge: " << shards.size() << " of " << plan.shard_count << " shards of plan "
      << plan.fingerprint << ", " << rows << " of " << plan.points << " points, measured on "
      << distinct(shards, &results::Metadata::host, ", ") << "\n";
  for (const std::string& note : notes) out << "refbench merge: " << note << "\n";
  out << "wrote " << rows << " rows to " << options.out.string()
      << " (metadata: " << results::metadata_path(options.out).string() << ")\n"
      << std::flush;
  return 0;
}

}  // namespace refbench::harness
