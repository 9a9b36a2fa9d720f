#include "harness/resume.h"

#include <algorithm>
#include <map>
#include <optional>

#include "harness/results_input.h"
#include "harness/settings.h"
#include "harness/usage_error.h"
#include "results/csv.h"
#include "results/metadata.h"
#include "results/row.h"

namespace refbench::harness {
namespace {

using Key = std::string;

Key key_of(const std::string& workload, const std::string& strategy, const std::string& isolation,
           const std::string& placement, const std::string& pus, const std::string& payload,
           const std::string& repetition) {
  return workload + "|" + strategy + "|" + isolation + "|" + placement + "|" + pus + "|" + payload +
         "|" + repetition;
}

Key key_of(const Point& p) {
  return key_of(std::string(name(p.workload)), std::string(name(p.strategy)),
                std::string(name(p.isolation)), p.placement.spec_field(), p.placement.pus_field(),
                std::to_string(p.payload_bytes), std::to_string(p.repetition));
}

class Rows {
 public:
  Rows(const results::CsvTable& table, const std::string& origin)
      : table_(table), origin_(origin) {}

  const std::string& at(std::size_t row, const char* column) const {
    const int index = table_.column(column);
    const auto& fields = table_.rows[row];
    if (index < 0 || static_cast<std::size_t>(index) >= fields.size()) {
      throw UsageError("--resume: " + origin_ + " " + table_.line_of(row) + " has no '" + column +
                       "' field");
    }
    return fields[static_cast<std::size_t>(index)];
  }

  // The row's setting must be this sweep's: else the file is another sweep's.
  void expect(std::size_t row, const char* column, const std::string& option,
              const std::string& ours) const {
    const std::string& theirs = at(row, column);
    if (theirs != ours) {
      throw UsageError("--resume: " + origin_ + " was made with " + option + " " + theirs +
                       "; this sweep has " + option + " " + ours);
    }
  }

  // The row's value must be one of `ours` (a comma-separated list): a plan dimension.
  void expect_one_of(std::size_t row, const char* column, const std::string& option,
                     const std::string& ours) const {
    const std::string& theirs = at(row, column);
    if (("," + ours + ",").find("," + theirs + ",") == std::string::npos) {
      throw UsageError("--resume: " + origin_ + " was made with " + option + " " + theirs +
                       "; this sweep has " + option + " " + ours);
    }
  }

 private:
  const results::CsvTable& table_;
  const std::string& origin_;
};

// How a resume error names a setting: "--local-work", "--verify (1 = on)".
std::string describe_flag(const Setting& s) {
  if (s.flag == nullptr) return s.column;  // derived from other options
  const bool switch_like = s.value_name == nullptr || s.implicit_text != nullptr;
  return std::string("--") + s.flag + (switch_like ? " (1 = on)" : "");
}

std::string shard_text(const results::PlanRecord& plan) {
  return "shard " + std::to_string(plan.shard_index) + " of " + std::to_string(plan.shard_count);
}

// The plan the metadata beside `path` records; none where there is no metadata or it
// records no plan (written before sharding).
std::optional<results::PlanRecord> recorded_plan(const std::filesystem::path& path) {
  const std::filesystem::path meta = results::metadata_path(path);
  if (!std::filesystem::exists(meta)) return std::nullopt;
  try {
    return results::read_metadata(meta).plan;
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--resume: ") + e.what());
  }
}

}  // namespace

std::vector<std::size_t> points_done(const std::filesystem::path& path, const PlanStretch& stretch,
                                     const PointOptions& options, const CounterSet& counters,
                                     std::size_t* cut_line) {
  // A last row cut short (a killed sweep, a full disk) is no point done: the append trims
  // it (results/output_file.h), and the caller says so.
  const results::CsvTable table = read_results_csv(path, "--resume: ", true);
  if (cut_line != nullptr) *cut_line = table.cut_line;
  const std::string origin = path.string();
  if (table.header != results::csv_header(counters.columns())) {
    throw UsageError("--resume: " + origin +
                     " has other columns than this sweep writes "
                     "(another --counters, or another refbench version)");
  }
  // The rows' points, then the plan walked once to find them: the plan is never stored.
  const Rows rows(table, origin);
  std::map<Key, std::size_t> row_of;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto strategy = workloads::parse_strategy(rows.at(r, "strategy"));
    for (const Setting* s : column_settings()) {
      if (!s->has(kResumeIdentity)) continue;
      const bool applies = !strategy || s->applies(*strategy);
      rows.expect(r, s->column, describe_flag(*s), applies ? s->show(options.config) : "");
    }
    rows.expect_one_of(r, "isolation", "--isolation", setting("isolation").show_option(options));
    row_of.emplace(key_of(rows.at(r, "workload"), rows.at(r, "strategy"), rows.at(r, "isolation"),
                          rows.at(r, "placement"), rows.at(r, "pus"), rows.at(r, "payload_bytes"),
                          rows.at(r, "repetition")),
                   r);
  }
  std::vector<std::size_t> done;
  for (std::size_t i = 0; i < stretch.size() && !row_of.empty(); ++i) {
    const auto it = row_of.find(key_of(stretch.at(i)));
    if (it == row_of.end()) continue;
    done.push_back(stretch.position(i));
    row_of.erase(it);
  }
  if (!row_of.empty()) {
    // The first row, in file order, that no point of the plan claimed.
    std::size_t r = table.rows.size();
    for (const auto& [key, row] : row_of) r = std::min(r, row);
    throw UsageError("--resume: " + origin + " " + table.line_of(r) + " (" +
                     rows.at(r, "workload") + " " + rows.at(r, "strategy") + " PUs " +
                     rows.at(r, "pus") + ", placement " + rows.at(r, "placement") +
                     ") is not a point of this sweep");
  }
  return done;
}

std::vector<std::size_t> shard_points_done(const std::filesystem::path& path,
                                           const PlanStretch& shard, const PointOptions& options,
                                           const CounterSet& counters,
                                           const results::PlanRecord& ours, std::size_t* cut_line) {
  const std::optional<results::PlanRecord> theirs = recorded_plan(path);
  const std::string meta = results::metadata_path(path).string();
  const bool same_plan = theirs && theirs->fingerprint == ours.fingerprint;
  // Said before the rows are checked: another shard's rows are not points of this one.
  if (same_plan && shard_text(*theirs) != shard_text(ours)) {
    throw UsageError("--resume: " + path.string() + " holds " + shard_text(*theirs) + " (says " +
                     meta + "); this sweep is " + shard_text(ours));
  }
  // Said after: the rows name the setting that differs, where one does.
  std::vector<std::size_t> done = points_done(path, shard, options, counters, cut_line);
  if (theirs && !same_plan) {
    throw UsageError("--resume: " + path.string() + " was made for another plan (fingerprint " +
                     theirs->fingerprint + " in " + meta + "; this sweep's is " + ours.fingerprint +
                     "): other options, or a machine of another topology");
  }
  return done;
}

}  // namespace refbench::harness
